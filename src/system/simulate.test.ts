import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import "../index.js";
import { loadSystemText, textsReader } from "./load.js";
import { loadSystemFile } from "./node.js";
import { simulateSystem } from "./simulateSystem.js";
import { planSystemSimulation, simulateSystemRange, systemSetup, planFromSystemSetup, runSystemChunk, runSystemPaths } from "./simulate.js";
import { SystemAggregate, SystemRunShape, decodeSystemChunk, encodeSystemChunk } from "./aggregate.js";
import { summarizeSystem } from "./summary.js";
import { sampleBlock, blockScratch, drawProcessShocks } from "../uncertainty/paths.js";
import { createHash } from "node:crypto";
import { compileSystem } from "./compile.js";

const fixtures = join(import.meta.dirname, "..", "..", "test", "fixtures", "system");
const joint = join(fixtures, "joint.yaml");
const read = (name: string) => readFileSync(join(fixtures, name), "utf8");

/** The bernoulli draws of every path, as the simulation samples them: [lab shock, cloud hit] per path. */
function draws(file: string, n: number, seed: number, blockSize: number, text?: string): [number, number][] {
  const loaded = text ? loadSystemText(text, "joint.yaml", textsReader({ "lab-shock.yaml": { text: read("lab-shock.yaml"), file: "lab-shock.yaml" }, "cloud-shock.yaml": { text: read("cloud-shock.yaml"), file: "cloud-shock.yaml" } })) : loadSystemFile(file);
  const plan = planSystemSimulation(loaded, { seed, blockSize });
  const out: [number, number][] = [];
  const scratch = blockScratch(plan.sampling);
  for (let b = 0; b * blockSize < n; b++) {
    const size = Math.min(blockSize, n - b * blockSize);
    const v = sampleBlock(plan.sampling, b, size, scratch);
    for (let i = 0; i < size; i++) out.push([v[i], v[size + i]]);
  }
  return out;
}

describe("system simulation: joint odds", () => {
  // Lab out (April) iff its shock is 1 (p = 0.3). Cloud out iff its own hit is 1 (p = 0.5, June)
  // or the lab is out (its payments stop from May: out in September). So, exactly per path:
  // cloud out = hit or shock; both out = shock; through the link = shock and not hit.
  it("counts each path's joint outcome exactly as the sampled draws decide it", async () => {
    const n = 6000;
    const r = await simulateSystem(loadSystemFile(joint), { paths: n, seed: 7, threads: 1, blockSize: 2048 });
    const d = draws(joint, n, 7, 2048);
    const count = (f: (x: [number, number]) => boolean) => d.filter(f).length / n;
    const lab = count(([s]) => s === 1);
    const cloud = count(([s, h]) => s === 1 || h === 1);
    expect(r.joint.cashOut.map((c) => c.total)).toEqual([lab, cloud]);
    expect(r.joint.pairs[0].total).toBe(lab);
    expect(r.joint.any.at(-1)).toBe(cloud);
    const link = r.links[0];
    expect(link.acted).toBe(lab);
    const through = count(([s, h]) => s === 1 && h === 0);
    expect(link.attribution).toEqual([{ company: "cloud", withLink: cloud, withoutLink: count(([, h]) => h === 1), throughLink: through, shareOfOdds: expect.closeTo(through / cloud, 12), onlyWithout: 0, withLinkByYear: [cloud], withoutLinkByYear: [count(([, h]) => h === 1)] }]);
    // On every path where the lab is out, it stops paying 20 a month from May: 8 × 20 = 160.
    expect(link.paymentsLost!.mean).toBeCloseTo(160 * lab, 9);
    expect(link.revenueChange!.mean).toBeCloseTo(-160 * lab, 9);
    // Loss to the cloud's lenders: its 40 of debt × (1 − 0.25) on every path it runs out.
    expect(r.lenders.companies[1].probability).toBe(cloud);
    expect(r.lenders.companies[1].loss.mean).toBeCloseTo(30 * cloud, 9);
    expect(r.lenders.companies[0].probability).toBe(0);
    // The lab's figures match its own distribution: 100 − 12 × 30 = −260 at year end when out.
    expect(r.companies[0].result.probabilities.cashOut).toBe(lab);
  });

  it("matches the odds computed by hand: 0.3, 1 − 0.7 × 0.5 = 0.65, both 0.3, through the link 0.15", async () => {
    const r = await simulateSystem(loadSystemFile(joint), { paths: 20000, seed: 1, threads: 1 });
    const [lab, cloud] = r.joint.cashOut.map((c) => c.total);
    // Binomial standard errors at 20,000 paths are ≤ 0.0036: four of them.
    expect(lab).toBeCloseTo(0.3, 1);
    expect(Math.abs(lab - 0.3)).toBeLessThan(0.015);
    expect(Math.abs(cloud - 0.65)).toBeLessThan(0.015);
    expect(Math.abs(r.links[0].attribution![0].throughLink - 0.15)).toBeLessThan(0.015);
    expect(Math.abs(r.links[0].attribution![0].withoutLink - 0.5)).toBeLessThan(0.015);
    const cut = await simulateSystem(loadSystemFile(joint, { cut: ["lab-pays-cloud"] }), { paths: 20000, seed: 1, threads: 1 });
    // Without the link the two are independent: both out 0.3 × 0.5 = 0.15.
    expect(Math.abs(cut.joint.pairs[0].total - 0.15)).toBeLessThan(0.015);
    // Same seed, same draws: the cloud's odds without the link equal the attribution's "without".
    expect(cut.joint.cashOut[1].total).toBe(r.links[0].attribution![0].withoutLink);
  });

  it("imposes a rank correlation declared across companies", async () => {
    const text = `${read("joint.yaml")}
correlation:
  inputs: [lab.shock, cloud.hit]
  matrix: [[1, 0.8], [0.8, 1]]
  assumption: test
`;
    const models = { "lab-shock.yaml": { text: read("lab-shock.yaml"), file: "lab-shock.yaml" }, "cloud-shock.yaml": { text: read("cloud-shock.yaml"), file: "cloud-shock.yaml" } };
    const loaded = loadSystemText(text, "joint.yaml", textsReader(models), { cut: ["lab-pays-cloud"] });
    const r = await simulateSystem(loaded, { paths: 8192, seed: 3, threads: 1 });
    const d = draws(joint, 8192, 3, 8192, text);
    const both = d.filter(([s, h]) => s === 1 && h === 1).length / 8192;
    expect(r.joint.pairs[0].total).toBe(both);
    // Independent draws would give 0.15; correlated ones put the shocks together.
    expect(both).toBeGreaterThan(0.22);
  });
});

