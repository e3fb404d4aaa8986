import { parentPort } from "node:worker_threads";
// The facade registers every engine extension (GPU sites and contracts, …).
import "../index.js";
import { planFromSystemSetup } from "./simulate.js";
import { SystemRunShape } from "./aggregate.js";
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
  // Results are copied to the main thread, not transferred: the first ArrayBuffer detached
  // in an isolate invalidates V8's detaching protector, which throws away every optimized
  // function at once (after the first chunk, mid warm-up) and from then on compiles a
  // detached-buffer check into every typed-array access (measured: first chunks ~0.7 s
  // more CPU, steady paths ~15 % slower). Copying a chunk's ~1.9 MB costs a few ms.
  await claimSystemChunks(plan, shape, new Int32Array(data.shared), data.threads, (result) => parentPort!.postMessage({ result }));
}

await serveWorkerJobs(runJob);
