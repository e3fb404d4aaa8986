import { describe, it, expect, afterEach } from "vitest";
import fc from "fast-check";
import { setTableWidth, wrapLine, groupedFixed, formatAmount, formatWhole } from "./format.js";

describe("figures in tables", () => {
  const locale = (x: number, d: number) => x.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });

  it("prints every amount as en-US number formatting does, ties included (1.15 → 1.2)", () => {
    const decimals = fc.integer({ min: 0, max: 6 });
    fc.assert(fc.property(fc.double({ min: 0, max: 1e22, noNaN: true }), decimals, (x, d) => groupedFixed(x, d) === locale(x, d)), { numRuns: 5000 });
    // Values whose shortest decimal ends in 5 just past the kept digits, and their neighbours.
    const tie = fc.tuple(fc.integer({ min: 0, max: 2 ** 40 }), decimals).chain(([k, d]) => fc.constantFrom(...[Number(`${k}5e-${d + 1}`)].flatMap((x) => [x, x * (1 + 2 ** -52), x * (1 - 2 ** -53)])).map((x) => [x, d] as const));
    fc.assert(fc.property(tie, ([x, d]) => groupedFixed(x, d) === locale(x, d)), { numRuns: 5000 });
    for (const [x, d] of [[0, 1], [0.05, 1], [0.96, 1], [999.96, 1], [1.15, 1], [2.675, 2], [5e-324, 2], [1e21, 1], [Number.MAX_VALUE, 0]] as const) expect(groupedFixed(x, d)).toBe(locale(x, d));
  });

  it("shows negatives in parentheses unless they round to zero", () => {
    expect(formatAmount(-1234.56)).toBe("(1,234.6)");
    expect(formatAmount(-0.04)).toBe("0.0");
    expect(formatAmount(1234567.891, 2)).toBe("1,234,567.89");
    expect([formatWhole(100_000), formatWhole(-1234), formatWhole(0)]).toEqual(["100,000", "-1,234", "0"]);
  });
});

describe("prose fitted to --width", () => {
  afterEach(() => setTableWidth(null));

  it("breaks between words with a hanging indent, and keeps every word", () => {
    setTableWidth(30);
    const text = "  Funding gap  3,887.8 USD millions (extra opening cash to stay above the floor)";
    const lines = wrapLine(text, "             ").split("\n");
    for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(30);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.slice(1).every((l) => l.startsWith("  " + "             "))).toBe(true);
    expect(lines.join(" ").split(/\s+/).filter(Boolean)).toEqual(text.split(/\s+/).filter(Boolean));
  });

  it("cuts a word longer than a line (an address) so that no line is wider", () => {
    setTableWidth(24);
    const url = "https://investors.coreweave.com/news/q3-2025-results";
    const lines = wrapLine(`      source: ${url}`, "").split("\n");
    for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(24);
    expect(lines.map((l) => l.trim()).join("").replace("source:", "")).toBe(url);
  });

  it("wraps each line of a text with several, and leaves text alone without a width", () => {
    setTableWidth(20);
    expect(wrapLine("short\nanother short one here").split("\n")).toEqual(["short", "another short one", "  here"]);
    setTableWidth(null);
    expect(wrapLine("x ".repeat(200))).toBe("x ".repeat(200));
  });
});
