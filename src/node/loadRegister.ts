import { dirname, resolve, relative, isAbsolute } from "node:path";
import type { LoadedModel } from "../model/load.js";
import { ModelError } from "../model/issues.js";
import { parseRegister, type SourceRegister } from "../register/index.js";
import { readModelText } from "./loadFile.js";

const cache = new Map<string, SourceRegister>();

/**
 * The source register a model names (`register: PATH`, relative to the model file),
 * read and validated; null when it names none. A missing or malformed register is a
 * ModelError positioned at the model's `register:` key or in the register file.
 */
export function loadRegisterFor(loaded: LoadedModel): SourceRegister | null {
  const ref = loaded.extensions.register;
  if (ref === undefined || ref === null) return null;
  // Looked up only for a message: a position costs the model file's syntax tree.
  const position = () => loaded.source.valuePosition(["register"]);
  if (typeof ref !== "string" || ref.trim() === "") {
    throw new ModelError([{ code: "invalid_type", path: ["register"], severity: "error", message: "`register` is the path of the source register file, relative to this model (e.g. ../sources/register.yaml)", position: position() }]);
  }
  if (isAbsolute(ref)) {
    throw new ModelError([{ code: "machine_path", path: ["register"], severity: "error", message: `${ref} is an absolute path on one machine; give the register's path relative to the model file so that the repository works wherever it is checked out`, position: position() }]);
  }
  const base = loaded.file.startsWith("<") ? process.cwd() : dirname(resolve(loaded.file));
  const full = resolve(base, ref);
  const cached = cache.get(full);
  if (cached) return cached;
  let text: string;
  try {
    text = readModelText(full);
  } catch (error) {
    throw new ModelError([{ code: "register_not_found", path: ["register"], severity: "error", message: `cannot read the source register ${ref}: ${(error as Error).message}`, position: position() }]);
  }
  const shown = relative(process.cwd(), full) || full;
  const register = parseRegister(text, shown);
  cache.set(full, register);
  return register;
}
