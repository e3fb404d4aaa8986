import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadModelText } from "../model/load.js";
import { ModelError, formatIssue } from "../model/issues.js";
import { compileModel, type CompiledModel } from "../engine/compile.js";
import { evaluate } from "../engine/project.js";
import { ITEM_NAMES } from "../engine/items.js";
import { checkProjection } from "../engine/checks.js";
import { npv, irr } from "../finance/index.js";
import "./extension.js";
import { gpuData } from "./compile.js";
import { gpuReport } from "./report.js";
import { siteDelayImpact } from "./delay.js";
import { cohortEconomics, presentValue, monthlyRate } from "./cohorts.js";
import { buildVsRent } from "./buildVsRent.js";
import { sectorModel, rateShockByMonth, FLAG_CAPACITY, FLAG_INVESTMENT } from "./sector.js";

const root = join(import.meta.dirname, "..", "..");
const read = (path: string) => readFileSync(join(root, path), "utf8");
const SMALL = read("test/fixtures/gpu/small-cloud.yaml");
const EXAMPLE = read("models/gpu-cloud-example.yaml");

function build(text: string, scenario?: string, file = "m.yaml") {
  const loaded = loadModelText(text, file, { scenario });
  const compiled = compileModel(loaded.model, loaded.extensions);
  const proj = evaluate(compiled);
  return { loaded, compiled, proj, g: gpuData(compiled)! };
}

function problems(text: string, file = "bad.yaml"): string[] {
  try {
    loadModelText(text, file);
  } catch (error) {
    if (error instanceof ModelError) return error.issues.filter((i) => i.severity === "error").map(formatIssue);
    throw error;
  }
  throw new Error("expected the model to be rejected");
}

/** 1-based line of the first line containing `needle` (after line `after`). */
function lineOf(text: string, needle: string, after = 0): number {
  const lines = text.split("\n");
  for (let i = after; i < lines.length; i++) if (lines[i].includes(needle)) return i + 1;
  throw new Error(`${needle} not in text`);
}

const index = (c: CompiledModel, label: string) => c.calendar.labels.indexOf(label);
const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);

