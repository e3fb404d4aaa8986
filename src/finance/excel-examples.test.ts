/**
 * The worked examples from Microsoft's Excel function reference pages, checked to the
 * digits Excel displays (toBeCloseTo(x, d) allows half a unit in the d-th decimal).
 * Where Microsoft's DAX reference prints the same example at full precision, that value
 * is checked too.
 */
import { describe, expect, it } from "vitest";
import { fv, ipmt, irr, npv, pmt, ppmt, pv, rate, sln, xirr, xnpv } from "./index.js";

describe("PMT (Excel examples)", () => {
  it("monthly payment on a 10-month loan of 10,000 at 8% a year: ($1,037.03)", () => {
    expect(pmt(0.08 / 12, 10, 10000)).toBeCloseTo(-1037.03, 2);
  });

  it("monthly saving to reach 50,000 in 18 years at 6% a year: ($129.08)", () => {
    expect(pmt(0.06 / 12, 18 * 12, 0, 50000)).toBeCloseTo(-129.08, 2);
  });
});

describe("IPMT (Excel examples)", () => {
  it("interest in the first month of a 3-year loan of 8,000 at 10%: ($66.67)", () => {
    expect(ipmt(0.1 / 12, 1, 3 * 12, 8000)).toBeCloseTo(-66.67, 2);
    expect(ipmt(0.1 / 12, 1, 3 * 12, 8000)).toBeCloseTo(-66.6666666666667, 12);
  });

  it("interest in the last year of the same loan paid yearly: ($292.45)", () => {
    expect(ipmt(0.1, 3, 3, 8000)).toBeCloseTo(-292.45, 2);
    expect(ipmt(0.1, 3, 3, 8000)).toBeCloseTo(-292.447129909366, 11);
  });
});

describe("PPMT (Excel examples)", () => {
  it("principal in the first month of a 2-year loan of 2,000 at 10%: ($75.62)", () => {
    expect(ppmt(0.1 / 12, 1, 2 * 12, 2000)).toBeCloseTo(-75.62, 2);
  });

  it("principal in year 10 of a 10-year loan of 200,000 at 8%: ($27,598.05)", () => {
    expect(ppmt(0.08, 10, 10, 200000)).toBeCloseTo(-27598.05, 2);
  });
});

describe("FV (Excel examples)", () => {
  it("6% a year, 10 monthly payments of -200 in advance, pv -500: $2,581.40", () => {
    expect(fv(0.06 / 12, 10, -200, -500, 1)).toBeCloseTo(2581.4, 2);
  });

  it("12% a year, 12 monthly payments of -1000: $12,682.50", () => {
    expect(fv(0.12 / 12, 12, -1000)).toBeCloseTo(12682.5, 2);
  });

  it("11% a year, 35 monthly payments of -2000 in advance: $82,846.25", () => {
    expect(fv(0.11 / 12, 35, -2000, 0, 1)).toBeCloseTo(82846.25, 2);
  });
});

describe("PV (Excel example)", () => {
  it("annuity paying 500 a month for 20 years at 8%: ($59,777.15)", () => {
    expect(pv(0.08 / 12, 12 * 20, 500, 0, 0)).toBeCloseTo(-59777.15, 2);
  });
});

describe("NPV (Excel examples)", () => {
  it("10%, cost 10,000 a year from today then returns 3,000, 4,200, 6,800: $1,188.44", () => {
    expect(npv(0.1, [-10000, 3000, 4200, 6800])).toBeCloseTo(1188.44, 2);
  });

  it("8%, investment of 40,000 today added outside NPV: $1,922.06", () => {
    expect(npv(0.08, [8000, 9200, 10000, 12000, 14500]) + -40000).toBeCloseTo(1922.06, 2);
  });

  it("the same with a 9,000 loss in year 6: ($3,749.47)", () => {
    expect(npv(0.08, [8000, 9200, 10000, 12000, 14500, -9000]) + -40000).toBeCloseTo(-3749.47, 2);
  });
});

const xFlows = [-10000, 2750, 4250, 3250, 2750];
const xDates = ["2008-01-01", "2008-03-01", "2008-10-30", "2009-02-15", "2009-04-01"];

describe("XNPV (Excel example)", () => {
  it("9% on the dated schedule: $2,086.65 (2086.6476)", () => {
    expect(xnpv(0.09, xFlows, xDates)).toBeCloseTo(2086.65, 2);
    expect(xnpv(0.09, xFlows, xDates)).toBeCloseTo(2086.6476, 4);
  });

  it("gives the same result for Date objects and Excel serials", () => {
    const asDates = [new Date(2008, 0, 1), new Date(2008, 2, 1), new Date(2008, 9, 30), new Date(2009, 1, 15), new Date(2009, 3, 1)];
    const asSerials = [39448, 39508, 39751, 39859, 39904];
    expect(xnpv(0.09, xFlows, asDates)).toBe(xnpv(0.09, xFlows, xDates));
    expect(xnpv(0.09, xFlows, asSerials)).toBe(xnpv(0.09, xFlows, xDates));
  });
});

describe("XIRR (Excel example)", () => {
  it("the dated schedule: 0.373362535 (37.34%)", () => {
    // Excel stops iterating at 1e-6 % accuracy, so only its first 8 decimals are the root's.
    expect(xirr(xFlows, xDates, 0.1)).toBeCloseTo(0.373362535, 8);
    expect(xirr(xFlows, xDates)).toBeCloseTo(0.3734, 4);
  });
});

describe("IRR (Excel examples)", () => {
  const flows = [-70000, 12000, 15000, 18000, 21000, 26000];

  it("after four years: -2.1%", () => {
    expect(irr(flows.slice(0, 5))).toBeCloseTo(-0.021, 3);
  });

  it("after five years: 8.7%", () => {
    expect(irr(flows)).toBeCloseTo(0.087, 3);
  });

  it("after two years, with a guess of -10%: -44.4%", () => {
    expect(irr(flows.slice(0, 3), -0.1)).toBeCloseTo(-0.444, 3);
  });

  it("after two years without a guess: Newton from 10% is rescued by the fallback", () => {
    expect(irr(flows.slice(0, 3))).toBeCloseTo(-0.444, 3);
  });

  it("NPV(IRR(values), values) is 0 to within IRR's accuracy, as the page notes", () => {
    expect(Math.abs(npv(irr(flows), flows))).toBeLessThan(1e-6);
  });
});

describe("RATE (Excel example)", () => {
  it("4-year loan of 8,000 repaid at 200 a month: about 0.77% a month (Excel shows 1%)", () => {
    expect(rate(4 * 12, -200, 8000)).toBeCloseTo(0.0077, 4);
    expect(rate(4 * 12, -200, 8000)).toBeCloseTo(0.00770147248820137, 12);
  });

  it("the annual rate of the same loan: 9.24%", () => {
    expect(rate(4 * 12, -200, 8000) * 12).toBeCloseTo(0.0924, 4);
  });
});

describe("SLN (Excel example)", () => {
  it("cost 30,000, salvage 7,500, 10 years: $2,250 a year", () => {
    expect(sln(30000, 7500, 10)).toBe(2250);
  });
});
