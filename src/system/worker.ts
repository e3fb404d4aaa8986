import { parentPort } from "node:worker_threads";
// The facade registers every engine extension (GPU sites and contracts, …).
import "../index.js";
import { planFromSystemSetup } from "./simulate.js";
import { SystemRunShape, systemTransferList } from "./aggregate.js";
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
  await claimSystemChunks(plan, shape, new Int32Array(data.shared), data.threads, (result) => parentPort!.postMessage({ result }, systemTransferList(result)));
}

await serveWorkerJobs(runJob);