describe("GPU sections in the engine", () => {
  it("prices power by hand: GPUs × kW × the site's PUE × hours × the site's power price, counted once", () => {
    // The cohort's own pue / powerPrice must be ignored in favour of the site's.
    const text = SMALL.replace("    site: alpha\n", "    site: alpha\n    pue: 1.5\n    powerPrice: 0.2\n");
    const { loaded, compiled, proj, g } = build(text);
    expect(loaded.warnings.map((w) => w.code)).toContain("cohort_power_ignored");
    const may = index(compiled, "2025-05");
    const june = may + 1;
    expect(proj.items.powerCost[may]).toBeCloseTo((4000 * 1.0 * 1.25 * 744 * 0.1) / 1e6, 12); // 0.372
    expect(proj.items.powerCost[june]).toBeCloseTo((4000 * 1.0 * 1.25 * 720 * 0.1) / 1e6, 12); // 0.360
    expect(proj.items.powerCost[may - 1]).toBe(0);
    // Power in cost of revenue equals the site's power: not charged twice.
    expect(sum(proj.items.powerCost)).toBeCloseTo(sum(g.series.sitePowerCost[0]), 9);
  });

  it("has no capacity or revenue from a site before it is live, with or without a delay", () => {
    for (const scenario of [undefined, "late"]) {
      const { compiled, proj, g } = build(SMALL, scenario);
      const live = g.state.siteLive[0];
      expect(live).toBe(index(compiled, scenario ? "2025-08" : "2025-05"));
      const anchor = compiled.lines.findIndex((l) => l.name === "revenue: Anchor");
      const spot = compiled.lines.findIndex((l) => l.name === "revenue: spot");
      for (let t = 0; t < live; t++) {
        expect(g.series.siteAvailable[0][t]).toBe(0);
        expect(proj.lineValues[anchor][t]).toBe(0);
        expect(proj.lineValues[spot][t]).toBe(0);
        expect(proj.items.revenue[t]).toBe(0);
        expect(proj.items.powerCost[t]).toBe(0);
      }
      expect(proj.lineValues[anchor][live]).toBeGreaterThan(0);
      expect(g.series.siteAvailable[0][live]).toBe(4000 * compiled.calendar.hours[live]);
    }
  });

  it("shifts capacity and contract revenue by exactly the delay (per hour of each month), and the contract keeps its term", () => {
    const base = build(SMALL);
    const baseContract = Float64Array.from(base.g.series.contractRevenue);
    const baseHours = Float64Array.from(base.g.series.available);
    const hours = base.compiled.calendar.hours;
    for (const delay of [1, 3, 7]) {
      const params = new Float64Array(base.compiled.baseParams);
      params[base.compiled.table.slot("sites.alpha.delayMonths")!] = delay;
      evaluate(base.compiled, params);
      const s = base.g.series;
      for (let t = 0; t < base.compiled.months; t++) {
        const before = t - delay >= 0 ? baseContract[t - delay] / hours[t - delay] : 0;
        expect(s.contractRevenue[t] / hours[t]).toBeCloseTo(before, 12);
        const hoursBefore = t - delay >= 0 ? baseHours[t - delay] / hours[t - delay] : 0;
        expect(s.available[t] / hours[t]).toBeCloseTo(hoursBefore, 9);
      }
      const report = gpuReport(evaluate(base.compiled, params))!;
      expect(report.contracts[0].start).toBe(base.compiled.calendar.labels[4 + delay]);
      expect(report.contracts[0].end).toBe(base.compiled.calendar.labels[4 + delay + 23]);
    }
  });

  it("spreads construction evenly from build start to go-live as a capex line, funded by the linked tranche", () => {
    const { compiled, proj } = build(SMALL);
    const line = compiled.lines.findIndex((l) => l.name === "capex: site alpha");
    expect(Array.from(proj.lineValues[line].slice(0, 6))).toEqual([25, 25, 25, 25, 0, 0]);
    // Capex = site construction + the GPU cohort (4000 × $50k = 200) in its purchase month.
    expect(proj.items.capex[index(compiled, "2025-03")]).toBeCloseTo(225, 9);
  });

  it("computes backlog, revenue by customer and concentration by hand", () => {
    const { compiled, g, proj } = build(SMALL);
    const dec = index(compiled, "2025-12");
    // Remaining 16 months (2026-01 … 2027-04) × 2000 GPUs × hours × $2.5.
    expect(g.series.backlog[dec]).toBeCloseTo((2000 * 2.5 * (8760 + 2880)) / 1e6, 9);
    const may = index(compiled, "2025-05");
    const contract = (2000 * 744 * 2.5) / 1e6;
    const spot = (0.5 * 2000 * 744 * 2.0) / 1e6; // half of the 2000 uncontracted GPUs at $2.00 (age 0)
    expect(proj.items.revenue[may]).toBeCloseTo(contract + spot, 12);
    expect(g.series.largestCustomerShare[may]).toBeCloseTo(contract / (contract + spot), 12);
    expect(g.series.hhi[may]).toBeCloseTo((contract / (contract + spot)) ** 2, 12);
    expect(g.series.utilization[may]).toBeCloseTo((2000 + 1000) / 4000, 12);
  });

  it("derives the price from a contract's value, renews at the price factor, and after an exit bills take-or-pay and frees the GPUs", () => {
    const text = SMALL.replace("    gpus: 2000\n    pricePerGpuHour: 2.5\n", "    gpus: 2000\n    value: 87.6\n    takeOrPay: 0.4\n    renewal: { priceFactor: 0.8, termMonths: 6 }\n");
    const { compiled, g } = build(text);
    expect(g.state.contractPrice[0]).toBeCloseTo((87.6e6 / (2000 * 730 * 24)), 12); // = 2.5
    const hours = compiled.calendar.hours;
    const renewal = index(compiled, "2027-05");
    expect(g.series.contractRevenue[renewal]).toBeCloseTo((2000 * hours[renewal] * 2.5 * 0.8) / 1e6, 12);
    expect(g.series.contractRevenue[renewal + 6]).toBe(0);
    const exit = index(compiled, "2026-01");
    const exited = build(text.replace("    takeOrPay: 0.4\n", "    takeOrPay: 0.4\n    exit: 2026-01\n"));
    const t = exit;
    expect(exited.g.series.contractRevenue[t]).toBeCloseTo((0.4 * 2000 * hours[t] * 2.5) / 1e6, 12);
    expect(exited.g.series.contractRevenue[renewal]).toBe(0); // no renewal after an exit
    expect(exited.g.series.contractedHours[t]).toBe(0);
    expect(exited.g.series.spotHours[t]).toBeCloseTo(0.5 * 4000 * hours[t], 6);
    // Backlog does not foresee the exit; from the exit it holds the take-or-pay share.
    expect(exited.g.series.backlog[t - 1]).toBeCloseTo(g.series.backlog[t - 1], 9);
    let rest = 0;
    for (let m = t + 1; m < renewal; m++) rest += (2000 * hours[m] * 2.5) / 1e6;
    expect(exited.g.series.backlog[t]).toBeCloseTo(0.4 * rest, 9);
    expect(g.series.backlog[t]).toBeCloseTo(rest, 9);
  });

  it("keeps the balance sheet balanced with every GPU section, under every scenario of the example", () => {
    expect(checkProjection(build(SMALL).proj).balanced).toBe(true);
    for (const scenario of [undefined, "site-delay", "utilization-down", "price-down", "largest-customer-leaves"]) {
      const { proj } = build(EXAMPLE, scenario, "models/gpu-cloud-example.yaml");
      const checks = checkProjection(proj);
      expect(checks.balanced).toBe(true);
      expect(checks.cashTies).toBe(true);
    }
  });

  it("the example's scenarios move what they say", () => {
    const base = gpuReport(build(EXAMPLE).proj)!;
    const late = gpuReport(build(EXAMPLE, "site-delay").proj)!;
    expect(late.sites.find((s) => s.name === "south")!.live).toBe("2026-09");
    expect(late.contracts.find((c) => c.name === "lab")!.end).toBe("2031-08");
    const leaves = gpuReport(build(EXAMPLE, "largest-customer-leaves").proj)!;
    const y2028 = (r: typeof base) => r.years.find((y) => y.period === "2028")!;
    expect(y2028(leaves).revenueByCustomer["AI Lab B"]).toBeCloseTo(0.5 * y2028(base).revenueByCustomer["AI Lab B"], 6);
    expect(y2028(leaves).spotHours).toBeGreaterThan(y2028(base).spotHours);
    const down = gpuReport(build(EXAMPLE, "utilization-down").proj)!;
    expect(y2028(down).spotRevenue).toBeLessThan(y2028(base).spotRevenue);
  });
});

