import { writeFileSync, renameSync } from "node:fs";
import { dirname, basename, join } from "node:path";

/** Where the CLI writes: injectable so that tests run commands in-process. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is an interactive terminal (progress bars are shown only then). */
  errIsTTY: boolean;
  writeFile(path: string, text: string): void;
  /** Binary files (xlsx, pdf); written like writeFile. */
  writeBytes?(path: string, bytes: Uint8Array): void;
}

/** Writes through a temporary file and a rename, so a failed write never leaves half a file. */
export function writeFileAtomic(path: string, text: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export function processIO(): CliIO {
  // Output piped into `head` closes early: stop quietly instead of crashing on EPIPE.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    errIsTTY: Boolean(process.stderr.isTTY),
    writeFile: writeFileAtomic,
    writeBytes: writeFileAtomic,
  };
}
