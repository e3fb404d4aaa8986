import { main } from "../../src/cli/main.js";
import type { CliIO } from "../../src/cli/io.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  files: Map<string, string>;
  /** Binary files written (xlsx, pdf), as written. */
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
    writeFile: (path, data) => {
      if (typeof data !== "string") binaries.set(path, data);
      files.set(path, typeof data === "string" ? data : Buffer.from(data).toString("utf8"));
    },
  };
  const code = await main(["node", "burnrate", ...args], io);
  return { code, stdout, stderr, files, binaries };
}