describe("capacity never exceeds power", () => {
  it("every site carries at most its MW in every month, and a fleet that does not fit is rejected naming cohort and site", () => {
    const cohort = fc.record({ count: fc.integer({ min: 1, max: 20000 }), kw: fc.double({ min: 0.3, max: 2, noNaN: true }), site: fc.integer({ min: 0, max: 1 }), inService: fc.integer({ min: 0, max: 10 }) });
    fc.assert(
      fc.property(
        fc.array(fc.record({ mw: fc.double({ min: 1, max: 60, noNaN: true }), pue: fc.double({ min: 1, max: 1.8, noNaN: true }), goLive: fc.integer({ min: 0, max: 8 }), delay: fc.integer({ min: 0, max: 4 }) }), { minLength: 2, maxLength: 2 }),
        fc.array(cohort, { minLength: 1, maxLength: 4 }),
        (sites, cohorts) => {
          const m = (i: number) => `2025-${String(i + 1).padStart(2, "0")}`;
          const data = {
            meta: { company: "P", start: "2025-01", months: 24 },
            openingBalance: { cash: 1e6, paidInCapital: 1e6 },
            sites: Object.fromEntries(sites.map((s, i) => [`s${i}`, { powerMw: s.mw, costPerMw: 1e7, buildStart: "2025-01", goLive: m(s.goLive), delayMonths: s.delay, lifeMonths: 120, pue: s.pue, powerPrice: 0.08 }])),
            fleet: Object.fromEntries(cohorts.map((c, i) => [`c${i}`, { count: c.count, unitCost: 30000, purchase: "2025-01", inService: m(c.inService), lifeMonths: 48, powerKw: c.kw, site: `s${c.site}` }])),
            contracts: { k: { customer: "K", site: "s0", start: m(sites[0].goLive), termMonths: 12, gpus: 100, pricePerGpuHour: 2 } },
          };
          const need = sites.map((s, i) => cohorts.filter((c) => c.site === i).reduce((a, c) => a + (c.count * c.kw * s.pue) / 1000, 0));
          const fits = need.every((n, i) => n <= sites[i].mw + 1e-9);
          let loaded;
          try {
            loaded = loadModelText(JSON.stringify(data), "gen.json");
          } catch (error) {
            expect(error).toBeInstanceOf(ModelError);
            const issues = (error as ModelError).issues.filter((i) => i.code === "site_over_power");
            expect(fits).toBe(false);
            expect(issues.length).toBeGreaterThan(0);
            for (const issue of issues) {
              const site = issue.path[1] as string;
              expect(issue.message).toContain(`site "${site}"`);
              for (const [i, c] of cohorts.entries()) if (`s${c.site}` === site) expect(issue.message).toContain(`c${i}`);
            }
            return;
          }
          expect(fits).toBe(true);
          const compiled = compileModel(loaded.model, loaded.extensions);
          const proj = evaluate(compiled);
          const hours = compiled.calendar.hours;
          for (let s = 0; s < sites.length; s++) {
            for (let t = 0; t < compiled.months; t++) {
              let mw = 0;
              cohorts.forEach((c, k) => {
                if (c.site !== s) return;
                const gpus = proj.cohorts[k].capacity[t] / hours[t];
                mw += (gpus * c.kw * sites[s].pue) / 1000;
              });
              expect(mw).toBeLessThanOrEqual(sites[s].mw + 1e-9);
              if (t < sites[s].goLive + sites[s].delay) expect(mw).toBe(0);
            }
          }
        },
      ),
      { numRuns: 120 },
    );
  });
});