describe("system simulation: invalid paths", () => {
  it("leaves a path that is not an outcome for one company out of every company's figures and every joint one, and counts it", async () => {
    // The joint system plus a company whose revenue is 10·ln(x), x uniform on [−1, 1]: on the
    // paths where x ≤ 0 it has no numbers, so no joint outcome exists there either.
    const text = read("joint.yaml").replace("links:", "  log: { model: nan-paths.yaml }\nlinks:");
    const texts = { "lab-shock.yaml": read("lab-shock.yaml"), "cloud-shock.yaml": read("cloud-shock.yaml"), "nan-paths.yaml": readFileSync(join(fixtures, "..", "hardening", "nan-paths.yaml"), "utf8") };
    const loaded = loadSystemText(text, "joint.yaml", textsReader(Object.fromEntries(Object.entries(texts).map(([f, t]) => [f, { text: t, file: f }]))));
    const n = 3000;
    const r = await simulateSystem(loaded, { paths: n, seed: 3, threads: 1, blockSize: 1024 });
    const plan = planSystemSimulation(loaded, { seed: 3, blockSize: 1024 });
    const scratch = blockScratch(plan.sampling);
    const rows: [number, number, number][] = [];
    for (let b = 0; b * 1024 < n; b++) {
      const size = Math.min(1024, n - b * 1024);
      const v = sampleBlock(plan.sampling, b, size, scratch);
      for (let i = 0; i < size; i++) rows.push([v[i], v[size + i], v[2 * size + i]]);
    }
    const valid = rows.filter(([, , x]) => x > 0);
    const invalid = n - valid.length;
    expect(invalid).toBeGreaterThan(1200);
    expect(r.paths).toBe(n);
    expect(r.invalidPaths.count).toBe(invalid);
    expect(r.invalidPaths.share).toBe(invalid / n);
    expect(r.invalidPaths.byReason.nonFinite).toBe(invalid);
    // Every odds is over the valid paths only, each company's and the joint ones.
    const share = (f: (row: [number, number, number]) => boolean) => valid.filter(f).length / valid.length;
    const lab = share(([s]) => s === 1);
    const cloud = share(([s, h]) => s === 1 || h === 1);
    expect(r.joint.cashOut[0].total).toBe(lab);
    expect(r.joint.cashOut[1].total).toBe(cloud);
    expect(r.joint.pairs[0].total).toBe(lab);
    expect(r.links[0].acted).toBe(lab);
    expect(r.lenders.companies[1].loss.mean).toBeCloseTo(30 * cloud, 9);
    for (const c of r.companies) expect(c.result.invalidPaths.count).toBe(invalid);
    expect(r.companies[0].result.probabilities.cashOut).toBe(lab);
  });
});

