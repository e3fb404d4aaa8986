import { describe, it, expect } from "vitest";
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import "../index.js";
import { loadSystemText, textsReader, runSystem, type LoadedSystem } from "./index.js";
import { loadSystemFile } from "./node.js";
import { ModelError, formatIssue } from "../model/issues.js";
import { loadModelText } from "../model/load.js";
import { projectModel } from "../index.js";

const fixtures = join(import.meta.dirname, "..", "..", "test", "fixtures", "system");
const read = (name: string) => readFileSync(join(fixtures, name), "utf8");

/** A system from inline texts: the system file plus company models by name. */
function system(text: string, models: Record<string, string>, options: { scenario?: string; cut?: string[] } = {}): LoadedSystem {
  const texts = Object.fromEntries(Object.entries(models).map(([path, t]) => [path, { text: t, file: path }]));
  return loadSystemText(text, "system.yaml", textsReader(texts), options);
}

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ModelError) return error.issues.map(formatIssue);
    throw error;
  }
  throw new Error("expected the system to be refused");
}

const cash = (r: ReturnType<typeof runSystem>, company: string) => r.companies.find((c) => c.name === company)!.result.months.map((m) => Math.round(m.endingCash * 1e9) / 1e9);
const revenue = (r: ReturnType<typeof runSystem>, company: string) => r.companies.find((c) => c.name === company)!.result.months.map((m) => Math.round(m.revenue * 1e9) / 1e9);

describe("a customer that runs out of cash stops paying its supplier", () => {
  // Lab: 100 of cash, burns 30 a month → 70, 40, 10, −20: out of cash in April 2025 (month 4).
  // Cloud: 50 of cash, bills the lab 20 and spends 15 a month → +5 a month while the lab pays.
  it("stop: the supplier's revenue ends the month after, and its cash follows exactly", () => {
    const r = runSystem(loadSystemFile(join(fixtures, "two.yaml")));
    expect(r.companies.find((c) => c.name === "lab")!.result.metrics.cashOut).toBe("2025-04");
    // Jan–Apr: 20 of revenue; from May (the month after April) nothing.
    expect(revenue(r, "cloud")).toEqual([20, 20, 20, 20, 0, 0, 0, 0, 0, 0, 0, 0]);
    // 50 + 5 × 4 = 70 at the end of April, then −15 a month: 55, 40, 25, 10, −5 (September), …, −50.
    expect(cash(r, "cloud")).toEqual([55, 60, 65, 70, 55, 40, 25, 10, -5, -20, -35, -50]);
    expect(r.companies.find((c) => c.name === "cloud")!.result.metrics.cashOut).toBe("2025-09");
    const link = r.links[0];
    expect(link.counterpartyOut).toBe("2025-04");
    expect(link.effectiveFrom).toBe("2025-05");
    // Eight months of 20 not paid: 160 of revenue and of cash; without the link the cloud ends with 50 + 12 × 5 = 110.
    expect(link.totals.paymentsLost).toBeCloseTo(160, 9);
    expect(link.totals.revenueChange).toBeCloseTo(-160, 9);
    expect(link.totals.cashChange).toBeCloseTo(-160, 9);
    expect(link.cashOut).toEqual({ withLink: "2025-09", withoutLink: null });
    expect(link.months.map((m) => m.paymentsLost)).toEqual([0, 0, 0, 0, 20, 20, 20, 20, 20, 20, 20, 20]);
    expect(r.resolution).toMatchObject({ converged: true, iterations: 1, order: [["lab"], ["cloud"]] });
  });

  it("recovery: a share of each payment is still paid", () => {
    const r = runSystem(loadSystemFile(join(fixtures, "two.yaml"), { scenario: "recovery" }));
    // 25% of 20 = 5 from May: −10 a month after April's 70 → 60, 50, …, −10 in December.
    expect(revenue(r, "cloud")).toEqual([20, 20, 20, 20, 5, 5, 5, 5, 5, 5, 5, 5]);
    expect(cash(r, "cloud")).toEqual([55, 60, 65, 70, 60, 50, 40, 30, 20, 10, 0, -10]);
    expect(r.links[0].totals.paymentsLost).toBeCloseTo(120, 9);
  });

  it("a company scenario in a system scenario moves the counterparty's cash-out, and the link follows it", () => {
    // Burning 5 a month the lab never runs out within the year: the cloud keeps its revenue.
    const r = runSystem(loadSystemFile(join(fixtures, "two.yaml"), { scenario: "cheaper-burn" }));
    expect(r.links[0].counterpartyOut).toBeNull();
    expect(r.links[0].effectiveFrom).toBeNull();
    expect(cash(r, "cloud").at(-1)).toBe(110);
  });

  it("a cut link leaves the supplier as its own model projects it", () => {
    const r = runSystem(loadSystemFile(join(fixtures, "two.yaml"), { cut: ["lab-pays-cloud"] }));
    expect(r.links).toEqual([]);
    const alone = projectModel(loadModelText(read("cloud.yaml"), "cloud.yaml"));
    expect(r.companies.find((c) => c.name === "cloud")!.result.months).toEqual(alone.months);
  });

  it("price cut: the price falls by the share from the month after", () => {
    const text = read("two.yaml").replace("onCashOut: stop", "onCashOut: priceCut\n    share: 0.5");
    const r = runSystem(system(text, { "lab.yaml": read("lab.yaml"), "cloud.yaml": read("cloud.yaml") }));
    expect(revenue(r, "cloud")).toEqual([20, 20, 20, 20, 10, 10, 10, 10, 10, 10, 10, 10]);
    expect(cash(r, "cloud").at(-1)).toBe(70 - 8 * 5);
  });
});