describe("bad GPU input gets positioned errors", () => {
  it("a cohort larger than its site: error at the site's powerMw naming cohort and site", () => {
    const text = SMALL.replace("    count: 4000\n", "    count: 9000\n");
    const errors = problems(text);
    const line = lineOf(text, "powerMw: 10");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^bad\\.yaml:${line}:\\d+: site "alpha" has 10\\.0 MW but its cohorts need 11\\.3 MW .*h100 11\\.3 MW`));
  });

  it("a contract on an unknown site: did you mean, at the contract's site key", () => {
    const text = SMALL.replace("    customer: Anchor\n    site: alpha\n", "    customer: Anchor\n    site: alph\n");
    const errors = problems(text);
    const line = lineOf(text, "site: alph", lineOf(text, "contracts:"));
    expect(errors).toEqual([`bad.yaml:${line}:11: unknown site "alph" — did you mean "alpha"? (at contracts.anchor.site)`]);
  });

  it("a cohort on an unknown site and an unknown generation", () => {
    const text = SMALL.replace("    site: alpha\n    generation: H100\n", "    site: beta\n    generation: H10\n");
    const errors = problems(text);
    expect(errors).toContain(`bad.yaml:${lineOf(text, "site: beta")}:11: unknown site "beta"; the model has: alpha (at fleet.h100.site)`);
    expect(errors).toContain(`bad.yaml:${lineOf(text, "generation: H10")}:17: unknown generation "H10" — did you mean "H100"? (at fleet.h100.generation)`);
  });

  it("a negative PUE: schema error at the value", () => {
    const text = SMALL.replace("    pue: 1.25\n", "    pue: -1.2\n");
    const errors = problems(text);
    const line = lineOf(text, "pue: -1.2");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^bad\\.yaml:${line}:10: PUE is total facility power ÷ IT power, so at least 1`));
  });

  it("an unknown tranche, go-live before build start, a misspelt key and contract terms that over-determine the price", () => {
    const text = SMALL.replace("    debt: siteLoan\n", "    debt: siteLaon\n")
      .replace("    goLive: 2025-05\n", "    goLive: 2024-12\n")
      .replace("    delayMonths: 0\n", "    delayMonth: 0\n")
      .replace("    pricePerGpuHour: 2.5\n", "    pricePerGpuHour: 2.5\n    value: 80\n");
    const errors = problems(text);
    // Schema problems come first (a misspelt key stops the cross checks).
    expect(errors).toEqual([`bad.yaml:${lineOf(text, "delayMonth: 0")}:5: unknown key "delayMonth" — did you mean "delayMonths"? (at sites.alpha.delayMonth)`]);
    const fixed = text.replace("delayMonth: 0", "delayMonths: 0");
    const more = problems(fixed);
    expect(more).toContain(`bad.yaml:${lineOf(fixed, "debt: siteLaon")}:11: unknown debt tranche "siteLaon" — did you mean "siteLoan"? (at sites.alpha.debt)`);
    expect(more).toContain(`bad.yaml:${lineOf(fixed, "goLive: 2024-12")}:13: goLive 2024-12 is before buildStart 2025-01 (at sites.alpha.goLive)`);
    expect(more.some((e) => e.includes("give two of gpus, value and pricePerGpuHour, not all three") && e.includes("(at contracts.anchor)"))).toBe(true);
  });

  it("a formula naming an unknown driver", () => {
    const text = SMALL.replace("utilization: 0.5\n", "utilization: \"0.5 * sofrr\"\n");
    expect(problems(text)).toEqual([`bad.yaml:${lineOf(text, "utilization:")}:14: unknown name "sofrr" in formula "0.5 * sofrr" — did you mean "sofr"? (at utilization)`]);
  });
});