describe("system simulation: reproducible and shardable", () => {
  it("gives the same result on one thread and on two", async () => {
    const options = { paths: 3000, seed: 11, blockSize: 1000 };
    const one = await simulateSystem(loadSystemFile(joint), { ...options, threads: 1 });
    const two = await simulateSystem(loadSystemFile(joint), { ...options, threads: 2 });
    expect(two.threads).toBe(2);
    const threadless = (r: typeof one) => JSON.parse(JSON.stringify(r, (key, value) => (key === "threads" ? undefined : value)));
    expect(threadless(two)).toEqual(threadless(one));
  });

  it("gives the shipped system (links, losses to lenders, attribution) the same result on one thread and on two", async () => {
    // A worker writes its chunks' exact columns (each company's and the system's) in place.
    const file = join(import.meta.dirname, "..", "..", "models", "system.yaml");
    const options = { paths: 1200, seed: 4 };
    const one = await simulateSystem(loadSystemFile(file), { ...options, threads: 1 });
    const two = await simulateSystem(loadSystemFile(file), { ...options, threads: 2 });
    expect(two.threads).toBe(2);
    expect(one.links.some((l) => (l.revenueChange?.mean ?? 0) !== 0) && one.lenders.total.probability > 0).toBe(true);
    const threadless = (r: typeof one) => JSON.parse(JSON.stringify(r, (key, value) => (key === "threads" ? undefined : value)));
    expect(threadless(two)).toEqual(threadless(one));
  });

  it("merges chunks computed apart, in any order, into exactly the whole run", async () => {
    const loaded = loadSystemFile(joint);
    const whole = await simulateSystem(loaded, { paths: 2000, seed: 5, threads: 1 });
    const setup = systemSetup(loaded, { seed: 5, lhs: false, blockSize: 8192, attribution: true, rateShockBp: 0, n: 2000, keep: 0, detail: "year" });
    const plan = planFromSystemSetup(setup);
    const shape = new SystemRunShape(plan.system, "year", 2000, 0);
    expect(shape.chunks).toBeGreaterThan(2);
    // Two "machines", each building its own plan from the setup's texts; results as JSON, merged last first.
    const parts = [...simulateSystemRange(setup, 0, 3), ...simulateSystemRange(setup, 3, shape.chunks)].reverse();
    const aggregate = new SystemAggregate(shape);
    for (const part of parts) aggregate.add(decodeSystemChunk(JSON.parse(JSON.stringify(part))));
    expect(aggregate.complete).toBe(true);
    const merged = summarizeSystem(aggregate, plan, { threads: 1, requested: 2000, partial: false, warnings: whole.warnings });
    expect(JSON.parse(JSON.stringify(merged))).toEqual(JSON.parse(JSON.stringify(whole)));
  });

  it("gives the same statistics however the paths are split into chunks, when every column is exact", () => {
    const plan = planSystemSimulation(loadSystemFile(joint), { seed: 3, blockSize: 1000 });
    const summary = (chunkSize: number) => {
      const shape = new SystemRunShape(plan.system, "year", 2500, 0, chunkSize);
      expect(shape.allExact).toBe(true);
      const aggregate = new SystemAggregate(shape);
      const scratch = blockScratch(plan.sampling);
      for (let c = 0; c < shape.chunks; c++) aggregate.add(runSystemChunk(plan, shape, c, scratch));
      return JSON.parse(JSON.stringify(summarizeSystem(aggregate, plan, { threads: 1, requested: 2500, partial: false, warnings: [] })));
    };
    const natural = new SystemRunShape(plan.system, "year", 2500, 0).chunkSize;
    const whole = summary(natural);
    for (const size of [256, 700, 2048]) if (size !== natural) expect(summary(size)).toEqual(whole);
  });

  it("gives every company the same path of a shared process", async () => {
    const cloud = read("cloud-shock.yaml").replace("fromLab: { type: revenue, value: 20", "fromLab: { type: revenue, value: price").replace("  hit: { constant: 0", "  price: 20\n  hit: { constant: 0");
    const text = `
system: { name: Shared path }
companies:
  a: { model: a.yaml }
  b: { model: b.yaml }
drivers:
  price: 20
uncertain:
  price-walk: { driver: price, process: randomWalk, sigma: 1, assumption: test }
`;
    const models = { "a.yaml": { text: cloud, file: "a.yaml" }, "b.yaml": { text: cloud.replace("company: Cloud", "company: Other"), file: "b.yaml" } };
    const r = await simulateSystem(loadSystemText(text, "s.yaml", textsReader(models)), { paths: 200, seed: 2, threads: 1, keepPaths: 3 });
    const a = r.companies[0].result.keptPaths;
    const b = r.companies[1].result.keptPaths;
    expect(a).toHaveLength(3);
    for (let i = 0; i < 3; i++) expect(b[i].series.revenue).toEqual(a[i].series.revenue);
    // The walk moves the price: months differ from 20 and paths differ from each other.
    expect(a[0].series.revenue.some((v) => Math.abs(v - 20) > 1e-9)).toBe(true);
    expect(a[0].series.revenue).not.toEqual(a[1].series.revenue);
  });
});

