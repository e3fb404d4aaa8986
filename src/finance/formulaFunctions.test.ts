import { describe, it, expect } from "vitest";
import { FORMULA_FINANCE_FUNCTIONS as F, npvOf } from "./formulaFunctions.js";
import { npv, pmt } from "./index.js";

describe("Excel finance functions for formulas", () => {
  it("give Excel's figures with Excel's argument order", () => {
    // Excel: PMT(1%, 12, -100) = 8.88487886783417; NPV(10%, -10000, 3000, 4200, 6800) = 1,188.44;
    // SLN(30000, 7500, 10) = 2,250.
    expect(F.PMT.fn(0.01, 12, -100)).toBeCloseTo(8.884878867834166, 12);
    expect(F.NPV.fn(0.1, -10000, 3000, 4200, 6800)).toBeCloseTo(npv(0.1, [-10000, 3000, 4200, 6800]), 9);
    expect(F.NPV.fn(0.1, -10000, 3000, 4200, 6800)).toBeCloseTo(1188.4434123352216, 9);
    expect(F.SLN.fn(30000, 7500, 10)).toBe(2250);
    expect(F.IPMT.fn(0.1 / 12, 1, 36, 8000) + F.PPMT.fn(0.1 / 12, 1, 36, 8000)).toBeCloseTo(pmt(0.1 / 12, 36, 8000), 10);
    expect(F.PV.fn(0.08 / 12, 240, 500)).toBeCloseTo(-59777.14585118777, 6);
    expect(F.RATE.fn(48, -200, 8000)).toBeCloseTo(0.007701472488199, 12);
  });

  it("treat any non-zero type as payments at the start of the period, as Excel does", () => {
    expect(F.PMT.fn(0.01, 12, -100, 0, 7)).toBe(F.PMT.fn(0.01, 12, -100, 0, 1));
  });

  it("return NaN where Excel shows an error", () => {
    expect(F.PMT.fn(0.01, 0, -100)).toBeNaN(); // #NUM!: no periods
    expect(F.IPMT.fn(0.01, 13, 12, 100)).toBeNaN(); // per outside 1..nper
    expect(npvOf(-1, 10)).toBeNaN(); // #DIV/0!
    expect(F.SLN.fn(100, 0, 0)).toBeNaN();
  });
});
