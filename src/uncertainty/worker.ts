import { parentPort } from "node:worker_threads";
import { serialize } from "node:v8";
import { compileModel, type CompiledModel } from "../engine/compile.js";
import { planSimulation, type SimulationPlan } from "./paths.js";
import { RunShape, exactColumns, writeExactColumns, packForPosting } from "./aggregate.js";
import { runClaims, withoutExactValues, type WorkerSetup } from "./chunks.js";
import { uncertaintyFromDescription } from "./sample.js";
import { serveWorkerJobs } from "./chunkThreads.js";

/**
 * A simulation worker: compiles the model it is given (already validated by the main
 * thread, so neither YAML nor the schemas load here), then claims chunks from the shared
 * counter and posts each result, its buffers transferred. A pooled worker (chunkThreads.ts)
 * serves one job message after another; otherwise the job is its workerData.
 */
const EXTENSIONS: Record<string, () => Promise<unknown>> = {
  gpu: () => import("../gpu/index.js"),
};

/**
 * The last job's compiled model, with the bytes of the model it came from. A compiled
 * model is made to be evaluated many times (every path rewrites the params and the series
 * it varies, and planSimulation evaluates it afresh), so a pooled worker reuses it while
 * jobs bring the same model. Compiling anew for each job was measured to cost more than
 * the compile: from a pooled worker's third job on, V8's code for the month loop boxed
 * numbers (~26 kB allocated per path, 100–230 scavenges per 100k-path run instead of ~7).
 * A stochastic process moves a series in place, so jobs with processes compile anew.
 */
let last: { bytes: Buffer; compiled: CompiledModel; plan: { bytes: Buffer; plan: SimulationPlan } | null } | null = null;

function compiledFor(setup: WorkerSetup): CompiledModel {
  if (setup.description.processes.length > 0) {
    last = null;
    return compileModel(setup.model, setup.extensions);
  }
  const bytes = serialize([setup.model, setup.extensions]);
  if (!last || !last.bytes.equals(bytes)) last = { bytes, compiled: compileModel(setup.model, setup.extensions), plan: null };
  return last.compiled;
}

/**
 * The plan for the job: the last job's while the job brings the same model (compiledFor),
 * uncertain inputs, seed and sampling. A plan's state after any paths is a valid start
 * for any other path (what varies is rewritten by each path, the rest was computed once),
 * which is what lets threads share a run's paths in any order; a job that follows is
 * more paths for the same plan. Planning anew cost a worker ~10–20 ms before its first chunk.
 */
function planFor(setup: WorkerSetup, compiled: CompiledModel): SimulationPlan {
  const make = () => planSimulation(compiled, uncertaintyFromDescription(setup.description, compiled), { seed: setup.seed, lhs: setup.lhs, blockSize: setup.blockSize });
  if (!last || last.compiled !== compiled) return make();
  const bytes = serialize([setup.description, setup.seed, setup.lhs, setup.blockSize]);
  if (!last.plan || !last.plan.bytes.equals(bytes)) last.plan = { bytes, plan: make() };
  return last.plan.plan;
}

async function runJob(setup: WorkerSetup): Promise<void> {
  for (const name of setup.extensionsUsed) {
    const load = EXTENSIONS[name];
    if (!load) throw new Error(`internal: the simulation worker does not know the engine extension "${name}"`);
    await load();
  }
  const compiled = compiledFor(setup);
  const plan = planFor(setup, compiled);
  const shape = new RunShape(compiled, setup.detail, setup.paths, setup.keep, setup.chunkSize);
  const port = parentPort!;
  const exact = setup.exactValues ? exactColumns(shape, setup.exactValues) : null;
  // Exact columns are written in place, and every result is copied to the main thread (only
  // the values the aggregate reads: packForPosting), never transferred: the first ArrayBuffer
  // detached in an isolate invalidates V8's detaching protector, which throws away this
  // thread's optimized code at once and from then on compiles a detached-buffer check into
  // every typed-array access (a system worker was measured ~15 % slower per path). A typed
  // array is posted with the whole buffer under it, so the packed values are an array of
  // their own, not a view of the chunk's buffer. The values are written before the message is posted,
  // and the port's queue is locked on both sides, so the main thread reads them complete
  // once it has the message.
  let packed: Float64Array | undefined;
  await runClaims(plan, shape, new Int32Array(setup.shared), setup.threads, (r) => {
    if (exact) {
      writeExactColumns(r, exact);
      port.postMessage({ result: withoutExactValues(r) });
      return;
    }
    const posted = packForPosting(r, shape, packed);
    port.postMessage({ result: posted });
    packed = posted.values;
  }, true);
}

await serveWorkerJobs(runJob);
