import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import "../index.js";
import { loadSystemText, textsReader } from "./load.js";
import { loadSystemFile } from "./node.js";
import { sectorOfSystem } from "./sectorSystem.js";
import { FLAG_CAPEX_LEVEL, FLAG_COVERAGE } from "./sector.js";

const fixtures = join(import.meta.dirname, "..", "..", "test", "fixtures", "system");
const read = (name: string) => readFileSync(join(fixtures, name), "utf8");

describe("the sector over a system", () => {
  it("sets what linked customers owe against what they pay and the cash they have", async () => {
    const r = await sectorOfSystem(loadSystemFile(join(fixtures, "two.yaml")));
    // The lab owes the cloud 20 a month (240 in 2025) and pays until April (80).
    expect(r.customers).toEqual([{ name: "lab", years: [{ year: "2025", cash: -260, freeCashFlow: -360, due: 240, paid: 80, coverage: null, pCashOutBy: null, pCashOutByAt100bp: null }] }]);
    expect(r.years[0]).toMatchObject({ year: "2025", linkedDue: 240, linkedPaid: 80, customersCash: -260, revenue: 80, capex: 0 });
    expect(r.companies.map((c) => c.role)).toEqual(["customer", "company"]);
    // No shared rate is named: +100 bp is first-order only, and says so.
    expect(r.rates.rerun).toBe(false);
    expect(r.notes[0]).toMatch(/names no shared interest rate/);
  });

  it("re-runs the system at +100 bp on the shared rates: 1% more on a floating loan, exactly", async () => {
    const cloud = read("cloud.yaml").replace("lines:", "financing:\n  debt:\n    loan: { openingBalance: 120, base: sofr, spread: 0, maturity: 2027-12 }\nlines:").replace("cash: 50, paidInCapital: 50", "cash: 170, paidInCapital: 50").replace("  price:", "  sofr: 0.01\n  price:");
    const text = `
system: { name: Rates }
companies:
  cloud: { model: cloud.yaml }
drivers:
  sofr: 0.05
sector: { rates: [sofr], shockFrom: 2025-07 }
`;
    const loaded = loadSystemText(text, "s.yaml", textsReader({ "cloud.yaml": { text: cloud, file: "cloud.yaml" } }));
    const r = await sectorOfSystem(loaded);
    expect(r.rates.rerun).toBe(true);
    expect(r.rates.from).toBe("2025-07");
    // 120 × 1% / 12 = 0.1 a month, July–December: 0.6; the first-order figure moves every month of the year: 1.2.
    expect(r.rates.companies[0].years[0].extraInterest).toBeCloseTo(0.6, 12);
    expect(r.rates.companies[0].years[0].firstOrder).toBeCloseTo(1.2, 12);
    // Interest at 5% (the shared rate replaced the model's 1%): 120 × 5% = 6 a year.
    expect(r.companies[0].years[0].interest).toBeCloseTo(6, 12);
  });

  it("flags capex above revenue in levels and customers whose cash covers less than what they owe", async () => {
    const lab = read("lab.yaml").replace("months: 12", "months: 24");
    const cloud = read("cloud.yaml").replace("months: 12", "months: 24").replace("lines:", "lines:\n  servers: { type: capex, value: 30, lifeMonths: 60 }");
    const text = read("two.yaml");
    const r = await sectorOfSystem(loadSystemText(text, "two.yaml", textsReader({ "lab.yaml": { text: lab, file: "lab.yaml" }, "cloud.yaml": { text: cloud, file: "cloud.yaml" } })));
    expect(r.flags).toContainEqual({ company: "cloud", year: "2025", flag: FLAG_CAPEX_LEVEL, detail: "capex 360 vs revenue 80" });
    // 2026: the lab owes 240 with no cash left (−260 at the end of 2025 counts as none).
    expect(r.years[1].coverage).toBe(0);
    expect(r.flags).toContainEqual({ company: "sector", year: "2026", flag: FLAG_COVERAGE, detail: "cash 0.0% of what is owed" });
  });

  it("gives each company's odds by year end, as a system simulation with the same seed", async () => {
    const r = await sectorOfSystem(loadSystemFile(join(fixtures, "joint.yaml")), { paths: 1000, seed: 4 });
    expect(r.odds).toEqual({ paths: 1000, seed: 4 });
    const lab = r.customers[0].years[0].pCashOutBy!;
    expect(lab).toBeGreaterThan(0.2);
    expect(lab).toBeLessThan(0.4);
    expect(r.companies[0].years[0].pCashOutBy).toBe(lab);
  });
});
