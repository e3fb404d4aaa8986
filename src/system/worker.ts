import { parentPort, workerData } from "node:worker_threads";
// The facade registers every engine extension (GPU sites and contracts, …).
import "../index.js";
import { planFromSystemSetup } from "./simulate.js";
import { SystemRunShape, systemTransferList } from "./aggregate.js";
import { claimSystemChunks, type SystemWorkerData } from "./simulateSystem.js";

/**
 * A system simulation worker: loads the system once from the texts, then claims chunks until
 * none is left. A pooled worker (chunkThreads.ts) serves one job message after another;
 * otherwise the job is its workerData.
 */
async function runJob(data: SystemWorkerData): Promise<void> {
  try {
    const plan = planFromSystemSetup(data.setup);
    const shape = new SystemRunShape(plan.system, data.setup.detail, data.setup.n, data.setup.keep);
    await claimSystemChunks(plan, shape, new Int32Array(data.shared), data.threads, (result) => parentPort!.postMessage({ result }, systemTransferList(result)));
    parentPort!.postMessage({ done: true });
  } catch (error) {
    parentPort!.postMessage({ error: (error as Error).message });
  }
}

if ((workerData as { pooled?: boolean } | null)?.pooled) {
  // Jobs come one at a time: the pool sends the next only after this one's `done`.
  parentPort!.on("message", (msg: { job?: SystemWorkerData }) => {
    if (msg.job) void runJob(msg.job);
  });
} else await runJob(workerData as SystemWorkerData);
