import { parentPort, workerData } from "node:worker_threads";
import { blockScratch } from "../uncertainty/paths.js";
// The facade registers every engine extension (GPU sites and contracts, …).
import "../index.js";
import { planFromSystemSetup, runSystemBlock, type SystemSetup } from "./simulate.js";

/** A system simulation worker: loads the system once from the texts, then folds the blocks it is sent. */
const setup = workerData as SystemSetup;
try {
  const plan = planFromSystemSetup(setup);
  const scratch = blockScratch(plan.sampling);
  parentPort!.on("message", (msg: { block: number }) => {
    try {
      parentPort!.postMessage({ block: msg.block, aggregate: runSystemBlock(plan, setup.n, msg.block, setup.keep, scratch).toJSON() });
    } catch (error) {
      parentPort!.postMessage({ error: (error as Error).message });
    }
  });
} catch (error) {
  parentPort!.postMessage({ error: (error as Error).message });
}
