import { describe, it, expect, afterEach } from "vitest";
import { setTableWidth, wrapLine } from "./format.js";

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