describe("system simulation: sampled inputs", () => {
  // Digests of what main sampled before the sampling was made faster (Iman–Conover's bucket
  // sorts, batched quantiles, process noise from a process's first month): every sampled
  // value of every input, and every shock a process uses, to the last bit. A change to
  // models/system.yaml's uncertain inputs or processes changes them too: record them anew then.
  const systemFile = join(import.meta.dirname, "..", "..", "models", "system.yaml");

  it("samples every input of models/system.yaml as recorded (seeds, Latin hypercube, block sizes, partial blocks)", () => {
    const loaded = loadSystemFile(systemFile);
    const compiled = compileSystem(loaded);
    const digest = createHash("sha256");
    for (const [seed, lhs, B] of [[1, false, 8192], [7, true, 8192], [3, false, 1000], [5, true, 37], [9, false, 3]] as const) {
      const plan = planSystemSimulation(loaded, { seed, lhs, blockSize: B }, compiled);
      const scratch = blockScratch(plan.sampling);
      for (const [block, size] of [[0, B], [1, B], [2, Math.max(1, Math.floor(B / 3))], [5, B]]) {
        const values = sampleBlock(plan.sampling, block, size, scratch);
        digest.update(new Uint8Array(values.buffer, 0, size * plan.inputs.length * 8));
      }
    }
    expect(digest.digest("hex")).toBe("1441c0b9abd0e4050411760931a87f9582ffe963a30b3d29054ddf43eb9c4f9f");
  });

  it("draws every month's shock of the shared processes as recorded", () => {
    const loaded = loadSystemFile(systemFile);
    const plan = planSystemSimulation(loaded, { seed: 3 }, compileSystem(loaded));
    const shared = plan.units[0];
    const digest = createHash("sha256");
    for (let path = 0; path < 300; path += 7) {
      drawProcessShocks(shared.plan, path, shared.firstStream);
      shared.plan.processes.forEach((p, j) => digest.update(new Uint8Array(p.shocks.buffer, shared.spec.processes[j].fromIndex * 8)));
    }
    expect(digest.digest("hex")).toBe("e8aa7aef09bff47e889b4e3eabf0fb0c9de4861be7fbe348ffc0a88ab2fffd64");
  });
});

