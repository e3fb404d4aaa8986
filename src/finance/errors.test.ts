import { describe, expect, it } from "vitest";
import {
  FinanceError,
  type FinanceErrorCode,
  fv,
  ipmt,
  irr,
  npv,
  pmt,
  ppmt,
  pv,
  rate,
  sln,
  xirr,
  xnpv,
} from "./index.js";

function financeErrorOf(run: () => unknown): FinanceError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(FinanceError);
    return err as FinanceError;
  }
  throw new Error("expected a FinanceError, but nothing was thrown");
}

function expectFinanceError(run: () => unknown, code: FinanceErrorCode, message?: RegExp): void {
  const err = financeErrorOf(run);
  expect(err.code).toBe(code);
  if (message) expect(err.message).toMatch(message);
}

describe("FinanceError", () => {
  it("is an Error with a name, a code and Excel's display text", () => {
    const err = financeErrorOf(() => irr([100, 200]));
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("FinanceError");
    expect(err.code).toBe("NUM");
    expect(err.excelError).toBe("#NUM!");
    expect(new FinanceError("DIV0", "x").excelError).toBe("#DIV/0!");
    expect(new FinanceError("VALUE", "x").excelError).toBe("#VALUE!");
  });
});

describe("IRR errors", () => {
  it("NUM for all-positive flows, saying both signs are needed", () => {
    expectFinanceError(() => irr([100, 200, 300]), "NUM", /IRR needs at least one positive and one negative cash flow/);
  });

  it("NUM for all-negative flows and for all-zero flows", () => {
    expectFinanceError(() => irr([-100, -200]), "NUM");
    expectFinanceError(() => irr([0, 0, 0]), "NUM");
    expectFinanceError(() => irr([]), "NUM");
  });

  it("NUM when no rate makes the NPV 0 (1 - 3x + 3x² has no real root)", () => {
    expectFinanceError(() => irr([1, -3, 3]), "NUM", /no rate/);
  });

  it("NUM for a guess at or below -100%", () => {
    expectFinanceError(() => irr([-100, 110], -1), "NUM", /guess must be greater than -1/);
  });

  it("VALUE for a non-finite cash flow, naming it", () => {
    expectFinanceError(() => irr([-100, Number.NaN, 50]), "VALUE", /values\[1\]/);
    expectFinanceError(() => irr([-100, Infinity]), "VALUE");
  });
});

