import { realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { readModelText } from "../node/loadFile.js";
import { UsageError } from "../model/issues.js";
import { loadSystemText, type LoadSystemOptions, type LoadedSystem, type ReadCompany } from "./load.js";

/**
 * Reads company models for a system file from disk. A company's path is relative to the
 * system file's folder and must stay inside that folder's tree (after following links),
 * so a system file cannot make burnrate read files elsewhere on the machine.
 */
export function companyReader(systemFile: string): ReadCompany {
  let root: string;
  try {
    root = realpathSync(dirname(resolve(systemFile)));
  } catch {
    root = dirname(resolve(systemFile));
  }
  return (relativePath) => {
    if (isAbsolute(relativePath)) throw new UsageError("absolute_path", `${relativePath} is an absolute path; give the model's path relative to the system file's folder (e.g. xai.yaml)`);
    const target = resolve(root, relativePath);
    let real: string;
    try {
      real = realpathSync(target);
    } catch {
      throw new UsageError("file_not_found", `${relativePath}: no such file next to the system file (looked for ${relative(process.cwd(), target) || target})`);
    }
    if (real !== root && !real.startsWith(root + sep)) {
      throw new UsageError("outside_system_folder", `${relativePath} lies outside the system file's folder; keep company models in that folder or below it`);
    }
    if (statSync(real).isDirectory()) throw new UsageError("not_a_file", `${relativePath} is a folder; give a model file`);
    const shown = relative(process.cwd(), target);
    return { text: readModelText(real), file: shown && !shown.startsWith("..") ? shown : target };
  };
}

/** Loads a system file and the company models it names from disk. */
export function loadSystemFile(path: string, options: LoadSystemOptions = {}): LoadedSystem {
  return loadSystemText(readModelText(path), path, companyReader(path), options);
}
