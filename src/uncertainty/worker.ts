import { parentPort, workerData } from "node:worker_threads";
import { planFromSetup, runBlock, type WorkerSetup } from "./simulate.js";
import { blockScratch } from "./paths.js";
// The facade registers every engine extension (GPU sites and contracts, …).
import "../index.js";

/** A simulation worker: compiles the model once, then folds the blocks it is sent. */
const setup = workerData as WorkerSetup;
try {
  const plan = planFromSetup(setup);
  const scratch = blockScratch(plan);
  parentPort!.on("message", (msg: { block: number }) => {
    try {
      const agg = runBlock(plan, setup.n, msg.block, setup.keep, scratch);
      parentPort!.postMessage({ block: msg.block, aggregate: agg.toJSON() });
    } catch (error) {
      parentPort!.postMessage({ error: (error as Error).message });
    }
  });
} catch (error) {
  parentPort!.postMessage({ error: (error as Error).message });
}
