import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseRegister, citedIds, matchingFigure, checkCitations, analyseInputs, hasMachinePath } from "./index.js";
import { loadModelText } from "../model/load.js";
import { ModelError } from "../model/issues.js";

const read = (rel: string) => readFileSync(fileURLToPath(new URL(rel, import.meta.url)), "utf8");

const REGISTER = `entries:
  AB-01:
    figure: revenue of $1.2B in 2025
    measure: revenue
    values: [{ value: 1.2, unit: USD billions, what: 2025 revenue }, { value: 12.5, unit: percent, what: a rate }, { value: 725, unit: bp, what: a spread }]
    publisher: A paper
    address: https://example.com/a
    date: 2025-06-18
    confidence: secondary
  AB-02:
    figure: a six-year life, opening in 2025-07, power 8.06 cents
    measure: policy
    values: [{ value: 6, unit: years, what: life }, { value: 2025-07, what: month }, { value: 8.06, unit: US cents per kWh, what: power }, { range: [47000, 52000], unit: USD per GPU, what: cost }]
    publisher: Another paper
    address: https://example.com/b
    confidence: confirmed
  AB-03:
    figure: the sum of the two
    measure: derived
    derivedFrom: [AB-01, AB-02]
    confidence: derived
`;

describe("the source register", () => {
  it("parses the shipped register: every entry can be followed (address, or the entries it is derived from)", () => {
    const r = parseRegister(read("../../sources/register.yaml"), "sources/register.yaml");
    expect(r.entries.size).toBeGreaterThan(200);
    for (const e of r.entries.values()) {
      if (e.confidence === "derived") expect(e.derivedFrom.every((id) => r.entries.has(id)), e.id).toBe(true);
      else if (e.confidence !== "seed" && e.confidence !== "unconfirmed") expect(e.address, e.id).toMatch(/^https?:\/\//);
    }
    expect(r.entries.get("XA-05")!.values.map((v) => v.value)).toContain(5.4);
  });

  it("rejects an entry a reader could not follow, and a derived entry from an unknown ID, with positions", () => {
    const bad = `entries:\n  XY-01: { figure: f, measure: m, confidence: secondary }\n  XY-02: { figure: f, measure: m, confidence: derived, derivedFrom: [XY-9] }\n`;
    try {
      parseRegister(bad, "r.yaml");
      expect.unreachable();
    } catch (error) {
      const issues = (error as ModelError).issues;
      expect(issues.map((i) => i.code)).toEqual(["unfollowable_entry", "unknown_register_id"]);
      expect(issues[0].position).toMatchObject({ file: "r.yaml", line: 2 });
    }
  });

  it("reads IDs in brackets, bare lists and numbered runs, and flags brackets that mix IDs with words", () => {
    expect(citedIds("Bloomberg [XA-02]; seed [S000-10]").ids).toEqual(["XA-02", "S000-10"]);
    expect(citedIds("XA-02, XA-04").ids).toEqual(["XA-02", "XA-04"]);
    expect(citedIds("[GE-19…GE-21]").ids).toEqual(["GE-19", "GE-20", "GE-21"]);
    expect(citedIds("a GB200-2025 cohort (no brackets)").ids).toEqual([]);
    expect(citedIds("old style [facts: xai.md XA-02]")).toEqual({ ids: ["XA-02"], malformed: ["[facts: xai.md XA-02]"] });
  });

  it("compares an input with the cited figures in the model's units", () => {
    const r = parseRegister(REGISTER, "r.yaml");
    const e = [...r.entries.values()];
    expect(matchingFigure(1200, e, "millions")?.figure.what).toBe("2025 revenue");
    expect(matchingFigure(1.2e9, e, "units")?.figure.what).toBe("2025 revenue");
    expect(matchingFigure(1201, e, "millions")?.figure.what).toBe("2025 revenue"); // within 0.5%
    expect(matchingFigure(1250, e, "millions")).toBeNull();
    expect(matchingFigure(0.125, e, "millions")?.figure.what).toBe("a rate");
    expect(matchingFigure(0.0725, e, "millions")?.figure.what).toBe("a spread");
    expect(matchingFigure(72, e, "millions")?.figure.what).toBe("life"); // six years as months
    expect(matchingFigure(0.0806, e, "millions")?.figure.what).toBe("power");
    expect(matchingFigure(50000, e, "millions")?.figure.what).toBe("cost");
    expect(matchingFigure(53000, e, "millions")).toBeNull();
    expect(matchingFigure("2025-07", e, "millions")?.figure.what).toBe("month");
    expect(matchingFigure("2025-08", e, "millions")).toBeNull();
  });
});

describe("check --strict on citations", () => {
  const register = parseRegister(REGISTER, "r.yaml");
  const model = (body: string) =>
    loadModelText(
      `register: r.yaml
meta: { company: C, start: 2025-01, months: 12, assumption: test }
openingBalance: { cash: 10, paidInCapital: 10, assumption: test }
${body}`,
      "m.yaml",
    );

  it("passes an input that is the figure it cites, and one that says how it was derived", () => {
    const loaded = model(`drivers:
  revenue: { constant: 100, source: "[AB-01]", derivation: "1,200 ÷ 12 a month" }
  spread: { value: 0.0725, source: "the final price [AB-01]" }
lines:
  sales: { type: revenue, value: revenue, assumption: all sales }
`);
    expect(checkCitations(loaded, register, true)).toEqual([]);
    const status = [...analyseInputs(loaded, register)].map(([i, a]) => [i.path.join("."), a.status]);
    expect(status).toEqual(expect.arrayContaining([["drivers.revenue.constant", "derived"], ["drivers.spread", "reported"]]));
  });

  it("fails an unknown ID (with a suggestion), a figure that is not the cited one, a source without an ID, and a machine path", () => {
    const loaded = model(`drivers:
  a: { constant: 100, source: "[AB-01]" }
  b: { constant: 5, source: "[AB-1]" }
  c: { constant: 5, source: "a newspaper" }
  d: { constant: 5, assumption: "see /work/shared/facts/x.md" }
lines:
  sales: { type: revenue, value: "a + b + c + d", assumption: all sales }
`);
    const issues = checkCitations(loaded, register, true);
    const codes = issues.map((i) => `${i.code}@${i.path.join(".")}`);
    expect(codes).toEqual(expect.arrayContaining(["unknown_register_id@drivers.b.source", "source_without_id@drivers.c.source", "machine_path@drivers.d.assumption", "figure_mismatch@drivers.a.constant"]));
    expect(issues.find((i) => i.code === "unknown_register_id")!.message).toMatch(/did you mean AB-01/);
    expect(issues.find((i) => i.code === "figure_mismatch")!.message).toMatch(/is not a figure of AB-01 \(AB-01 1\.2 USD billions \(2025 revenue\)/);
    expect(issues.every((i) => i.position?.file === "m.yaml")).toBe(true);
    // Without --strict only the unknown ID and the machine path are warnings.
    expect(checkCitations(loaded, register, false).map((i) => [i.code, i.severity])).toEqual([
      ["unknown_register_id", "warning"],
      ["machine_path", "warning"],
    ]);
  });

  it("checks a target's value against its source the same way", () => {
    const loaded = model(`drivers:
  revenue: { constant: 100, source: "[AB-01]", derivation: "1,200 ÷ 12" }
lines:
  sales: { type: revenue, value: revenue, assumption: all sales }
targets:
  good: { kind: check, metric: revenue, period: 2025, value: 1200, source: "[AB-01]" }
  derived: { kind: check, metric: revenue, period: 2025-Q1, value: 300, source: "[AB-01]", derivation: "a quarter of 1,200" }
  bad: { kind: check, metric: revenue, period: 2025-Q1, value: 310, source: "[AB-01]" }
`);
    expect(checkCitations(loaded, register, true).map((i) => i.path.join("."))).toEqual(["targets.bad.value"]);
  });

  it("knows a machine path from a web address", () => {
    expect(hasMachinePath("see /work/shared/facts/xai.md")).toBe(true);
    expect(hasMachinePath("../shared/seeds/000.txt")).toBe(true);
    expect(hasMachinePath("https://www.sec.gov/Archives/edgar/data/1769628/R41.htm")).toBe(false);
    expect(hasMachinePath("0.3 GW / 1.6 GW (Q1)")).toBe(false);
  });
});
