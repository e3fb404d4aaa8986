import { parentPort, workerData } from "node:worker_threads";
// The facade registers every engine extension (GPU sites and contracts, …).
import "../index.js";
import { fuzzCase, type FuzzSize, type ShippedModels } from "./generate.js";
import { executeCase } from "./execute.js";

/** A fuzz worker: builds and runs the cases it is sent, one at a time. */
const { seed, shipped, size } = workerData as { seed: number; shipped: ShippedModels; size: FuzzSize };
parentPort!.on("message", async (msg: { index: number }) => {
  try {
    const result = await executeCase(fuzzCase(seed, msg.index, shipped, size));
    parentPort!.postMessage(result);
  } catch (error) {
    // Building the case itself failed: a bug in the fuzzer, reported as a failure of the case.
    parentPort!.postMessage({ index: msg.index, outcomes: ["fuzzer:error"], failures: [`the fuzzer could not build or run the case: ${(error as Error)?.stack ?? error}`], ms: 0 });
  }
});
