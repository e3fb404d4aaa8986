import type { Model } from "../model/schema.js";
import { metricVector } from "../engine/metrics.js";
import { forEachPath, blockScratch, type SimulationPlan } from "./paths.js";
import type { RunShape, ChunkResult, OutputDetail } from "./aggregate.js";
import type { UncertaintyDescription } from "./sample.js";

/** What a worker thread needs to compute chunks of a run (plain, structured-cloneable data). */
export interface WorkerSetup {
  /** The validated model (scenario applied) and its extension sections. */
  model: Model;
  extensions: Record<string, unknown>;
  extensionsUsed: string[];
  description: UncertaintyDescription;
  seed: number;
  lhs: boolean;
  blockSize: number;
  paths: number;
  detail: OutputDetail;
  keep: number;
  /** Paths per chunk (RunShape's), the same on every thread. */
  chunkSize: number;
  threads: number;
  /** Int32 [next chunk to claim, stop flag], shared by every thread of the run. */
  shared: SharedArrayBuffer;
  /** The run's exact columns (exactColumns), when every column is exact: a worker writes its chunks there. */
  exactValues?: SharedArrayBuffer;
}

/**
 * Claims the next chunks of work from the shared counter: a whole sampling block's worth
 * while plenty is left (a thread then samples each block once), single chunks near the end
 * (so that threads finish together). Returns [from, to) or null when nothing is left.
 *
 * Every thread that claims a chunk of a block samples the whole block (about a tenth of a
 * system path's work), so the single-chunk tail is kept as short as balance allows: one
 * block per thread. A thread that claimed a whole block just before the tail began finishes
 * it while the others share the tail's other blocks, one chunk at a time.
 */
export function claimChunks(shared: Int32Array, chunks: number, chunksPerBlock: number, threads: number): [number, number] | null {
  for (;;) {
    if (Atomics.load(shared, 1) !== 0) return null;
    const next = Atomics.load(shared, 0);
    if (next >= chunks) return null;
    const remaining = chunks - next;
    const size = remaining > threads * chunksPerBlock ? chunksPerBlock - (next % chunksPerBlock) : 1;
    if (Atomics.compareExchange(shared, 0, next, next + size) === next) return [next, next + size];
  }
}

/** One chunk of a run: a pure function of (model, seed, chunk). The collector reads only PATH_ITEMS (project.ts). */
export function runChunk(plan: SimulationPlan, shape: RunShape, chunk: number, scratch = blockScratch(plan), metrics = metricVector(), reuse?: Float64Array): ChunkResult {
  const collector = shape.collector(chunk, reuse);
  forEachPath(plan, shape.paths, collector.start, collector.start + collector.count, (path, proj, m) => collector.add(path, proj, m), scratch, metrics, (path, reason) => collector.addInvalid(path, reason), true);
  return shape.finish(collector);
}

/**
 * Claims and computes chunks until none is left or the run is stopped, handing each result to `done`.
 *
 * `reuseValues`: `done` is finished with a result's values when it returns (a worker that has
 * copied them out by posting; Aggregate.add, which copies what it keeps of a chunk that must
 * wait), so the next chunk collects into the same buffer — a worker that posted copies of
 * fresh buffers kept ~80 MB more of them alive at 1M paths.
 */
export async function runClaims(plan: SimulationPlan, shape: RunShape, shared: Int32Array, threads: number, done: (r: ChunkResult) => void | Promise<void>, reuseValues = false): Promise<void> {
  const chunksPerBlock = Math.max(1, Math.floor(plan.blockSize / shape.chunkSize));
  const scratch = blockScratch(plan);
  const metrics = metricVector();
  let reuse: Float64Array | undefined;
  for (;;) {
    const claim = claimChunks(shared, shape.chunks, chunksPerBlock, threads);
    if (!claim) return;
    for (let chunk = claim[0]; chunk < claim[1]; chunk++) {
      if (chunk > claim[0] && Atomics.load(shared, 1) !== 0) return;
      const result = runChunk(plan, shape, chunk, scratch, metrics, reuse);
      await done(result);
      if (reuseValues) reuse = result.values;
    }
  }
}

/**
 * What a worker posts for a chunk whose exact columns it wrote into the run's shared
 * columns: the rest of the result (small arrays, copied), without the chunk's values.
 */
export function withoutExactValues(r: ChunkResult): ChunkResult {
  return { ...r, values: NO_VALUES, exactWritten: true };
}
const NO_VALUES = new Float64Array(0);

