import * as nodeFs from "node:fs";
import { createRequire } from "node:module";
import { dirname, basename, join } from "node:path";
import { UsageError } from "../model/issues.js";
import { errnoReason } from "../node/errno.js";

/** node:crypto (a temporary file's random name) is loaded by the first write, not by every start-up: it loads some 20 modules. */
const requireBuiltin = createRequire(import.meta.url);
const randomHex = (bytes: number): string => (requireBuiltin("node:crypto") as typeof import("node:crypto")).randomBytes(bytes).toString("hex");

/** Where the CLI writes: injectable so that tests run commands in-process. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is an interactive terminal (progress bars are shown only then). */
  errIsTTY: boolean;
  /** Writes a whole output file (`--out`): see `writeOutputFile` for the rules. */
  /** Width of the terminal standard output goes to; undefined when it is not a terminal. */
  columns?: number;
  writeFile(path: string, data: string | Uint8Array): void;
}

/** The parts of node:fs the writer uses (tests inject failures through it). */
export type OutputFs = Pick<
  typeof nodeFs,
  "lstatSync" | "openSync" | "writeSync" | "fsyncSync" | "fchmodSync" | "fchownSync" | "closeSync" | "renameSync" | "unlinkSync"
>;


function writeFailure(path: string, error: unknown): UsageError {
  return new UsageError("write_failed", `cannot write ${path}: ${errnoReason(error)}; nothing was written`);
}

function kindOf(stat: nodeFs.Stats): string | null {
  if (stat.isDirectory()) return "a folder";
  if (stat.isSymbolicLink()) return "a symbolic link";
  if (stat.isFIFO()) return "a named pipe (FIFO)";
  if (stat.isSocket()) return "a socket";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  if (!stat.isFile()) return "not a regular file";
  return null;
}

function currentUmask(): number {
  // process.umask() reads and restores the mask; there is no read-only call.
  try {
    const mask = process.umask(0);
    process.umask(mask);
    return mask;
  } catch {
    return 0o022; // in a worker thread the mask cannot be read; the usual default
  }
}

/**
 * Writes an output file (`--out PATH`) so that it can neither damage what is there nor
 * leave half a file:
 *
 * - the target must be a regular file or not exist yet: a folder, a device (`/dev/null`),
 *   a named pipe, a socket or a **symbolic link** is refused (burnrate never writes through
 *   a link; give the real path);
 * - the text goes to a new temporary file beside the target, with an unpredictable name,
 *   created exclusively (`O_CREAT|O_EXCL`, so a planted file or link is never opened) and
 *   readable by the owner only while it is written; it is flushed to disk (fsync), given
 *   the target's permissions (an existing file keeps its mode and, where allowed, its owner;
 *   a new one gets the usual mode after the umask), then renamed over the target in one step;
 * - any failure (missing folder, permission, full disk…) removes the temporary file and is a
 *   UsageError naming the path (exit 1); the target is then unchanged.
 */
export function writeOutputFile(path: string, data: string | Uint8Array, fs: OutputFs = nodeFs): void {
  if (path === "") throw new UsageError("write_failed", "--out needs a file name");
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  let existing: nodeFs.Stats | null = null;
  try {
    existing = fs.lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw writeFailure(path, error);
  }
  if (existing) {
    const kind = kindOf(existing);
    if (kind) throw new UsageError("write_refused", `cannot write ${path}: it is ${kind}; --out writes regular files only${kind === "a symbolic link" ? " and never through a link — give the real path" : " — give the path of a file"}`);
  }
  const mode = existing ? existing.mode & 0o7777 : 0o666 & ~currentUmask();
  const name = basename(path);
  const temp = join(dirname(path), `.${name.length > 100 ? name.slice(0, 100) : name}.${randomHex(8)}.tmp`);
  let fd: number | null = null;
  let renamed = false;
  try {
    fd = fs.openSync(temp, "wx", 0o600);
    let offset = 0;
    while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
    if (existing) {
      try {
        fs.fchownSync(fd, existing.uid, existing.gid);
      } catch {
        // Only the owner's own files or root can keep an owner; the mode is kept either way.
      }
    }
    fs.fchmodSync(fd, mode);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    // The target may have changed while we wrote: check again just before replacing it.
    let now: nodeFs.Stats | null = null;
    try {
      now = fs.lstatSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    if (now && kindOf(now)) throw new UsageError("write_refused", `cannot write ${path}: it became ${kindOf(now)} while burnrate was writing; nothing was written`);
    fs.renameSync(temp, path);
    renamed = true;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw writeFailure(path, error);
  } finally {
    if (fd !== null) {
      try {
        fs.closeSync(fd);
      } catch {
        // already failing; the temporary file is removed below
      }
    }
    if (!renamed) {
      try {
        fs.unlinkSync(temp);
      } catch {
        // it was never created
      }
    }
  }
}

/** Standard output closed by the reader (`burnrate … | head`): stop writing, keep the exit code. */
let stdoutClosed = false;

export function processIO(): CliIO {
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") {
      stdoutClosed = true;
      return;
    }
    throw error;
  });
  return {
    out: (text) => {
      if (!stdoutClosed) process.stdout.write(text);
    },
    err: (text) => process.stderr.write(text),
    // Asked only by commands that show progress: reading it creates the stderr stream (a pipe's loads node:net).
    get errIsTTY() {
      return Boolean(process.stderr.isTTY);
    },
    columns: process.stdout.isTTY ? process.stdout.columns : undefined,
    writeFile: (path, data) => writeOutputFile(path, data),
  };
}
