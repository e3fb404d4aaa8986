import { parentPort } from "node:worker_threads";
// The facade registers every engine extension (GPU sites and contracts, …).
import "../index.js";
import { planFromSystemSetup } from "./simulate.js";
import { SystemExactWriter, SystemRunShape, systemTransferList } from "./aggregate.js";
import { claimSystemChunks, restoreSystem, type SystemWorkerData } from "./simulateSystem.js";
import { serveWorkerJobs } from "../uncertainty/chunkThreads.js";

/**
 * A system simulation worker: loads the system once from the texts, then claims chunks until
 * none is left. A pooled worker (chunkThreads.ts) serves one job message after another;
 * otherwise the job is its workerData.
 */
async function runJob(data: SystemWorkerData): Promise<void> {
  // From the system the main thread checked when it came along, else from the setup's texts.
  const plan = planFromSystemSetup(data.setup, data.portable ? restoreSystem(data.portable, data.setup) : undefined);
  const shape = new SystemRunShape(plan.system, data.setup.detail, data.setup.n, data.setup.keep);
  // With shared exact columns, the chunk's values are written in place and the rest (small
  // arrays) is copied, not transferred: this thread's allocator keeps its memory (as in
  // uncertainty/worker.ts, where transferring fresh buffers slowed a worker's paths).
  const writer = data.exact ? new SystemExactWriter(shape, data.exact) : null;
  await claimSystemChunks(plan, shape, new Int32Array(data.shared), data.threads, (result) => (writer ? parentPort!.postMessage({ result: writer.write(result) }) : parentPort!.postMessage({ result }, systemTransferList(result))));
}

await serveWorkerJobs(runJob);
