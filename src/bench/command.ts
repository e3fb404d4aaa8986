import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Wall times (ms) of a whole command, process start to exit, `runs` times after `warmUps` discarded runs; `burnrate` false: of `node ARGS`. */
export function commandTimes(args: string[], runs: number, burnrate = true, warmUps = 1): number[] {
  const bin = fileURLToPath(new URL("../../bin/burnrate.cjs", import.meta.url));
  const cwd = fileURLToPath(new URL("../..", import.meta.url));
  const times: number[] = [];
  for (let i = 0; i < warmUps + runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, burnrate ? [bin, ...args] : args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`burnrate ${args.join(" ")} failed: ${r.stderr}`);
    if (i >= warmUps) times.push(ms);
  }
  return times;
}

/** Median wall time of a whole command over `runs` runs after one warm-up. */
export function commandMs(args: string[], runs = 10, burnrate = true): number {
  return median(commandTimes(args, runs, burnrate));
}
