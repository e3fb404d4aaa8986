import type { CheckReport } from "../commands/check.js";
import { checkSystem } from "./check.js";
import { companyReader } from "./node.js";
import { dirname, resolve, relative } from "node:path";
import { readModelText } from "../node/loadFile.js";
import { parseRegister } from "../register/register.js";
import "./index.js";

/** `burnrate check` on a system file read from disk (company models relative to it). */
export function checkSystemFile(model: { text: string; file: string }, options: { strict?: boolean } = {}): CheckReport {
  // The register is read-only data shared with the models: it may lie outside the system's folder.
  const register = (path: string) => {
    const full = resolve(dirname(resolve(model.file)), path);
    return parseRegister(readModelText(full), relative(process.cwd(), full) || full);
  };
  return checkSystem(model.text, model.file, companyReader(model.file), { ...options, register });
}
