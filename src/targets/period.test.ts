import { describe, it, expect } from "vitest";
import { parsePeriod, spanLabel, type PeriodSpan } from "./period.js";

function span(raw: string | number, fiscalYearStart = 1): string {
  const p = parsePeriod(raw, fiscalYearStart);
  if (typeof p === "string") throw new Error(p);
  return `${p.kind} ${spanLabel(p)}`;
}

describe("parsePeriod", () => {
  it("reads calendar years, quarters, months and ranges", () => {
    expect(span("2025")).toBe("year 2025-01 … 2025-12");
    expect(span(2025)).toBe("year 2025-01 … 2025-12");
    expect(span("2025-Q3")).toBe("quarter 2025-07 … 2025-09");
    expect(span("2025-q1")).toBe("quarter 2025-01 … 2025-03");
    expect(span("2025-06")).toBe("month 2025-06");
    expect(span("2025-07..2025-09")).toBe("range 2025-07 … 2025-09");
    expect(span("2025..2026-Q1")).toBe("range 2025-01 … 2026-03");
  });

  it("names fiscal years by the calendar year in which they end", () => {
    // fiscalYearStart 7: FY2026 runs July 2025 – June 2026, its Q1 is Jul–Sep 2025.
    expect(span("2026", 7)).toBe("year 2025-07 … 2026-06");
    expect(span("2026-Q1", 7)).toBe("quarter 2025-07 … 2025-09");
    expect(span("2026-Q4", 7)).toBe("quarter 2026-04 … 2026-06");
    // A month is a calendar month whatever the fiscal year.
    expect(span("2026-01", 7)).toBe("month 2026-01");
  });

  it("normalises the text of the period", () => {
    expect((parsePeriod("2025-q2", 1) as PeriodSpan).text).toBe("2025-Q2");
    expect((parsePeriod(" 2025-07 .. 2025-09 ", 1) as PeriodSpan).text).toBe("2025-07..2025-09");
  });

  it("explains what is wrong with a period it cannot read", () => {
    expect(parsePeriod("2025-13", 1)).toMatch(/not a month/);
    expect(parsePeriod("2025-Q5", 1)).toMatch(/not a period; expected a fiscal year/);
    expect(parsePeriod("FY25", 1)).toMatch(/not a period/);
    expect(parsePeriod("2025-09..2025-07", 1)).toMatch(/ends before it starts/);
    expect(parsePeriod("2025..2026..2027", 1)).toMatch(/one "\.\."/);
    expect(parsePeriod("2025-01..2025-14", 1)).toMatch(/in the range .*not a month/);
    expect(parsePeriod(20251, 1)).toMatch(/not a period/);
    expect(parsePeriod(2025.5, 1)).toMatch(/not a period/);
  });
});
