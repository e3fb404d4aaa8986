import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { terminalSafe, oneLine } from "./text.js";
import { formatIssue } from "./issues.js";

const unsafe = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe("text from a model is made safe for a terminal", () => {
  it("escapes ESC, C1 controls and bidi overrides visibly; keeps line breaks in multi-line output", () => {
    expect(terminalSafe("a\u001b[31mb\u009b\u202e\u2066c\nd\te")).toBe("a\\u001b[31mb\\u009b\\u202e\\u2066c\nd\te");
    expect(oneLine("a\nb\r\tc")).toBe("a\\u000ab\\u000d\\u0009c");
  });
  it("leaves ordinary text, Arabic and table drawing alone", () => {
    for (const text of ["Revenue — 2,000.0 (1.5) ≈ ±2% …", "شركة xAI — ملايين الدولارات", "────  █████  ∞"]) expect(oneLine(text)).toBe(text);
  });
  it("property: nothing unsafe survives, and JSON output keeps its meaning", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        expect(oneLine(s)).not.toMatch(unsafe);
        expect(terminalSafe(s).replace(/\n|\t/g, "")).not.toMatch(unsafe);
        const json = terminalSafe(JSON.stringify({ s }));
        expect(JSON.parse(json).s).toBe(s);
      }),
      { numRuns: 500, seed: 7 },
    );
  });
  it("formatIssue escapes the message, the path and the file name", () => {
    const line = formatIssue({ code: "x", severity: "error", message: "bad \u001b[2J", path: ["lines", "a\u202eb"], position: { file: "m\u001b.yaml", line: 1, col: 2 } });
    expect(line).toBe("m\\u001b.yaml:1:2: bad \\u001b[2J (at lines.a\\u202eb)");
  });
});
