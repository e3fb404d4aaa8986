import { describe, it, expect } from "vitest";
import { loadModelText } from "./load.js";
import { ModelError, formatIssue } from "./issues.js";

const valid = `meta:
  company: T
  start: 2025-01
  months: 12
openingBalance:
  cash: 10
  paidInCapital: 10
drivers:
  price: 2
  volume: "price * 3"
lines:
  sales:
    type: revenue
    value: volume
scenarios:
  double:
    overrides:
      - { path: drivers.price, multiply: 2 }
`;

function problems(text: string, scenario?: string): string[] {
  try {
    loadModelText(text, "m.yaml", { scenario });
  } catch (error) {
    if (error instanceof ModelError) return error.issues.map(formatIssue);
    throw error;
  }
  throw new Error("expected the model to be rejected");
}

describe("valid models load", () => {
  it("loads and applies a scenario", () => {
    const loaded = loadModelText(valid, "m.yaml", { scenario: "double" });
    expect(loaded.model.drivers.price).toBe(4);
  });
  it("accepts JSON", () => {
    const json = JSON.stringify({ meta: { company: "J", start: "2025-01", months: 3 }, openingBalance: { cash: 1, paidInCapital: 1 } });
    expect(loadModelText(json, "m.json").model.meta.company).toBe("J");
  });
});

describe("bad input gets a clear, positioned error", () => {
  it("malformed YAML", () => {
    const [msg] = problems("meta:\n  company: [unclosed\n");
    expect(msg).toMatch(/^m\.yaml:\d+:\d+: YAML syntax error/);
  });
  it("a misspelt key suggests the right one", () => {
    const [msg] = problems(valid.replace("company: T", "compnay: T\n  company: T"));
    expect(msg).toBe('m.yaml:2:3: unknown key "compnay" — did you mean "company"? (at meta.compnay)');
  });
  it("a misspelt section suggests the right one", () => {
    const msgs = problems(valid.replace("lines:", "lnes:"));
    expect(msgs.some((m) => m.includes('unknown key "lnes" — did you mean "lines"?'))).toBe(true);
  });
  it("a wrong type says what was expected and what was found", () => {
    const [msg] = problems(valid.replace("cash: 10", "cash: lots"));
    expect(msg).toBe('m.yaml:6:9: expected a number, got text "lots" (at openingBalance.cash)');
  });
  it("a missing required key", () => {
    const msgs = problems(valid.replace("  start: 2025-01\n", ""));
    expect(msgs[0]).toContain('required key "start" is missing');
  });
  it("a malformed month", () => {
    const [msg] = problems(valid.replace("start: 2025-01", "start: 2025-13"));
    expect(msg).toContain("expected a month as YYYY-MM");
    expect(msg).toMatch(/^m\.yaml:3:10:/);
  });
  it("months out of order", () => {
    const msgs = problems(valid + `financing:\n  debt:\n    loan:\n      draws:\n        - { month: 2025-06, amount: 1 }\n        - { month: 2025-03, amount: 1 }\n      rate: 0.1\n      maturity: 2026-01\n`);
    expect(msgs.some((m) => m.includes("draws are out of order"))).toBe(true);
  });
  it("a month outside the horizon", () => {
    const msgs = problems(valid + `financing:\n  equity:\n    late: { month: 2027-01, amount: 5 }\n`);
    expect(msgs[0]).toMatch(/m\.yaml:\d+:\d+: the round's month 2027-01 is outside the horizon 2025-01 … 2025-12/);
  });
  it("a negative count or life", () => {
    const msgs = problems(valid + `fleet:\n  gpus: { count: -5, unitCost: 1, purchase: 2025-01, lifeMonths: 0 }\n`);
    expect(msgs.some((m) => m.includes("fleet.gpus.count") && m.includes("≥ 0"))).toBe(true);
    expect(msgs.some((m) => m.includes("fleet.gpus.lifeMonths"))).toBe(true);
  });
  it("an undefined reference names it and suggests a close name", () => {
    const [msg] = problems(valid.replace('"price * 3"', '"prise * 3"'));
    expect(msg).toContain('unknown name "prise"');
    expect(msg).toContain('did you mean "price"?');
    expect(msg).toMatch(/^m\.yaml:10:11:/);
  });
  it("a circular reference names the whole cycle", () => {
    const [msg] = problems(valid.replace("price: 2", 'price: "volume / 3"'));
    expect(msg).toContain("circular reference: price → volume → price");
  });
  it("an unbalanced opening balance sheet says by how much", () => {
    const [msg] = problems(valid.replace("paidInCapital: 10", "paidInCapital: 7.5"));
    expect(msg).toContain("does not balance");
    expect(msg).toContain("= 2.5");
  });
  it("a scenario that does not exist lists those that do", () => {
    const [msg] = problems(valid, "tripple");
    expect(msg).toContain('no scenario named "tripple"; the model has: double');
  });
  it("a scenario override on a path that does not exist", () => {
    const [msg] = problems(valid.replace("drivers.price", "drivers.prize"), "double");
    expect(msg).toContain("the override's path drivers.prize does not exist");
    expect(msg).toMatch(/^m\.yaml:18:17:/);
  });
  it("an empty file", () => {
    expect(problems("   \n")[0]).toContain("the file is empty");
  });
  it("a huge file", () => {
    expect(problems("#" + "x".repeat(6 * 1024 * 1024))[0]).toContain("may be at most 5 MB");
  });
  it("a list instead of a mapping", () => {
    expect(problems("- a\n- b\n")[0]).toContain("a model file is a mapping of sections");
  });
  it("a driver misspelling its defining key points at that key", () => {
    const msgs = problems(valid.replace("price: 2", "price: { constnt: 2 }"));
    expect(msgs.some((m) => m.includes('unknown key "constnt" — did you mean "constant"?'))).toBe(true);
  });
  it("reports every problem at once", () => {
    const msgs = problems(valid.replace("cash: 10", "cash: x").replace("months: 12", "months: many"));
    expect(msgs.length).toBeGreaterThanOrEqual(2);
  });
  it("a floating tranche on an unknown base curve", () => {
    const msgs = problems(valid + `financing:\n  debt:\n    loan: { openingBalance: 0, draws: [{ month: 2025-02, amount: 1 }], base: sofa, spread: 0.05, maturity: 2026-01 }\n`);
    expect(msgs.some((m) => m.includes('unknown driver "sofa"'))).toBe(true);
  });
});
