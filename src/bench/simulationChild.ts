// Runs a 1M-path simulation alone in this process and prints its time and peak memory.
import { performance } from "node:perf_hooks";
import { loadModelText } from "../model/load.js";
import { simulate } from "../uncertainty/simulate.js";
import { simulationBenchText } from "./simulation.js";

const text = simulationBenchText();
const t0 = performance.now();
const result = await simulate(loadModelText(text, "bench.yaml"), { paths: 1_000_000, seed: 1, threads: 2, detail: "year" });
// maxRSS counts the whole process, worker threads included.
console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024, method: result.quantiles.method, rankErrorBound: result.quantiles.rankErrorBound }));
