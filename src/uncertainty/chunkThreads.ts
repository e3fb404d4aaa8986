import { Worker } from "node:worker_threads";
import { fileURLToPath } from "node:url";

/** What a chunked run needs from its caller: one company's simulation or a system's. */
export interface ChunkThreads<R> {
  /** Threads in all: this one and `threads - 1` workers. */
  threads: number;
  /** The claim counter and stop flag the workers share (index 1 ≠ 0 asks everyone to stop). */
  shared: Int32Array;
  worker: URL;
  workerData: unknown;
  /** Merges one chunk's result; a throw stops the run and is rethrown at its end. */
  merge: (result: R) => void;
  /** Claims and computes chunks on this thread, handing each result to `done`. */
  computeHere: (done: (result: R) => Promise<void>) => Promise<void>;
  signal?: AbortSignal;
  /** Yield to the event loop between this thread's chunks (worker results, progress, Ctrl-C). */
  yieldBetweenChunks: boolean;
}

/**
 * Runs a chunked Monte Carlo on this thread and `threads - 1` workers that claim chunks from
 * a shared counter. This thread computes chunks from the start while the workers boot (a
 * worker needs tens of milliseconds before its first chunk) and merges everyone's results
 * between its own. Results merge in any order, so the outcome does not depend on which
 * thread computed what.
 */
export async function runChunkThreads<R>(run: ChunkThreads<R>): Promise<void> {
  const stop = () => Atomics.store(run.shared, 1, 1);
  if (run.signal?.aborted) stop();
  run.signal?.addEventListener("abort", stop, { once: true });
  const workers: Worker[] = [];
  let failure: Error | null = null;
  let running = run.threads - 1;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const merge = (result: R) => {
    try {
      run.merge(result);
    } catch (error) {
      failure ??= error as Error;
      stop();
    }
  };
  try {
    for (let i = 0; i < run.threads - 1; i++) {
      const w = new Worker(fileURLToPath(run.worker), { workerData: run.workerData });
      workers.push(w);
      w.on("message", (msg: { result: R } | { done: true } | { error: string }) => {
        if ("result" in msg) merge(msg.result);
        else {
          if ("error" in msg) {
            failure ??= new Error(msg.error);
            stop();
          }
          running--;
        }
        notify();
      });
      w.on("error", (error) => {
        failure ??= error;
        stop();
        running--;
        notify();
      });
    }
    await run.computeHere(async (result) => {
      merge(result);
      if (run.yieldBetweenChunks) await new Promise((resolve) => setImmediate(resolve));
    });
    while (running > 0) await new Promise<void>((resolve) => (wake = resolve));
  } finally {
    run.signal?.removeEventListener("abort", stop);
    await Promise.all(workers.map((w) => w.terminate()));
  }
  if (failure) throw failure;
}