describe("GPU-cloud contracts follow the customer's cash-out through the contract's exit", () => {
  const cloud = readFileSync(join(import.meta.dirname, "..", "..", "test", "fixtures", "gpu", "small-cloud.yaml"), "utf8");
  // The anchor customer burns 10 a month from 100: out of cash in November 2025.
  const anchor = read("lab.yaml").replace("company: Lab", "company: Anchor").replace("burn: 30", "burn: 10");
  const sys = (onCashOut: string) => `
system: { name: Anchor and cloud }
companies:
  anchor: { model: anchor.yaml }
  cloud: { model: cloud.yaml }
links:
  anchor-pays:
    type: counterparty
    company: cloud
    counterparty: anchor
    customer: Anchor
    ${onCashOut}
`;
  it("stop and recovery equal the contract ending in the month after, with takeOrPay = the share still paid", () => {
    for (const [text, takeOrPay] of [["onCashOut: stop", 0], ["onCashOut: recovery\n    share: 0.3", 0.3]] as const) {
      const r = runSystem(system(sys(text), { "anchor.yaml": anchor, "cloud.yaml": cloud }));
      expect(r.companies[0].result.metrics.cashOut).toBe("2025-11");
      const by = cloud.replace("    pricePerGpuHour: 2.5\n", `    pricePerGpuHour: 2.5\n    exit: 2025-12\n    takeOrPay: ${takeOrPay}\n`);
      const alone = projectModel(loadModelText(by, "cloud.yaml"));
      const linked = r.companies[1].result;
      expect(linked.months.map((m) => m.revenue)).toEqual(alone.months.map((m) => m.revenue));
      expect(linked.months.map((m) => m.endingCash)).toEqual(alone.months.map((m) => m.endingCash));
      // The anchor's GPUs go back to spot sales: revenue falls by less than the payments lost.
      const link = r.links[0];
      expect(link.totals.paymentsLost).toBeGreaterThan(-link.totals.revenueChange);
      expect(link.totals.revenueChange).toBeLessThan(0);
    }
  });
  it("a price cut scales the customer's revenue line from the month after", () => {
    const r = runSystem(system(sys("onCashOut: priceCut\n    share: 0.4"), { "anchor.yaml": anchor, "cloud.yaml": cloud }));
    const alone = projectModel(loadModelText(cloud, "cloud.yaml"));
    const line = (res: { lines: { name: string; values: number[] }[] }) => res.lines.find((l) => l.name === "revenue: Anchor")!.values;
    const expected = line(alone).map((v, t) => (t >= 11 ? v * 0.6 : v));
    line(r.companies[1].result).forEach((v, t) => expect(v).toBeCloseTo(expected[t], 9));
  });
});

