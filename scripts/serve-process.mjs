// Starts `burnrate serve` as a child process and resolves once it prints its address.
// Shared by the crash-safety and load scripts and the end-to-end test.
import { spawn } from "node:child_process";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..");

/** A command-line option of a script: `--name value`, or the fallback. */
export function arg(name, fallback) {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
}

/** @returns {Promise<{ child: import("node:child_process").ChildProcess, url: string, output: () => string }>} */
export function startServe(args, { timeoutMs = 60_000, env = {} } = {}) {
  const child = spawn(process.execPath, [join(ROOT, "bin", "burnrate.cjs"), "serve", "--port", "0", ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`burnrate serve did not start within ${timeoutMs} ms:\n${out}\n${err}`));
    }, timeoutMs);
    const check = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout.off("data", check);
        resolve({ child, url: m[1], output: () => out + err });
      }
    };
    child.stdout.on("data", check);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`burnrate serve exited (${code ?? signal}) before it listened:\n${out}\n${err}`));
    });
  });
}

export function exited(child) {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once("exit", r));
}
