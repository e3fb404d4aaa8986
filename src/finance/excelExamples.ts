/**
 * Worked examples from Microsoft's Excel function reference pages (PMT, IPMT, PPMT, FV, PV,
 * NPV, RATE, SLN), written as the Excel calls themselves, with the figure Excel displays and
 * how many decimals it shows. src/finance/excel-examples.test.ts checks the library against
 * the same pages; the formula tests evaluate these calls as model formulas, and the export
 * test has LibreOffice recalculate the same functions.
 */
export interface ExcelExample {
  /** The call as typed in Excel (also valid in a burnrate formula). */
  call: string;
  /** What Excel displays. */
  value: number;
  /** Decimals checked (toBeCloseTo). */
  digits: number;
  what: string;
}

export const EXCEL_FINANCE_EXAMPLES: ExcelExample[] = [
  { call: "PMT(0.08/12, 10, 10000)", value: -1037.03, digits: 2, what: "monthly payment on a 10-month loan of 10,000 at 8% a year" },
  { call: "PMT(0.06/12, 18*12, 0, 50000)", value: -129.08, digits: 2, what: "monthly saving to reach 50,000 in 18 years at 6% a year" },
  { call: "IPMT(0.1/12, 1, 3*12, 8000)", value: -66.6666666666667, digits: 12, what: "interest in the first month of a 3-year loan of 8,000 at 10%" },
  { call: "IPMT(0.1, 3, 3, 8000)", value: -292.447129909366, digits: 11, what: "interest in the last year of the same loan paid yearly" },
  { call: "PPMT(0.1/12, 1, 2*12, 2000)", value: -75.62, digits: 2, what: "principal in the first month of a 2-year loan of 2,000 at 10%" },
  { call: "PPMT(0.08, 10, 10, 200000)", value: -27598.05, digits: 2, what: "principal in year 10 of a 10-year loan of 200,000 at 8%" },
  { call: "FV(0.06/12, 10, -200, -500, 1)", value: 2581.4, digits: 2, what: "6% a year, 10 monthly payments of 200 in advance, present value 500" },
  { call: "FV(0.12/12, 12, -1000)", value: 12682.5, digits: 2, what: "12% a year, 12 monthly payments of 1,000" },
  { call: "FV(0.11/12, 35, -2000, 0, 1)", value: 82846.25, digits: 2, what: "11% a year, 35 monthly payments of 2,000 in advance" },
  { call: "PV(0.08/12, 12*20, 500, 0, 0)", value: -59777.15, digits: 2, what: "annuity paying 500 a month for 20 years at 8%" },
  { call: "NPV(0.1, -10000, 3000, 4200, 6800)", value: 1188.44, digits: 2, what: "10%: 10,000 paid in a year, then 3,000, 4,200 and 6,800" },
  { call: "NPV(0.08, 8000, 9200, 10000, 12000, 14500) + -40000", value: 1922.06, digits: 2, what: "8%: an investment of 40,000 today added outside NPV" },
  { call: "NPV(0.08, 8000, 9200, 10000, 12000, 14500, -9000) + -40000", value: -3749.47, digits: 2, what: "the same with a loss of 9,000 in year 6" },
  { call: "RATE(4*12, -200, 8000)", value: 0.00770147248820137, digits: 12, what: "4-year loan of 8,000 repaid at 200 a month (monthly rate)" },
  { call: "RATE(4*12, -200, 8000) * 12", value: 0.0924, digits: 4, what: "the annual rate of the same loan" },
  { call: "SLN(30000, 7500, 10)", value: 2250, digits: 9, what: "cost 30,000, salvage 7,500, 10 years" },
];
