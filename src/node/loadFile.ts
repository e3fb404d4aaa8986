import * as nodeFs from "node:fs";
import { loadModelText, type LoadOptions, type LoadedModel } from "../model/load.js";
import { MAX_MODEL_BYTES } from "../model/source.js";
import { UsageError } from "../model/issues.js";
import { errnoReason } from "./errno.js";

/** The path that means "read the model from standard input". */
export const STDIN_PATH = "-";
/** How a model read from standard input is named in messages (`<stdin>:3:5: …`). */
export const STDIN_LABEL = "<stdin>";

/** The parts of node:fs the reader uses (tests inject failures through it). */
export type InputFs = Pick<typeof nodeFs, "statSync" | "openSync" | "fstatSync" | "readSync" | "closeSync">;

const CHUNK = 64 * 1024;


function readFailure(path: string, error: unknown): UsageError {
  if (error instanceof UsageError) return error;
  const code = (error as NodeJS.ErrnoException)?.code ?? "";
  if (code === "ENOENT") return new UsageError("file_not_found", `${path}: no such file; check the path (models ship in models/, e.g. models/example.yaml)`);
  if (code === "EACCES" || code === "EPERM") return new UsageError("file_not_readable", `${path}: permission denied`);
  return new UsageError("file_error", `${path}: cannot read it: ${errnoReason(error)}`);
}

function tooLarge(path: string): UsageError {
  return new UsageError("file_too_large", `${path}: more than ${MAX_MODEL_BYTES / 1024 / 1024} MB; a model file may be at most ${MAX_MODEL_BYTES / 1024 / 1024} MB — check that this is the right file`);
}

function kindOf(stat: nodeFs.Stats): string | null {
  if (stat.isFile() || stat.isFIFO()) return null;
  if (stat.isDirectory()) return "a folder";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  if (stat.isSocket()) return "a socket";
  return "not a regular file";
}

function refuse(path: string, kind: string): UsageError {
  if (kind === "a folder") return new UsageError("not_a_file", `${path} is a folder; give the path of a model file (.yaml or .json)`);
  return new UsageError("not_a_file", `${path} is ${kind}, not a model file; give the path of a .yaml or .json file (or - to read standard input)`);
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Reads at most MAX_MODEL_BYTES (+1 to tell) from an open descriptor, counting the bytes
 * actually read: a file that grows, a pipe that never ends or a size that `stat` gets
 * wrong cannot make burnrate read without bound.
 */
function readCapped(fs: InputFs, fd: number, path: string): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(CHUNK);
    let n: number;
    try {
      n = fs.readSync(fd, chunk, 0, CHUNK, null);
    } catch (error) {
      // Standard input may be a non-blocking pipe: wait for the writer.
      if ((error as NodeJS.ErrnoException).code === "EAGAIN") {
        Atomics.wait(pause, 0, 0, 5);
        continue;
      }
      if ((error as NodeJS.ErrnoException).code === "EOF") break;
      throw readFailure(path, error);
    }
    if (n === 0) break;
    total += n;
    if (total > MAX_MODEL_BYTES) throw tooLarge(path);
    chunks.push(chunk.subarray(0, n));
  }
  return Buffer.concat(chunks, total);
}

function decode(buffer: Buffer, path: string): string {
  if (buffer.includes(0)) throw new UsageError("binary_file", `${path} is not a text file; a model is YAML or JSON text`);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(buffer).replace(/^\uFEFF/, "");
  } catch {
    throw new UsageError("not_utf8", `${path} is not UTF-8 text; save the model as UTF-8`);
  }
}

/**
 * Reads a model file from disk (or standard input for `-`). The only place below the CLI
 * that touches the file system. Regular files and pipes are read, by bytes actually read up
 * to MAX_MODEL_BYTES; folders, devices (`/dev/zero`, `/dev/urandom`) and sockets are
 * refused before they are opened; every failure is a UsageError (exit 1) naming the path.
 */
export function readModelText(path: string, fs: InputFs = nodeFs): string {
  if (path === STDIN_PATH) return decode(readCapped(fs, 0, STDIN_LABEL), STDIN_LABEL);
  let stat: nodeFs.Stats;
  try {
    stat = fs.statSync(path);
  } catch (error) {
    throw readFailure(path, error);
  }
  // Refused before opening: opening some devices has effects of its own.
  const kind = kindOf(stat);
  if (kind) throw refuse(path, kind);
  if (stat.isFile() && stat.size > MAX_MODEL_BYTES) throw tooLarge(path);
  let fd: number;
  try {
    fd = fs.openSync(path, "r");
  } catch (error) {
    throw readFailure(path, error);
  }
  try {
    // The path may have been replaced between stat and open: judge what was opened.
    const opened = kindOf(fs.fstatSync(fd));
    if (opened) throw refuse(path, opened);
    return decode(readCapped(fs, fd, path), path);
  } catch (error) {
    throw readFailure(path, error);
  } finally {
    try {
      fs.closeSync(fd);
    } catch {
      // nothing more to do
    }
  }
}

/** The name a model's messages use for a path given on the command line. */
export function modelLabel(path: string): string {
  return path === STDIN_PATH ? STDIN_LABEL : path;
}

/** A model file's text with the name errors should show (`<stdin>` for `-`). */
export function readModel(path: string): { text: string; file: string } {
  return { text: readModelText(path), file: modelLabel(path) };
}

export function loadModelFile(path: string, options: LoadOptions = {}): LoadedModel {
  return loadModelText(readModelText(path), modelLabel(path), options);
}