describe("shared drivers", () => {
  const lab = read("lab.yaml");
  const cloud = read("cloud.yaml");
  it("replace the same-named driver in every company, and a differently named one through share:", () => {
    const text = `
system: { name: Shared }
companies:
  lab: { model: lab.yaml }
  cloud: { model: cloud.yaml }
drivers:
  price: 12
  labBurn: { monthly: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] }
share:
  labBurn: { lab: burn }
`;
    const r = runSystem(system(text, { "lab.yaml": lab, "cloud.yaml": cloud }));
    expect(revenue(r, "cloud")).toEqual(Array(12).fill(12));
    const opex = r.companies[0].result.months.map((m) => m.operatingExpenses);
    expect(opex).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(r.companies.find((c) => c.name === "lab")!.sharedDrivers).toEqual([{ driver: "labBurn", as: "burn" }]);
  });
  it("line up by calendar month across companies that start in different months", () => {
    const later = cloud.replace("start: 2025-01, months: 12", "start: 2025-04, months: 9");
    const text = `
system: { name: Shared }
companies:
  lab: { model: lab.yaml }
  cloud: { model: cloud.yaml }
drivers:
  price: { formula: "month" }
`;
    const r = runSystem(system(text, { "lab.yaml": lab, "cloud.yaml": later }));
    // The cloud starts in April: its first month's price is April's, 4.
    expect(revenue(r, "cloud")).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });
  it("a system scenario overrides a shared driver for every company at once", () => {
    const text = `
system: { name: Shared }
companies:
  cloud: { model: cloud.yaml }
  other: { model: other.yaml }
drivers:
  price: 12
scenarios:
  dearer:
    overrides:
      - { path: drivers.price, set: 30 }
`;
    const other = cloud.replace("company: Cloud", "company: Other");
    const r = runSystem(system(text, { "cloud.yaml": cloud, "other.yaml": other }, { scenario: "dearer" }));
    expect(revenue(r, "cloud")).toEqual(Array(12).fill(30));
    expect(revenue(r, "other")).toEqual(Array(12).fill(30));
  });
});

describe("cycles of links", () => {
  // The lab also pays the cloud 20 a month for compute (a cost line), which stops when the
  // cloud runs out of cash: lab ↔ cloud is a cycle. Lab: 100 − 50 a month → out in March.
  // Cloud: +5 a month to March (65), then −15 from April → out in August (65 − 75 < 0).
  const lab = read("lab.yaml").replace("drawn: { constant: 0", "drawn: { constant: 20");
  const cycle = (maxIterations: number) => `
system: { name: Cycle, maxIterations: ${maxIterations} }
companies:
  lab: { model: lab.yaml }
  cloud: { model: cloud.yaml }
links:
  lab-pays-cloud: { type: counterparty, company: cloud, counterparty: lab, lines: [fromLab], onCashOut: stop }
  cloud-serves-lab: { type: counterparty, company: lab, counterparty: cloud, lines: [compute], onCashOut: stop }
`;
  it("iterates whole projections until no cash-out month moves, and reports the passes", () => {
    const r = runSystem(system(cycle(25), { "lab.yaml": lab, "cloud.yaml": read("cloud.yaml") }));
    // Pass 1: the lab runs out in March; the cloud, losing the lab from April, in August.
    // Pass 2: the lab stops paying from September — after its own cash-out, so nothing moves.
    expect(r.resolution.order).toEqual([["lab", "cloud"]]);
    expect(r.resolution.cycles).toEqual([{ companies: ["lab", "cloud"], iterations: 2, converged: true }]);
    expect(r.resolution.converged).toBe(true);
    expect(r.companies.map((c) => c.result.metrics.cashOut)).toEqual(["2025-03", "2025-08"]);
    expect(cash(r, "cloud").slice(0, 5)).toEqual([55, 60, 65, 50, 35]);
    expect(r.companies[0].result.months.map((m) => m.operatingExpenses)).toEqual([50, 50, 50, 50, 50, 50, 50, 50, 30, 30, 30, 30]);
  });
  it("reports a cycle that has not settled within the cap as not converged", () => {
    const r = runSystem(system(cycle(1), { "lab.yaml": lab, "cloud.yaml": read("cloud.yaml") }));
    expect(r.resolution.converged).toBe(false);
    expect(r.resolution.cycles).toEqual([{ companies: ["lab", "cloud"], iterations: 1, converged: false }]);
  });
});

