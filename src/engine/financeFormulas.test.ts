import fc from "fast-check";
import { describe, it, expect } from "vitest";
import { loadModelText } from "../model/load.js";
import { ModelError, EngineError, type ModelIssue } from "../model/issues.js";
import { compileModel } from "./compile.js";
import { evaluate } from "./project.js";
import { buildResult } from "./result.js";
import { ITEM_NAMES } from "./items.js";
import { EXCEL_FINANCE_EXAMPLES } from "../finance/excelExamples.js";
import { createTranslator } from "../i18n/index.js";
import { issueMessage } from "../i18n/issues.js";
import { pmt } from "../finance/index.js";

/** Excel's finance functions called from model formulas (item 9 of issue 14). */
function project(data: unknown) {
  const loaded = loadModelText(JSON.stringify(data), "hand.json");
  const compiled = compileModel(loaded.model, loaded.extensions);
  const proj = evaluate(compiled);
  return { loaded, compiled, proj };
}

function issuesOf(text: string): ModelIssue[] {
  try {
    loadModelText(text, "loan.yaml");
  } catch (error) {
    if (error instanceof ModelError) return error.issues;
    throw error;
  }
  return [];
}

const base = (drivers: Record<string, unknown>, lines: Record<string, unknown> = {}) => ({
  meta: { company: "Hand", start: "2025-01", months: 12 },
  openingBalance: { cash: 100, paidInCapital: 100 },
  drivers,
  lines,
});

describe("Excel finance functions in formulas", () => {
  it("give the figures of Microsoft's worked examples, as a driver's formula", () => {
    const drivers = Object.fromEntries(EXCEL_FINANCE_EXAMPLES.map((e, i) => [`x${i}`, { formula: e.call }]));
    const { compiled } = project(base(drivers));
    EXCEL_FINANCE_EXAMPLES.forEach((e, i) => {
      const series = compiled.driverSeries.get(`x${i}`)!;
      for (let t = 0; t < 12; t++) expect(series[t], `${e.call} (${e.what})`).toBeCloseTo(e.value, e.digits);
    });
  });

  it("read drivers month by month: a loan's payment, interest and principal follow a floating rate", () => {
    const { compiled } = project(base({
      rate: { monthly: [0.06, 0.06, 0.09, 0.12], after: "hold" },
      payment: "-PMT(rate / 12, 36, 1000)",
      interest: "-IPMT(rate / 12, t + 1, 36, 1000)",
      principal: "-PPMT(rate / 12, t + 1, 36, 1000)",
    }));
    const [r, payment, interest, principal] = ["rate", "payment", "interest", "principal"].map((n) => compiled.driverSeries.get(n)!);
    for (let t = 0; t < 12; t++) {
      expect(payment[t]).toBeCloseTo(-pmt(r[t] / 12, 36, 1000), 12);
      expect(interest[t] + principal[t]).toBeCloseTo(payment[t], 10);
    }
    // 6 % a year on 1,000 over 36 months: 30.42 a month; the first month's interest is 5.
    expect(payment[0]).toBeCloseTo(30.4219, 4);
    expect(interest[0]).toBeCloseTo(5, 12);
  });

  it("accept Excel's names in any case, as Excel does (npv = NPV)", () => {
    const { compiled } = project(base({ a: "npv(0.1, -10000, 3000, 4200, 6800)", b: "NPV(0.1, -10000, 3000, 4200, 6800)" }));
    expect(Array.from(compiled.driverSeries.get("a")!)).toEqual(Array.from(compiled.driverSeries.get("b")!));
  });

  it("a line using PMT projects exactly as the same line written out by hand", () => {
    const hand = "principal * (rate / 12) / (1 - (1 + rate / 12) ^ (-36))";
    const drivers = { rate: { yearly: { 2025: 0.08 } }, principal: 2400 };
    const sales = { type: "revenue", value: 150 };
    const a = project(base(drivers, { sales, lease: { type: "operatingExpense", value: "-PMT(rate / 12, 36, principal)" } }));
    const b = project(base(drivers, { sales, lease: { type: "operatingExpense", value: hand } }));
    for (const name of ITEM_NAMES) {
      const x = a.proj.items[name];
      const y = b.proj.items[name];
      for (let t = 0; t < 12; t++) expect(x[t], `${name} month ${t}`).toBeCloseTo(y[t], 9);
    }
    expect(a.proj.items.operatingExpenses[0]).toBeCloseTo(75.2073, 4);
  });

  it("match the hand-written annuity for any rate, term and principal (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: -500, max: 5000 }).map((bp) => bp / 10000), fc.integer({ min: 1, max: 360 }), fc.double({ min: 1, max: 1e4, noNaN: true }), (annual, n, principal) => {
        const { compiled } = project(base({
          rate: annual,
          principal,
          payment: `-PMT(rate / 12, ${n}, principal)`,
          interest: `-IPMT(rate / 12, 1, ${n}, principal)`,
          principalPaid: `-PPMT(rate / 12, 1, ${n}, principal)`,
          balanceAfter: `-FV(rate / 12, 1, -payment, principal)`,
          value: `PV(rate / 12, ${n}, -payment)`,
        }));
        const s = (name: string) => compiled.driverSeries.get(name)![0];
        const r = annual / 12;
        const hand = r === 0 ? principal / n : (principal * r) / (1 - Math.pow(1 + r, -n));
        const tol = 1e-9 * Math.max(1, principal);
        expect(Math.abs(s("payment") - hand)).toBeLessThan(tol);
        // The first payment splits into interest on the principal and the rest.
        expect(Math.abs(s("interest") - principal * r)).toBeLessThan(tol);
        expect(Math.abs(s("interest") + s("principalPaid") - s("payment"))).toBeLessThan(tol);
        // What is left after one payment, and the present value of the payments, is the principal.
        expect(Math.abs(s("balanceAfter") - (principal - s("principalPaid")))).toBeLessThan(tol * 10);
        expect(Math.abs(s("value") - principal)).toBeLessThan(tol * 10);
      }),
      { numRuns: 150 },
    );
  });

  it("stop with an error naming the line and month where Excel shows #NUM! (never a silent number)", () => {
    const model = base({ term: { monthly: [12, 12, 0], after: "hold" } }, { lease: { type: "operatingExpense", value: "-PMT(0.01, term, 100)" } });
    const { proj, loaded } = project(model);
    expect(proj.lineValues[0][1]).toBeCloseTo(8.88487886783417, 12);
    expect(proj.lineValues[0][2]).toBeNaN();
    let error: unknown;
    try {
      buildResult(loaded, proj);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe("not_finite");
    expect((error as EngineError).period).toBe("2025-03");
    expect((error as EngineError).message).toContain('line "lease" is NaN there');
    expect((error as EngineError).message).toContain("#NUM!");
  });
});