describe("site delay analysis", () => {
  it("compares with the same compiled model at delay 0 through params, without touching the base params", () => {
    const { compiled } = build(SMALL, "late");
    const before = Float64Array.from(compiled.baseParams);
    const [impact] = siteDelayImpact(compiled);
    expect(Array.from(compiled.baseParams)).toEqual(Array.from(before));
    expect(impact.site).toBe("alpha");
    expect(impact.delayMonths).toBe(3);
    expect(impact.live).toBe("2025-08");
    const hours = compiled.calendar.hours;
    const range = (from: string, n: number) => Array.from({ length: n }, (_, i) => hours[index(compiled, from) + i]).reduce((a, b) => a + b, 0);
    // The contract keeps its 24 months, which all fall inside the horizon either way:
    // only the hours in the months differ.
    expect(impact.contractRevenueLost).toBeCloseTo((2000 * 2.5 * (range("2025-05", 24) - range("2025-08", 24))) / 1e6, 9);
    // The site's 4,000 GPUs deliver nothing for three months.
    expect(impact.gpuHoursLost).toBeCloseTo(4000 * range("2025-05", 3), 6);
    const noDelay = build(SMALL);
    const late = build(SMALL, "late");
    expect(impact.revenueLost).toBeCloseTo(sum(noDelay.proj.items.revenue) - sum(late.proj.items.revenue), 9);
    // Interest on the construction loan while late: 80 × (4% + 4%) / 12 for three months.
    expect(impact.interestWhileLate).toBeCloseTo((3 * 80 * 0.08) / 12, 9);
  });
});

