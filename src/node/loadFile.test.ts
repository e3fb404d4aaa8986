import { describe, it, expect } from "vitest";
import * as fs from "node:fs";
import { mkdtempSync, writeFileSync } from "node:fs";
import { execFileSync, spawn } from "node:child_process";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { readModelText, loadModelFile, type InputFs } from "./loadFile.js";
import { MAX_MODEL_BYTES } from "../model/source.js";
import { UsageError } from "../model/issues.js";
import { reportError, EXIT_FAILURE } from "../cli/errors.js";

const scratch = () => mkdtempSync(join(tmpdir(), "burnrate-in-"));

function failure(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect(reportError(error, { out: () => {}, err: () => {}, errIsTTY: false, writeFile: () => {} })).toBe(EXIT_FAILURE);
    return error as UsageError;
  }
  throw new Error("expected a failure");
}

const errno = (code: string) => () => {
  throw Object.assign(new Error(`${code}: simulated`), { code });
};

describe("reading a model refuses what is not a model file, before reading it", () => {
  it("/dev/zero and /dev/urandom are devices: refused at once, never read", () => {
    let reads = 0;
    const counting: InputFs = { ...fs, readSync: ((...args: Parameters<typeof fs.readSync>) => (reads++, fs.readSync(...args))) as typeof fs.readSync };
    for (const device of ["/dev/zero", "/dev/urandom"]) {
      expect(failure(() => readModelText(device, counting)).message).toBe(`${device} is a device, not a model file; give the path of a .yaml or .json file (or - to read standard input)`);
    }
    expect(reads).toBe(0);
  });
  it("a folder", () => {
    expect(failure(() => readModelText(scratch())).message).toMatch(/is a folder; give the path of a model file/);
  });
  it("binary and non-UTF-8 files", () => {
    const dir = scratch();
    writeFileSync(join(dir, "a.bin"), Buffer.from([0x6d, 0x00, 0x01]));
    writeFileSync(join(dir, "b.yaml"), Buffer.from("meta: \xff\xfe\n", "latin1"));
    expect(failure(() => readModelText(join(dir, "a.bin"))).message).toMatch(/is not a text file/);
    expect(failure(() => readModelText(join(dir, "b.yaml"))).message).toMatch(/is not UTF-8 text/);
  });
});

describe("reading is capped by bytes actually read, not by what stat says", () => {
  it("a file whose size stat understates (a growing file, /proc) stops at the cap", () => {
    const dir = scratch();
    const file = join(dir, "m.yaml");
    writeFileSync(file, "meta: {}\n");
    let served = 0;
    const endless: InputFs = {
      ...fs,
      readSync: ((fd: number, buffer: Buffer) => {
        buffer.fill(0x61);
        served += buffer.length;
        return buffer.length;
      }) as unknown as typeof fs.readSync,
    };
    expect(failure(() => readModelText(file, endless)).message).toBe(`${file}: more than 5 MB; a model file may be at most 5 MB — check that this is the right file`);
    expect(served).toBeLessThanOrEqual(MAX_MODEL_BYTES + 64 * 1024);
  });
  it("a named pipe that never ends is read up to the cap and refused", () => {
    const dir = scratch();
    const fifo = join(dir, "pipe");
    execFileSync("mkfifo", [fifo]);
    // The writer is a child process that writes forever; it dies when the pipe closes.
    const writer = spawn("sh", ["-c", `exec yes model > '${fifo}'`], { stdio: "ignore" });
    try {
      expect(failure(() => readModelText(fifo)).message).toMatch(/pipe: more than 5 MB/);
    } finally {
      writer.kill();
    }
  });
  it("a file at the cap is read; one byte more is refused", () => {
    const dir = scratch();
    const body = "meta:\n  company: X\n# " + "x".repeat(MAX_MODEL_BYTES - 22) + "\n";
    expect(Buffer.byteLength(body)).toBe(MAX_MODEL_BYTES);
    writeFileSync(join(dir, "ok.yaml"), body);
    writeFileSync(join(dir, "big.yaml"), body + "x");
    expect(readModelText(join(dir, "ok.yaml")).length).toBe(MAX_MODEL_BYTES);
    expect(failure(() => readModelText(join(dir, "big.yaml"))).message).toMatch(/more than 5 MB/);
  });
});

describe("a file that cannot be read is exit 1 naming it", () => {
  const dir = scratch();
  const file = join(dir, "m.yaml");
  writeFileSync(file, "meta: {}\n");
  it("permission denied on open", () => {
    expect(failure(() => readModelText(file, { ...fs, openSync: errno("EACCES") as never })).message).toBe(`${file}: permission denied`);
  });
  it("permission denied on stat (a folder on the way cannot be searched)", () => {
    expect(failure(() => readModelText(file, { ...fs, statSync: errno("EACCES") as never })).message).toBe(`${file}: permission denied`);
  });
  it("an input/output error while reading", () => {
    expect(failure(() => readModelText(file, { ...fs, readSync: errno("EIO") as never })).message).toBe(`${file}: cannot read it: an input/output error on the device (EIO)`);
  });
  it("a missing file and a path through a file", () => {
    expect(failure(() => readModelText(join(dir, "nope.yaml"))).message).toMatch(/no such file/);
    expect(failure(() => readModelText(join(file, "x"))).message).toMatch(/a part of the path is not a folder/);
  });
  it("loadModelFile gives the same errors", () => {
    expect(failure(() => loadModelFile("/dev/zero")).code).toBe("not_a_file");
  });
});