describe("XIRR / XNPV errors", () => {
  const dates = ["2020-01-01", "2020-07-01", "2021-01-01"];

  it("NUM without both signs", () => {
    expectFinanceError(() => xirr([100, 200, 300], dates), "NUM", /XIRR needs at least one positive and one negative/);
  });

  it("NUM when values and dates differ in length", () => {
    expectFinanceError(() => xirr([-100, 60], dates), "NUM", /same length/);
    expectFinanceError(() => xnpv(0.1, [-100, 60], dates), "NUM", /same length/);
  });

  it("NUM when a date precedes the first date", () => {
    expectFinanceError(() => xirr([-100, 60, 60], ["2020-01-01", "2019-12-31", "2021-01-01"]), "NUM", /before dates\[0\]/);
    expectFinanceError(() => xnpv(0.1, [-100, 60], ["2020-01-01", "2019-12-31"]), "NUM");
  });

  it("VALUE for a date that is not a date", () => {
    expectFinanceError(() => xirr([-100, 110], ["2020-01-01", "2020-02-30"]), "VALUE", /dates\[1\].*not a real calendar date/);
    expectFinanceError(() => xirr([-100, 110], ["2020-01-01", "01/02/2020"]), "VALUE", /YYYY-MM-DD/);
    expectFinanceError(() => xnpv(0.1, [-100, 110], [new Date(Number.NaN), "2020-01-01"]), "VALUE", /invalid Date/);
    expectFinanceError(() => xnpv(0.1, [-100, 110], [40000, -5]), "VALUE", /outside Excel's date range/);
  });

  it("NUM for an empty schedule and for a rate at or below -100%", () => {
    expectFinanceError(() => xnpv(0.1, [], []), "NUM");
    expectFinanceError(() => xnpv(-1, [-100, 110], dates.slice(0, 2)), "NUM", /rate must be greater than -1/);
  });
});

describe("NPV errors", () => {
  it("DIV0 at a rate of -100%", () => {
    expectFinanceError(() => npv(-1, [100, 200]), "DIV0");
  });

  it("VALUE for no values or a non-finite rate", () => {
    expectFinanceError(() => npv(0.1, []), "VALUE", /at least one cash flow/);
    expectFinanceError(() => npv(Number.NaN, [1]), "VALUE", /rate must be a finite number/);
  });
});

describe("annuity function errors", () => {
  it("PMT with nper 0: #DIV/0! on Excel's rate-0 branch, #NUM! otherwise", () => {
    expectFinanceError(() => pmt(0, 0, 1000), "DIV0", /nper must not be 0/);
    expectFinanceError(() => pmt(0.05, 0, 1000), "NUM", /nper must not be 0/);
  });

  it("PMT with rate -100% paid in advance divides by zero", () => {
    expectFinanceError(() => pmt(-1, 10, 1000, 0, 1), "DIV0");
  });

  it("PV at a rate below -100% with fractional nper has no real value: NUM", () => {
    expectFinanceError(() => pv(-1.5, 2.5, 100), "NUM", /rate must be greater than -1/);
  });

  it("IPMT / PPMT with per outside 1..nper: NUM", () => {
    expectFinanceError(() => ipmt(0.01, 0, 12, 1000), "NUM", /per must be between 1 and nper/);
    expectFinanceError(() => ipmt(0.01, 13, 12, 1000), "NUM");
    expectFinanceError(() => ppmt(0.01, 0, 12, 1000), "NUM");
    expectFinanceError(() => ppmt(0.01, 12.5, 12, 1000), "NUM");
  });

  it("type other than 0 or 1: NUM", () => {
    expectFinanceError(() => pmt(0.01, 12, 1000, 0, 2 as 0 | 1), "NUM", /type must be 0/);
    expectFinanceError(() => fv(0.01, 12, -100, 0, -1 as 0 | 1), "NUM");
  });

  it("non-finite arguments: VALUE naming the argument", () => {
    expectFinanceError(() => pmt(Number.NaN, 12, 1000), "VALUE", /PMT: rate/);
    expectFinanceError(() => fv(0.01, Infinity, -100), "VALUE", /FV: nper/);
    expectFinanceError(() => pv(0.01, 12, -100, Number.NaN), "VALUE", /PV: fv/);
    expectFinanceError(() => ipmt(0.01, 1, 12, Number.NaN), "VALUE", /IPMT: pv/);
  });

  it("RATE with no solution: NUM with a hint about signs", () => {
    // Paying in and receiving back less at every rate above -100%: pmt and pv share a sign.
    expectFinanceError(() => rate(10, 100, 1000), "NUM", /signs/);
    expectFinanceError(() => rate(10, 0, 0, 100), "NUM");
  });

  it("RATE with nper <= 0, guess <= -1 or nothing to solve: NUM", () => {
    expectFinanceError(() => rate(0, -100, 1000), "NUM", /nper must be greater than 0/);
    expectFinanceError(() => rate(12, -100, 1000, 0, 0, -1), "NUM", /guess/);
    expectFinanceError(() => rate(12, 0, 0, 0), "NUM", /all 0/);
  });
});

describe("SLN errors", () => {
  it("DIV0 for a life of 0", () => {
    expectFinanceError(() => sln(1000, 100, 0), "DIV0", /life must not be 0/);
  });

  it("VALUE for a non-finite cost", () => {
    expectFinanceError(() => sln(Number.NaN, 100, 5), "VALUE");
  });
});