describe("investment links", () => {
  const lab = read("lab.yaml");
  // The cloud raises 40 in June 2025 from the lab, which runs out of cash in April.
  const cloud = read("cloud.yaml").replace("lines:", "financing:\n  equity:\n    series-a: { month: 2025-06, amount: 40 }\nlines:");
  const text = (pays: boolean) => `
system: { name: Funding }
companies:
  lab: { model: lab.yaml }
  cloud: { model: cloud.yaml }
links:
  lab-funds-cloud: { type: investment, company: cloud, investor: lab, round: series-a, investorPays: ${pays} }
`;
  it("a round due after the investor's cash-out does not come", () => {
    const r = runSystem(system(text(false), { "lab.yaml": lab, "cloud.yaml": cloud }));
    expect(r.companies[1].result.months[5].equityRaised).toBe(0);
    expect(r.links[0].totals.paymentsLost).toBe(40);
  });
  it("an investor that pays sees its cash fall by the round until it runs out", () => {
    const early = cloud.replace("month: 2025-06", "month: 2025-02");
    const r = runSystem(system(text(true), { "lab.yaml": lab, "cloud.yaml": early }));
    // The lab pays 40 in February (before its cash-out), so it runs out a month earlier: 70, 0, −30.
    expect(cash(r, "lab").slice(0, 3)).toEqual([70, 0, -30]);
    expect(r.companies[1].result.months[1].equityRaised).toBe(40);
    expect(r.resolution.cycles[0]).toMatchObject({ companies: ["lab"], converged: true });
  });
});

describe("system files are checked, with positions", () => {
  const models = { "lab.yaml": read("lab.yaml"), "cloud.yaml": read("cloud.yaml") };
  it("names the line, column and key of each problem and suggests the likely name", () => {
    const text = `system: { name: Bad }
companies:
  lab: { model: lab.yaml }
  cloud: { model: cloud.yaml }
links:
  a:
    type: counterparty
    company: cloud
    counterparty: labb
    lines: [fromLab]
    onCashOut: stop
  b:
    type: counterparty
    company: cloud
    counterparty: lab
    lines: [formLab]
    onCashOut: recovery
`;
    const issues = issuesOf(() => system(text, models));
    expect(issues).toContain('system.yaml:9:19: no company named "labb" — did you mean "lab"? (at links.a.counterparty)');
    expect(issues).toContain('system.yaml:16:13: cloud\'s model has no line "formLab" — did you mean "fromLab"? (at links.b.lines.0)');
    expect(issues).toContain("system.yaml:17:16: recovery needs `share:` (the share still paid, 0–1) (at links.b.onCashOut)");
  });
  it("refuses unknown keys, reserved names and models outside the system's folder", () => {
    expect(issuesOf(() => system("system: { name: X }\ncompanies:\n  lab: { model: lab.yaml, scenarioo: x }\n", models))).toEqual(['system.yaml:3:27: unknown key "scenarioo" — did you mean "scenario"? (at companies.lab.scenarioo)']);
    expect(issuesOf(() => system("system: { name: X }\ncompanies:\n  constructor: { model: lab.yaml }\n", models))[0]).toMatch(/^system\.yaml:3:3: "constructor" cannot be used as a key/);
    const dir = mkdtempSync(join(tmpdir(), "burnrate-system-"));
    mkdirSync(join(dir, "sys"));
    writeFileSync(join(dir, "lab.yaml"), models["lab.yaml"]);
    writeFileSync(join(dir, "sys", "s.yaml"), "system: { name: X }\ncompanies:\n  lab: { model: ../lab.yaml }\n  abs: { model: /etc/hostname }\n");
    const issues = issuesOf(() => loadSystemFile(join(dir, "sys", "s.yaml")));
    expect(issues[0]).toMatch(/s\.yaml:3:17: \.\.\/lab\.yaml lies outside the system file's folder/);
    expect(issues[1]).toMatch(/s\.yaml:4:17: \/etc\/hostname is an absolute path/);
  });
  it("reports a company model's own errors in that file", () => {
    const broken = models["cloud.yaml"].replace("value: price", "value: prise");
    const issues = issuesOf(() => system("system: { name: X }\ncompanies:\n  cloud: { model: cloud.yaml }\n", { "cloud.yaml": broken }));
    expect(issues[0]).toMatch(/^cloud\.yaml:7:36: .*prise/);
  });
});
