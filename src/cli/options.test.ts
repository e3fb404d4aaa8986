import { describe, it, expect } from "vitest";
import { parseRate, parseNonNegative, parseShare, DISCOUNT_RATE_RANGE, TAX_RATE_RANGE } from "./options.js";
import { reportError, EXIT_FAILURE } from "./errors.js";
import { FinanceError } from "../finance/errors.js";
import { UsageError } from "../model/issues.js";

const message = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  return "accepted";
};

describe("rate options: decimals or percentages, within a stated range", () => {
  it("reads 0.12, 12% and -5%", () => {
    expect(parseRate("0.12", "--r")).toBe(0.12);
    expect(parseRate("12%", "--r")).toBeCloseTo(0.12, 15);
    expect(parseRate(" -5 % ", "--r")).toBeCloseTo(-0.05, 15);
  });
  it("refuses a bare 12 with the hint that it means 1200 %", () => {
    expect(message(() => parseRate("12", "--discount-rate"))).toBe("--discount-rate 12 means 1200 %; write 0.12 or 12% (rates are decimals: 0.10 = 10 %)");
    expect(message(() => parseRate("-2", "--discount-rate"))).toMatch(/-2 means -200 %; write -0.02 or -2%/);
    expect(message(() => parseRate("1", "--tax-rate", TAX_RATE_RANGE))).toMatch(/1 means 100 %; write 0.01 or 1%/);
  });
  it("refuses what is out of range, not a number or not finite", () => {
    expect(message(() => parseRate("-100%", "--r", DISCOUNT_RATE_RANGE))).toBe("--r must be above −100 % and at most 1000 % (got -100 %)");
    expect(message(() => parseRate("1001%", "--r"))).toMatch(/at most 1000 %/);
    expect(message(() => parseRate("-1%", "--tax-rate", TAX_RATE_RANGE))).toMatch(/at least 0 %/);
    for (const bad of ["", "%", "1e400", "0x10", "ten", "1,5", "Infinity", "NaN"]) expect(message(() => parseRate(bad, "--r"))).toMatch(/takes a rate such as 0.10 or 10%/);
  });
  it("prices and shares have ranges too", () => {
    expect(parseNonNegative("2.5", "--p", 10)).toBe(2.5);
    for (const bad of ["-1", "11", "1e308", "", "x"]) expect(message(() => parseNonNegative(bad, "--p", 10))).toMatch(/takes a number from 0 to 10/);
    expect(parseShare("1%", "--s")).toBeCloseTo(0.01, 15);
    expect(message(() => parseShare("101%", "--s"))).toMatch(/share from 0 to 1/);
  });
});

describe("exit codes", () => {
  it("a finance calculation the inputs make impossible (#NUM!) is exit 1, not an internal error", () => {
    let text = "";
    const code = reportError(new FinanceError("NUM", "IRR: no solution"), { out: () => {}, err: (t) => void (text += t), errIsTTY: false, writeFile: () => {} });
    expect(code).toBe(EXIT_FAILURE);
    expect(text).toBe("burnrate: a finance calculation cannot be done with these inputs (#NUM!): IRR: no solution; check for an input far too large or a rate far out of range\n");
  });
});
