import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadModelText } from "../model/load.js";
import { uncitedInputs } from "../model/sources.js";
import { listSources } from "./index.js";

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../../test/fixtures/targets/${name}`, import.meta.url)), "utf8");

describe("listSources", () => {
  const loaded = loadModelText(fixture("uncited.yaml"), "uncited.yaml");
  const listing = listSources(loaded);
  const at = (path: string) => listing.inputs.find((i) => i.path === path)!;

  it("lists every input with the citation that covers it and where it is written", () => {
    expect(listing.inputs.map((i) => i.path)).toEqual(["meta.start", "meta.months", "openingBalance.cash", "openingBalance.paidInCapital", "drivers.price", "drivers.volume", "lines.rent.value"]);
    expect(at("drivers.price")).toMatchObject({ value: 2.5, kind: "source", source: "price list 2025, https://example.com/prices", assumption: null, citedOn: "value", uncited: false });
    expect(at("meta.months")).toMatchObject({ value: 12, kind: "assumption", assumption: "test fixture", citedOn: "meta", uncited: false });
  });

  it("flags the inputs with neither a source nor an assumption, as check --strict does", () => {
    const flagged = listing.inputs.filter((i) => i.uncited).map((i) => i.path);
    expect(flagged).toEqual(["openingBalance.cash", "openingBalance.paidInCapital", "drivers.volume", "lines.rent.value"]);
    expect(flagged).toEqual(uncitedInputs(loaded).map((i) => i.path.join(".")));
    expect(at("drivers.volume")).toMatchObject({ kind: "none", citedOn: null, source: null, position: { file: "uncited.yaml", line: 12, col: 11 } });
    expect(listing.counts).toMatchObject({ inputs: 7, sourced: 1, assumptionOnly: 2, uncited: 4 });
  });

  it("tells a value that has both a source and an assumption, and a citation at the top of the file", () => {
    const text = `assumption: everything here is made up
meta: { company: B, start: 2025-01, months: 12 }
openingBalance: { cash: { value: 5, source: "bank statement", assumption: "rounded" }, paidInCapital: 5 }
`;
    const l = listSources(loadModelText(text, "b.yaml"));
    expect(l.inputs.find((i) => i.path === "openingBalance.cash")).toMatchObject({ kind: "both", citedOn: "value", source: "bank statement", assumption: "rounded" });
    expect(l.inputs.find((i) => i.path === "meta.months")).toMatchObject({ kind: "assumption", citedOn: "" });
    expect(l.counts.uncited).toBe(0);
  });
});