describe("system simulation: attribution reruns", () => {
  const models = join(import.meta.dirname, "..", "..", "models");
  /** Every chunk of an n-path run, as JSON (every number kept bit for bit). */
  const chunks = (file: string, scenario: string | undefined, n: number, shortcuts: boolean) => {
    const plan = planSystemSimulation(loadSystemFile(file, { scenario }), { seed: 7, blockSize: 256, shortcuts });
    const shape = new SystemRunShape(plan.system, "year", n, 0);
    const scratch = blockScratch(plan.sampling);
    return Array.from({ length: shape.chunks }, (_, c) => JSON.stringify(encodeSystemChunk(runSystemChunk(plan, shape, c, scratch))));
  };

  // The shortcuts (the fleet kept, the company's lines only when its cash ran out before the
  // cut link acts) must give what whole reruns give, to the last bit.
  it.each([
    ["system.yaml", undefined],
    ["system.yaml", "openai-pays-a-third"],
  ])("%s (scenario %s): counts, revenue lost and attribution as whole reruns give them", (name, scenario) => {
    const file = join(models, name);
    // Paths where the shortcut applies: CoreWeave out of cash before OpenAI stops paying.
    const plan = planSystemSimulation(loadSystemFile(file, { scenario }), { seed: 7, blockSize: 256 });
    const sys = plan.system;
    const info = sys.links[0];
    let early = 0;
    let late = 0;
    runSystemPaths(plan, 300, 0, 300, null, undefined, (_, rt) => {
      const trigger = rt.state.cashOut[info.source] + 1 + info.lag;
      if (trigger > sys.companies[info.company].startSerial + sys.companies[info.company].months - 1) return;
      if (rt.state.cashOut[info.company] < trigger) early++;
      else late++;
    });
    expect(early).toBeGreaterThan(20);
    expect(late).toBeGreaterThan(20);
    expect(chunks(file, scenario, 300, true)).toEqual(chunks(file, scenario, 300, false));
  });

  it("joint.yaml: the same with the lab's cash-out on a lag and a recovery share, for any lag and share", () => {
    const text = read("joint.yaml");
    const lab = read("lab-shock.yaml");
    const cloud = read("cloud-shock.yaml");
    for (const [lag, share] of [[0, 0], [2, 0.25], [7, 0.5]] as const) {
      const system = text.replace("onCashOut: stop }", `onCashOut: recovery, share: ${share}, lagMonths: ${lag} }`);
      expect(system).not.toBe(text);
      const run = (shortcuts: boolean) => {
        const loaded = loadSystemText(system, "joint.yaml", textsReader({ "lab-shock.yaml": { text: lab, file: "lab-shock.yaml" }, "cloud-shock.yaml": { text: cloud, file: "cloud-shock.yaml" } }));
        const plan = planSystemSimulation(loaded, { seed: 3, blockSize: 128, shortcuts });
        const shape = new SystemRunShape(plan.system, "year", 400, 0);
        const scratch = blockScratch(plan.sampling);
        return Array.from({ length: shape.chunks }, (_, c) => JSON.stringify(encodeSystemChunk(runSystemChunk(plan, shape, c, scratch))));
      };
      expect(run(true)).toEqual(run(false));
    }
  });

  // Company paths write only the statement items their statistics read (pathItemsOnly), but
  // an investment link reads the equity a company raised: with one, paths write every item.
  it("joint.yaml with an investment link: a round the lab may not live to pay, as whole evaluations give it", () => {
    const system = read("joint.yaml") + "  lab-funds-cloud: { type: investment, company: cloud, investor: lab, round: series-a, investorPays: true }\n";
    const cloud = read("cloud-shock.yaml").replace("financing:\n", "financing:\n  equity:\n    series-a: { month: 2025-08, amount: 30, assumption: test fixture }\n");
    expect(cloud).not.toBe(read("cloud-shock.yaml"));
    const run = (shortcuts: boolean) => {
      const loaded = loadSystemText(system, "joint.yaml", textsReader({ "lab-shock.yaml": { text: read("lab-shock.yaml"), file: "lab-shock.yaml" }, "cloud-shock.yaml": { text: cloud, file: "cloud-shock.yaml" } }));
      const plan = planSystemSimulation(loaded, { seed: 5, blockSize: 128, shortcuts });
      const shape = new SystemRunShape(plan.system, "year", 400, 0);
      const scratch = blockScratch(plan.sampling);
      return Array.from({ length: shape.chunks }, (_, c) => JSON.stringify(encodeSystemChunk(runSystemChunk(plan, shape, c, scratch))));
    };
    // The round comes on some paths and not on others, so a stale figure would show.
    const whole = planSystemSimulation(loadSystemText(system, "joint.yaml", textsReader({ "lab-shock.yaml": { text: read("lab-shock.yaml"), file: "lab-shock.yaml" }, "cloud-shock.yaml": { text: cloud, file: "cloud-shock.yaml" } })), { seed: 5, blockSize: 128, shortcuts: false });
    const raised = new Set<number>();
    runSystemPaths(whole, 400, 0, 400, null, undefined, (_, rt) => {
      raised.add(rt.projections[1]!.items.equityRaised.reduce((a, b) => a + b, 0));
    });
    expect([...raised].sort()).toEqual([0, 30]);
    expect(run(true)).toEqual(run(false));
  });
});