describe("cohort economics", () => {
  const { proj, compiled } = build(SMALL);
  const [cohort] = cohortEconomics(proj, { discountRate: 0.1 });

  it("NPV at the break-even price is zero, and IRR agrees with the finance library", () => {
    expect(cohort.breakEvenPrice).not.toBeNull();
    const atBreakEven = cohort.flows.map((f) => -f.capex + (cohort.breakEvenPrice! * f.soldHours) / 1e6 - f.power + f.salvage + f.site);
    expect(Math.abs(presentValue(0.1, atBreakEven))).toBeLessThan(1e-9 * cohort.capex);
    const rm = monthlyRate(0.1);
    const net = cohort.flows.map((f) => f.net);
    expect(cohort.npv).toBeCloseTo(net[0] + npv(rm, net.slice(1)), 9);
    const monthly = irr(net);
    expect(cohort.irr).toBeCloseTo((1 + monthly) ** 12 - 1, 12);
    expect(Math.abs(net[0] + npv(monthly, net.slice(1)))).toBeLessThan(1e-6);
    // NPV is zero at the IRR, so it is positive below it and negative above.
    expect(Math.sign(cohort.npv)).toBe(Math.sign(cohort.irr! - 0.1));
  });

  it("builds the flows as documented: capex at purchase, site share as built, salvage and the site's book value at end of life", () => {
    expect(cohort.flows[0].period).toBe("2025-01"); // site spend starts before the GPU purchase
    expect(cohort.flows.find((f) => f.period === "2025-03")!.capex).toBeCloseTo(200, 12);
    expect(cohort.siteShare).toBeCloseTo(0.5, 12); // 4000 × 1 kW × 1.25 = 5 MW of 10
    expect(cohort.siteCost).toBeCloseTo(50, 9);
    const end = cohort.flows[cohort.flows.length - 1];
    expect(end.period).toBe("2030-04"); // in service 2025-05 for 60 months
    expect(end.salvage).toBeCloseTo((4000 * 5000) / 1e6, 12);
    // 12.5 a month spent 2025-01 … 04 waits as construction in progress until the site is
    // live in 2025-05, then depreciates over 120 months: after 2030-04 (60 months) half is left.
    const bookValue = 50 * (1 - 60 / 120);
    expect(end.site).toBeCloseTo(bookValue, 9);
    expect(cohort.monthsBeyondHorizon).toBe(28); // 2028-01 … 2030-04
    const within = cohort.flows.filter((f) => !f.extrapolated);
    const revenue = within.reduce((s, f) => s + f.revenue, 0);
    expect(revenue).toBeCloseTo(sum(proj.items.revenue), 9); // the only cohort earns all revenue
  });

  it("an unsited cohort fully contracted over a horizon covering its life matches a hand-built cash flow", () => {
    const text = `meta: { company: H, start: 2025-01, months: 24 }
openingBalance: { cash: 100, paidInCapital: 100 }
fleet:
  g: { count: 1000, unitCost: 30000, purchase: 2025-01, lifeMonths: 12, salvagePerUnit: 3000, powerKw: 1, pue: 1.2, powerPrice: 0.1 }
contracts:
  all: { customer: C, start: 2025-01, termMonths: 12, gpus: 1000, pricePerGpuHour: 4 }
`;
    const { proj: p2, compiled: c2 } = build(text);
    const [g] = cohortEconomics(p2, { discountRate: 0.08 });
    const hours = c2.calendar.hours;
    const hand = Array.from({ length: 12 }, (_, t) => (1000 * hours[t] * (4 - 1 * 1.2 * 0.1)) / 1e6);
    hand[0] -= 30;
    hand[11] += 3;
    expect(g.flows.map((f) => f.net)).toEqual(hand.map((v) => expect.closeTo(v, 10)));
    expect(g.npv).toBeCloseTo(hand[0] + npv(monthlyRate(0.08), hand.slice(1)), 10);
    // Break-even by hand: PV(costs) + P × PV(hours) = 0.
    const costs = hand.map((_, t) => (t === 0 ? -30 : 0) + (t === 11 ? 3 : 0) - (1000 * hours[t] * 0.12) / 1e6);
    const sold = Array.from({ length: 12 }, (_, t) => 1000 * hours[t]);
    expect(g.breakEvenPrice).toBeCloseTo((-presentValue(0.08, costs) * 1e6) / presentValue(0.08, sold), 10);
    expect(g.payback).not.toBeNull();
  });
});

