import { main } from "../../src/cli/main.js";
import type { CliIO } from "../../src/cli/io.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  files: Map<string, string>;
  /** Binary files written (xlsx, pdf). */
  binaries: Map<string, Uint8Array>;
}

/** Runs the CLI in-process with captured output. */
export async function runCli(...args: string[]): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const files = new Map<string, string>();
  const binaries = new Map<string, Uint8Array>();
  const io: CliIO = {
    out: (t) => void (stdout += t),
    err: (t) => void (stderr += t),
    errIsTTY: false,
    writeFile: (path, text) => void files.set(path, text),
    writeBytes: (path, bytes) => void binaries.set(path, bytes),
  };
  const code = await main(["node", "burnrate", ...args], io);
  return { code, stdout, stderr, files, binaries };
}
