import type { CliIO } from "./io.js";

/**
 * A progress bar with the paths done and an ETA on standard error, for Monte Carlo commands
 * that Ctrl-C stops early; undefined when standard error is not a terminal (nothing to redraw).
 */
export function pathProgress(io: CliIO): ((done: number, total: number) => void) | undefined {
  if (!io.errIsTTY) return undefined;
  const started = Date.now();
  return (done, total) => {
    const share = done / total;
    const elapsed = (Date.now() - started) / 1000;
    const eta = share > 0 ? (elapsed / share) * (1 - share) : 0;
    const bar = "█".repeat(Math.round(share * 30)).padEnd(30, "░");
    io.err(`\r${bar} ${(share * 100).toFixed(0).padStart(3)}%  ${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")} paths  ETA ${eta.toFixed(0)}s  (Ctrl-C stops and prints what is done)`);
  };
}
