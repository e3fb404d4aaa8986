import { Worker, parentPort, workerData } from "node:worker_threads";
import { fileURLToPath } from "node:url";

/** What a chunked run needs from its caller: one company's simulation or a system's. */
export interface ChunkThreads<R> {
  /** Threads in all: this one and `threads - 1` workers. */
  threads: number;
  /** The claim counter and stop flag the workers share (index 1 ≠ 0 asks everyone to stop). */
  shared: Int32Array;
  worker: URL;
  workerData: unknown;
  /**
   * Workers leased from the pool (leaseWorkers) before the run was planned, so that they
   * boot while this thread compiles: they receive `workerData` as a job message and go back
   * to the pool afterwards. Without it, `threads - 1` workers are started for this run
   * alone and given `workerData` at start.
   */
  lease?: WorkerLease;
  /** Merges one chunk's result; a throw stops the run and is rethrown at its end. */
  merge: (result: R) => void;
  /** Claims and computes chunks on this thread, handing each result to `done`. */
  computeHere: (done: (result: R) => Promise<void>) => Promise<void>;
  signal?: AbortSignal;
  /** Yield to the event loop between this thread's chunks (worker results, progress, Ctrl-C). */
  yieldBetweenChunks: boolean;
}

/**
 * Idle pooled workers by script. A worker costs a few hundred milliseconds before it runs
 * at full speed (loading modules, then the JIT compiling the month loop), a large share of
 * a run of a few seconds; a pooled worker keeps both for the next run in this process (the
 * server, the benchmark, a notebook). Idle workers are unref'd, so they never keep the
 * process alive, and end after IDLE_MS unused.
 */
const idle = new Map<string, Set<Worker>>();

/** Workers taken from the pool for one run (see ChunkThreads.lease). */
export interface WorkerLease {
  file: string;
  workers: Worker[];
  /** Gives back the workers not used (or every worker, if the run never started). */
  release(keep?: number): void;
}

/** Takes `count` workers of this script from the pool, starting new ones as needed (they boot now). */
export function leaseWorkers(worker: URL, count: number): WorkerLease {
  const file = fileURLToPath(worker);
  let pool = idle.get(file);
  if (!pool) idle.set(file, (pool = new Set()));
  const workers: Worker[] = [];
  for (let i = 0; i < count; i++) {
    let w: Worker | undefined = pool.values().next().value;
    if (w) {
      pool.delete(w);
      clearTimeout(idleTimers.get(w));
    }
    else {
      w = new Worker(file, { workerData: { pooled: true } });
      const self = w;
      // An idle worker that dies leaves the pool (a leased one is watched by its run).
      self.on("error", () => idle.get(file)?.delete(self));
      self.on("exit", () => idle.get(file)?.delete(self));
    }
    w.ref();
    workers.push(w);
  }
  let released = false;
  return {
    file,
    workers,
    release(keep = 0) {
      if (released) return;
      released = true;
      for (const w of workers.slice(keep)) giveBack(file, w);
      workers.length = Math.min(keep, workers.length);
    },
  };
}

/** An idle pooled worker ends after this long unused (its memory back to a long-running process). */
const IDLE_MS = 60_000;
const idleTimers = new WeakMap<Worker, ReturnType<typeof setTimeout>>();

function giveBack(file: string, w: Worker): void {
  w.unref();
  idle.get(file)?.add(w);
  const timer = setTimeout(() => {
    if (idle.get(file)?.delete(w)) void w.terminate();
  }, IDLE_MS);
  timer.unref();
  idleTimers.set(w, timer);
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
  const lease = run.lease ?? null;
  if (lease) lease.release(run.threads - 1);
  const workers: Worker[] = [];
  /** Pooled workers that answered `done` (safe to reuse); any other is terminated. */
  const finished = new Set<Worker>();
  const listeners: [Worker, (msg: any) => void, (error: Error) => void][] = []; // eslint-disable-line @typescript-eslint/no-explicit-any
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
      const w = lease ? lease.workers[i] : new Worker(fileURLToPath(run.worker), { workerData: run.workerData });
      workers.push(w);
      const onMessage = (msg: { result: R } | { done: true } | { error: string }) => {
        if ("result" in msg) merge(msg.result);
        else {
          if ("error" in msg) {
            failure ??= new Error(msg.error);
            stop();
          } else finished.add(w);
          running--;
        }
        notify();
      };
      const onError = (error: Error) => {
        failure ??= error;
        stop();
        running--;
        notify();
      };
      w.on("message", onMessage);
      w.on("error", onError);
      listeners.push([w, onMessage, onError]);
      if (lease) w.postMessage({ job: run.workerData });
    }
    await run.computeHere(async (result) => {
      merge(result);
      if (run.yieldBetweenChunks) await new Promise((resolve) => setImmediate(resolve));
    });
    while (running > 0) await new Promise<void>((resolve) => (wake = resolve));
  } finally {
    run.signal?.removeEventListener("abort", stop);
    for (const [w, onMessage, onError] of listeners) {
      w.off("message", onMessage);
      w.off("error", onError);
    }
    const ended: Promise<unknown>[] = [];
    for (const w of workers) {
      if (lease && finished.has(w)) giveBack(lease.file, w);
      else ended.push(w.terminate());
    }
    await Promise.all(ended);
  }
  if (failure) throw failure;
}

/**
 * The worker's side of the protocol above: a pooled worker serves one `{ job }` message
 * after another (the pool sends the next only after this one's `done`); a worker started
 * for one run takes its job from workerData. Either way each job ends with `{ done }` or
 * `{ error }`.
 */
export async function serveWorkerJobs<J>(run: (job: J) => Promise<void>): Promise<void> {
  const port = parentPort!;
  const serve = async (job: J) => {
    try {
      await run(job);
      port.postMessage({ done: true });
    } catch (error) {
      port.postMessage({ error: (error as Error).message });
    }
  };
  if ((workerData as { pooled?: boolean } | null)?.pooled) {
    port.on("message", (msg: { job?: J }) => {
      if (msg.job) void serve(msg.job);
    });
  } else await serve(workerData as J);
}