describe("formulas that call functions the wrong way", () => {
  const yaml = (formula: string) => `meta: { company: Hand, start: 2025-01, months: 12 }
openingBalance: { cash: 100, paidInCapital: 100 }
drivers:
  rate: 0.08
  payment: "${formula}"
`;

  it("an unknown function: where, which, and the function it is close to, in English and Arabic", () => {
    const [issue] = issuesOf(yaml("PMTT(rate / 12, 36, 1000)"));
    expect(issue.code).toBe("formula_unknown_name");
    expect(issue.position).toMatchObject({ file: "loan.yaml", line: 5 });
    expect(issue.path).toEqual(["drivers", "payment"]);
    expect(issue.message).toContain('unknown function "PMTT"');
    expect(issue.message).toContain('did you mean "PMT"?');
    expect(issue.params).toMatchObject({ name: "PMTT", suggestion: "PMT", variant: "function_suggest" });
    const ar = issueMessage(issue, createTranslator("ar"));
    expect(ar).toContain("دالة غير معروفة");
    expect(ar).toContain("PMT");
  });

  it("a function given too few or too many arguments: what it takes and what it got", () => {
    const [few] = issuesOf(yaml("PMT(rate / 12, 36)"));
    expect(few.code).toBe("formula_bad_call");
    expect(few.position).toMatchObject({ file: "loan.yaml", line: 5 });
    expect(few.message).toContain("PMT takes 3 to 5 argument(s), got 2");
    expect(few.params).toMatchObject({ name: "PMT", min: 3, max: 5, count: 2, variant: "arity_range" });
    expect(issueMessage(few, createTranslator("ar"))).toContain("من الوسائط");
    const [many] = issuesOf(yaml("SLN(1, 2, 3, 4)"));
    expect(many.params).toMatchObject({ name: "SLN", min: 3, max: 3, count: 4, variant: "arity" });
    expect(issueMessage(many, createTranslator("ar"))).not.toBe(many.message);
  });
});
