import { describe, it, expect } from "vitest";
import { join } from "node:path";
import "../index.js";
import { loadSystemFile } from "./node.js";
import { planFromSystemSetup, runSystemChunk, systemSetup } from "./simulate.js";
import { SystemRunShape, encodeSystemChunk } from "./aggregate.js";
import { blockScratch } from "../uncertainty/paths.js";
import { portableSystem, restoreSystem } from "./simulateSystem.js";
import type { LoadedSystem } from "./load.js";

const root = join(import.meta.dirname, "..", "..");

/**
 * A system simulation's workers plan from the system the main thread loaded, posted to them
 * (portableSystem → structured clone → restoreSystem), instead of loading the texts again:
 * every chunk must come out bit for bit as from a plan loaded from the texts.
 */
function chunksOf(plan: ReturnType<typeof planFromSystemSetup>, n: number): string[] {
  const shape = new SystemRunShape(plan.system, "year", n, 0);
  const scratch = blockScratch(plan.sampling);
  return Array.from({ length: shape.chunks }, (_, c) => JSON.stringify(encodeSystemChunk(runSystemChunk(plan, shape, c, scratch))));
}

function compare(loaded: LoadedSystem, n: number, settings: { seed: number; attribution: boolean; rateShockBp: number }) {
  const setup = systemSetup(loaded, { seed: settings.seed, lhs: false, blockSize: 1024, attribution: settings.attribution, rateShockBp: settings.rateShockBp, n, keep: 0, detail: "year" });
  const fromTexts = planFromSystemSetup(setup);
  const portable = portableSystem(loaded);
  expect(portable).not.toBeNull();
  const posted = structuredClone(portable!);
  const restored = planFromSystemSetup(setup, restoreSystem(posted, setup));
  expect(chunksOf(restored, n)).toEqual(chunksOf(fromTexts, n));
  expect(restored.warnings).toEqual(fromTexts.warnings);
}

describe("system simulation workers plan from the system the main thread checked", () => {
  it("compute the shipped system's chunks bit for bit as from its texts", () => {
    compare(loadSystemFile(join(root, "models", "system.yaml")), 1500, { seed: 3, attribution: true, rateShockBp: 0 });
  });

  it("compute every test system's chunks bit for bit as from its texts (scenarios, cut links, rate shocks)", () => {
    compare(loadSystemFile(join(root, "test", "fixtures", "system", "joint.yaml")), 3000, { seed: 7, attribution: true, rateShockBp: 0 });
    const system = join(root, "models", "system.yaml");
    compare(loadSystemFile(system, { scenario: "rates-up-200" }), 600, { seed: 2, attribution: false, rateShockBp: 100 });
    const links = loadSystemFile(system).links.map((l) => l.name);
    compare(loadSystemFile(system, { cut: links.slice(0, 1) }), 600, { seed: 5, attribution: true, rateShockBp: 50 });
  });
});