describe("build vs rent", () => {
  it("renting at the break-even price has the same NPV as owning", () => {
    for (const text of [SMALL, EXAMPLE]) {
      const { proj } = build(text);
      for (const financing of [true, false]) {
        const first = buildVsRent(proj, { discountRate: 0.09, financing });
        const again = buildVsRent(proj, { discountRate: 0.09, financing, rentPrice: first.breakEvenRentPrice! });
        expect(again.own.npv).toBeCloseTo(first.own.npv, 9);
        expect(Math.abs(again.rent.npv - again.own.npv)).toBeLessThan(1e-9 * Math.abs(again.own.npv));
        expect(again.npvAdvantageOfOwning).toBeCloseTo(0, 6);
      }
    }
  });

  it("owning without financing, tax or terminal value is the present value of capex and power", () => {
    const { proj, compiled } = build(SMALL);
    const r = buildVsRent(proj, { discountRate: 0.1, financing: false, taxRate: 0, terminal: "none", rentPrice: 2 });
    const flows = Array.from({ length: compiled.months }, (_, t) => -proj.items.capex[t] - proj.items.powerCost[t]);
    expect(r.own.npv).toBeCloseTo(npv(monthlyRate(0.1), flows), 9);
    const hours = Array.from(gpuData(compiled)!.series.available);
    expect(r.rent.npv).toBeCloseTo(npv(monthlyRate(0.1), hours.map((h) => (-2 * h) / 1e6)), 9);
    expect(r.rentPriceSource).toBe("option");
  });

  it("uses the model's rental price, else the pricing curve", () => {
    expect(buildVsRent(build(EXAMPLE).proj, { discountRate: 0.1 }).rentPriceSource).toBe("rental");
    const { proj, compiled } = build(SMALL);
    const small = buildVsRent(proj, { discountRate: 0.1 });
    expect(small.rentPriceSource).toBe("pricing");
    // 2025: the H100 curve, $2.00 × 0.8^(age in years) from in-service in May, weighted by hours.
    const hours = compiled.calendar.hours;
    let weighted = 0;
    let total = 0;
    for (let t = 4; t < 12; t++) {
      weighted += hours[t] * 2 * Math.pow(0.8, (t - 4) / 12);
      total += hours[t];
    }
    expect(small.years[0].rentPrice).toBeCloseTo(weighted / total, 12);
  });
});

describe("sector view", () => {
  const overbuild = read("test/fixtures/gpu/sector-overbuild.yaml");
  const steady = read("test/fixtures/gpu/sector-steady.yaml");

  it("flags investment outgrowing revenue and capacity outgrowing contracted demand", () => {
    const m = sectorModel(build(overbuild).proj);
    const y2026 = m.years.find((y) => y.year === "2026")!;
    expect(y2026.capacityGrowth!).toBeGreaterThan(0);
    expect(y2026.flags).toContain(FLAG_CAPACITY);
    expect(y2026.flags).toContain(FLAG_INVESTMENT);
    const s = sectorModel(build(steady).proj);
    expect(s.years.flatMap((y) => y.flags)).toEqual([]);
  });

  it("works without GPU sections: capacity and backlog blank", () => {
    const text = `meta: { company: Lab, start: 2025-01, months: 36 }
openingBalance: { cash: 100, paidInCapital: 100 }
lines:
  sales: { type: revenue, value: "10 + t" }
  build: { type: capex, value: "2 + t / 2" }
`;
    const m = sectorModel(build(text).proj);
    expect(m.hasGpu).toBe(false);
    for (const y of m.years) {
      expect(y.capacity).toBeNull();
      expect(y.backlog).toBeNull();
      expect(y.flags).not.toContain(FLAG_CAPACITY);
    }
    // Capex 2 + t/2 grows faster than revenue 10 + t in relative terms.
    expect(m.years[1].flags).toContain(FLAG_INVESTMENT);
    expect(m.years[1].capexToRevenue).toBeCloseTo(m.years[1].capex / m.years[1].revenue, 12);
  });

  it("+100 bp costs 1% of a floating balance and of new fixed debt, nothing on fixed debt held at the start", () => {
    const text = `meta: { company: R, start: 2025-01, months: 12 }
openingBalance: { cash: 300, paidInCapital: 100, debt: 200 }
drivers: { sofr: 0.04 }
financing:
  debt:
    floating: { openingBalance: 100, base: sofr, spread: 0.05, maturity: 2030-01 }
    oldFixed: { openingBalance: 100, rate: 0.08, maturity: 2030-01 }
    newFixed: { draws: [{ month: 2025-07, amount: 60 }], rate: 0.08, maturity: 2030-01 }
`;
    const { proj } = build(text);
    const shock = rateShockByMonth(proj);
    // Floating: 100 × 1% a year; new fixed: 60 × 1% for the five months after the draw month.
    expect(sum(shock)).toBeCloseTo(100 * 0.01 + (60 * 0.01 * 5) / 12, 12);
    expect(sectorModel(proj).years[0].rateShock).toBeCloseTo(sum(shock), 12);
  });
});

