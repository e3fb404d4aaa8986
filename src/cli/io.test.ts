import { describe, it, expect } from "vitest";
import * as fs from "node:fs";
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, mkdirSync, symlinkSync, chmodSync, statSync, existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { writeOutputFile, type OutputFs } from "./io.js";
import { reportError, EXIT_FAILURE } from "./errors.js";
import { UsageError } from "../model/issues.js";

const scratch = () => mkdtempSync(join(tmpdir(), "burnrate-out-"));

function failure(fn: () => void): UsageError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error("expected a failure");
}

/** Exit code and stderr the CLI would give for this error. */
function reported(error: unknown): { code: number; text: string } {
  let text = "";
  const code = reportError(error, { out: () => {}, err: (t) => void (text += t), errIsTTY: false, writeFile: () => {} });
  return { code, text };
}

describe("--out writes a new file or replaces a regular one, atomically", () => {
  it("writes the text and leaves no temporary file", () => {
    const dir = scratch();
    writeOutputFile(join(dir, "report.txt"), "hello\n");
    expect(readFileSync(join(dir, "report.txt"), "utf8")).toBe("hello\n");
    expect(readdirSync(dir)).toEqual(["report.txt"]);
  });
  it("writes bytes as they are", () => {
    const dir = scratch();
    writeOutputFile(join(dir, "b.bin"), new Uint8Array([0, 255, 10]));
    expect([...readFileSync(join(dir, "b.bin"))]).toEqual([0, 255, 10]);
  });
  it("replaces an existing file and keeps its permissions", () => {
    const dir = scratch();
    const target = join(dir, "keep.csv");
    writeFileSync(target, "old contents that are longer than the new ones");
    chmodSync(target, 0o640);
    writeOutputFile(target, "new");
    expect(readFileSync(target, "utf8")).toBe("new");
    expect(statSync(target).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(["keep.csv"]);
  });
  it("gives a new file the usual permissions (not the temporary file's owner-only mode)", () => {
    const dir = scratch();
    writeOutputFile(join(dir, "new.json"), "{}");
    const mask = process.umask();
    expect(statSync(join(dir, "new.json")).mode & 0o777).toBe(0o666 & ~mask);
  });
  it("creates its temporary file exclusively, owner-only, with an unpredictable name beside the target", () => {
    const dir = scratch();
    const opened: [string, string, number][] = [];
    const spy: OutputFs = { ...fs, openSync: ((p: string, flags: string, mode: number) => (opened.push([p, flags, mode]), fs.openSync(p, flags, mode))) as typeof fs.openSync };
    writeOutputFile(join(dir, "a.txt"), "1", spy);
    writeOutputFile(join(dir, "a.txt"), "2", spy);
    expect(opened).toHaveLength(2);
    for (const [p, flags, mode] of opened) {
      expect(p.startsWith(join(dir, ".a.txt."))).toBe(true);
      expect(p).toMatch(/\.[0-9a-f]{16}\.tmp$/);
      expect(flags).toBe("wx");
      expect(mode).toBe(0o600);
    }
    expect(opened[0][0]).not.toBe(opened[1][0]);
  });
});

describe("--out refuses what it did not create", () => {
  it("a folder", () => {
    const dir = scratch();
    mkdirSync(join(dir, "sub"));
    const e = failure(() => writeOutputFile(join(dir, "sub"), "x"));
    expect(e.message).toBe(`cannot write ${join(dir, "sub")}: it is a folder; --out writes regular files only — give the path of a file`);
    expect(readdirSync(dir)).toEqual(["sub"]);
  });
  it("a device such as /dev/null", () => {
    const e = failure(() => writeOutputFile("/dev/null", "x"));
    expect(e.message).toMatch(/cannot write \/dev\/null: it is a device/);
    expect(statSync("/dev/null").isCharacterDevice()).toBe(true);
  });
  it("a named pipe, without waiting for a reader", () => {
    const dir = scratch();
    const fifo = join(dir, "pipe");
    execFileSync("mkfifo", [fifo]);
    expect(failure(() => writeOutputFile(fifo, "x")).message).toMatch(/it is a named pipe/);
    expect(statSync(fifo).isFIFO()).toBe(true);
  });
  it("a socket", async () => {
    const dir = scratch();
    const sock = join(dir, "s.sock");
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      expect(failure(() => writeOutputFile(sock, "x")).message).toMatch(/it is a socket/);
    } finally {
      server.close();
    }
  });
  it("a symbolic link: the file it points to is left untouched", () => {
    const dir = scratch();
    const victim = join(dir, "victim");
    writeFileSync(victim, "secret\n");
    symlinkSync(victim, join(dir, "link"));
    expect(failure(() => writeOutputFile(join(dir, "link"), "x")).message).toMatch(/it is a symbolic link; --out writes regular files only and never through a link/);
    expect(readFileSync(victim, "utf8")).toBe("secret\n");
    expect(fs.lstatSync(join(dir, "link")).isSymbolicLink()).toBe(true);
    // A dangling link too: it could be created later by someone else.
    symlinkSync(join(dir, "nowhere"), join(dir, "dangling"));
    expect(failure(() => writeOutputFile(join(dir, "dangling"), "x")).message).toMatch(/symbolic link/);
    expect(existsSync(join(dir, "nowhere"))).toBe(false);
  });
});

describe("every failure to write is exit 1 naming the path, and leaves nothing behind", () => {
  it("a missing folder", () => {
    const dir = scratch();
    const target = join(dir, "no", "such", "out.txt");
    const e = failure(() => writeOutputFile(target, "x"));
    expect(e.message).toBe(`cannot write ${target}: the folder does not exist (ENOENT); nothing was written`);
    expect(reported(e)).toEqual({ code: EXIT_FAILURE, text: `burnrate: ${e.message}\n` });
  });
  it("a path through a file", () => {
    const dir = scratch();
    writeFileSync(join(dir, "file"), "");
    expect(failure(() => writeOutputFile(join(dir, "file", "out.txt"), "x")).message).toMatch(/a part of the path is not a folder/);
  });
  for (const [step, code, words] of [
    ["writeSync", "ENOSPC", "no space left on the device"],
    ["fsyncSync", "EIO", "an input/output error on the device"],
    ["renameSync", "EXDEV", "the temporary file and the target are on different devices"],
    ["openSync", "EACCES", "permission denied"],
    ["fchmodSync", "EPERM", "permission denied"],
  ] as const) {
    it(`${code} during ${step}: the target keeps its old contents and no temporary file remains`, () => {
      const dir = scratch();
      const target = join(dir, "out.txt");
      writeFileSync(target, "before");
      const broken: OutputFs = {
        ...fs,
        [step]: () => {
          throw Object.assign(new Error(`${code}: simulated`), { code });
        },
      };
      const e = failure(() => writeOutputFile(target, "after", broken));
      expect(e.message).toContain(`cannot write ${target}: ${words}`);
      expect(reported(e).code).toBe(EXIT_FAILURE);
      expect(reported(e).text).not.toContain("internal error");
      expect(readFileSync(target, "utf8")).toBe("before");
      expect(readdirSync(dir)).toEqual(["out.txt"]);
    });
  }
});
