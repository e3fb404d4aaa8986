import { describe, expect, it } from "vitest";
import { FinanceError, MAX_EXCEL_SERIAL, toExcelSerial } from "./index.js";

describe("toExcelSerial", () => {
  it("matches Excel's serials for ISO dates (2008-01-01 is 39448)", () => {
    expect(toExcelSerial("2008-01-01")).toBe(39448);
    expect(toExcelSerial("2009-04-01")).toBe(39904);
    expect(toExcelSerial("1900-01-01")).toBe(1);
    expect(toExcelSerial("9999-12-31")).toBe(MAX_EXCEL_SERIAL);
  });

  it("keeps Excel's phantom 1900-02-29: Feb 28 is 59 and Mar 1 is 61", () => {
    expect(toExcelSerial("1900-02-28")).toBe(59);
    expect(toExcelSerial("1900-03-01")).toBe(61);
  });

  it("reads a local-midnight Date and a UTC-midnight Date as the same day", () => {
    expect(toExcelSerial(new Date(2008, 0, 1))).toBe(39448);
    expect(toExcelSerial(new Date("2008-01-01"))).toBe(39448);
    expect(toExcelSerial(new Date(Date.UTC(2008, 0, 1)))).toBe(39448);
    expect(toExcelSerial(new Date(2008, 0, 1, 15, 30))).toBe(39448);
  });

  it("truncates serial numbers, as Excel does", () => {
    expect(toExcelSerial(39448.75)).toBe(39448);
    expect(toExcelSerial(0)).toBe(0);
  });

  it("rejects non-dates with FinanceError VALUE", () => {
    for (const bad of ["2008-13-01", "2008-02-30", "2008-1-1", "1899-12-31", "", "yesterday", -1, MAX_EXCEL_SERIAL + 1, Number.NaN]) {
      try {
        toExcelSerial(bad);
        expect.unreachable(`accepted ${String(bad)}`);
      } catch (err) {
        expect(err).toBeInstanceOf(FinanceError);
        expect((err as FinanceError).code).toBe("VALUE");
      }
    }
  });
});