describe("evaluating again after a contract moves (a system's link acting)", () => {
  const COREWEAVE = read("models/coreweave.yaml");
  // The scenario gives OpenAI's four contracts an exit month (2027-10) for the moves to set.
  const loaded = loadModelText(COREWEAVE, "coreweave.yaml", { scenario: "openai-stops-paying" });
  const compiled = compileModel(loaded.model, loaded.extensions);
  const g = gpuData(compiled)!;
  const H = compiled.months;
  const base = Float64Array.from(compiled.baseParams);
  const movable = g.contracts.filter((c) => c.slots.exit >= 0);
  const copy = (proj: ReturnType<typeof evaluate>) => {
    const s = g.series;
    return {
      items: Object.fromEntries(ITEM_NAMES.map((n) => [n, Array.from(proj.items[n])])),
      lines: proj.lineValues.map((v) => Array.from(v)),
      dscr: Array.from(proj.ratios.dscr),
      gpu: [s.backlog, s.utilization, s.hhi, s.contractRevenue, s.spotRevenue, s.gpuNetBookValue, s.backlogCoverage, ...s.cohortRevenue, ...s.cohortSoldHours].map((v) => Array.from(v)),
    };
  };
  // Exits (a month index, or none) and take-or-pay shares for some of the contracts.
  const moves = fc.array(fc.record({ contract: fc.nat({ max: movable.length - 1 }), exit: fc.option(fc.integer({ min: -2, max: H + 2 }), { freq: 4 }), takeOrPay: fc.double({ min: 0, max: 1, noNaN: true }) }), { minLength: 1, maxLength: 4 });
  const apply = (list: { contract: number; exit: number | null; takeOrPay: number }[]) => {
    compiled.params.set(base);
    for (const m of list) {
      const sl = movable[m.contract].slots;
      compiled.params[sl.exit] = m.exit ?? Infinity;
      compiled.params[sl.takeOrPay] = m.takeOrPay;
    }
  };
  /** The path without the moves, evaluated whole: what a later evaluation starts from. */
  const before = () => {
    compiled.params.set(base);
    evaluate(compiled, null);
  };

  it("gives, keeping the fleet and the drivers (sameFleet), what a whole evaluation gives: statements, lines, ratios and GPU series", () => {
    expect(movable).toHaveLength(4);
    fc.assert(
      fc.property(moves, (list) => {
        apply(list);
        const whole = copy(evaluate(compiled, null));
        before();
        apply(list);
        expect(copy(evaluate(compiled, null, undefined, [], { sameFleet: true }))).toEqual(whole);
      }),
      { numRuns: 15, seed: 20261202 },
    );
  });

  it("stops early with the same statements (stopAfter: statements) or the same revenue and lines (stopAfter: lines); skipReportSeries changes no statement", () => {
    fc.assert(
      fc.property(moves, (list) => {
        apply(list);
        const whole = copy(evaluate(compiled, null));
        before();
        apply(list);
        expect(copy(evaluate(compiled, null, undefined, [], { sameFleet: true, stopAfter: "statements" })).items).toEqual(whole.items);
        before();
        apply(list);
        const lines = copy(evaluate(compiled, null, undefined, [], { sameFleet: true, stopAfter: "lines" }));
        expect(lines.items.revenue).toEqual(whole.items.revenue);
        expect(lines.lines).toEqual(whole.lines);
        before();
        apply(list);
        const skipped = copy(evaluate(compiled, null, undefined, null, { skipReportSeries: true }));
        expect(skipped.items).toEqual(whole.items);
        expect(skipped.dscr).toEqual(whole.dscr);
      }),
      { numRuns: 15, seed: 20261203 },
    );
  });
});
