import { readFileSync, statSync } from "node:fs";
import { loadModelText, type LoadOptions, type LoadedModel } from "../model/load.js";
import { MAX_MODEL_BYTES } from "../model/source.js";
import { UsageError } from "../model/issues.js";

/** Reads a model file from disk. The only place below the CLI that touches the file system. */
export function readModelText(path: string): string {
  let size: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new UsageError("not_a_file", `${path} is a folder; give the path of a model file (.yaml or .json)`);
    size = stat.size;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UsageError("file_not_found", `${path}: no such file; check the path (models ship in models/, e.g. models/example.yaml)`);
    if (code === "EACCES") throw new UsageError("file_not_readable", `${path}: permission denied`);
    throw new UsageError("file_error", `${path}: ${(error as Error).message}`);
  }
  if (size > MAX_MODEL_BYTES) {
    throw new UsageError("file_too_large", `${path}: the file is ${(size / 1024 / 1024).toFixed(1)} MB; a model file may be at most ${MAX_MODEL_BYTES / 1024 / 1024} MB`);
  }
  const buffer = readFileSync(path);
  if (buffer.includes(0)) throw new UsageError("binary_file", `${path} is not a text file; a model is YAML or JSON text`);
  return buffer.toString("utf8").replace(/^\uFEFF/, "");
}

export function loadModelFile(path: string, options: LoadOptions = {}): LoadedModel {
  return loadModelText(readModelText(path), path, options);
}
