import { describe, it, expect, afterAll } from "vitest";
import { mkdtempSync, copyFileSync, rmSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli/main.js";
import type { CliIO } from "../../src/cli/io.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/targets/${name}`, import.meta.url));

interface Captured {
  code: number;
  out: string;
  err: string;
  files: Map<string, string>;
}

async function cli(...args: string[]): Promise<Captured> {
  let out = "";
  let err = "";
  const files = new Map<string, string>();
  const io: CliIO = { out: (s) => (out += s), err: (s) => (err += s), errIsTTY: false, writeFile: (p, t) => files.set(p, t) };
  const code = await main(["node", "burnrate", ...args], io);
  return { code, out, err, files };
}

describe("burnrate verify", () => {
  it("prints a table of targets and exits 0 when all pass", async () => {
    const r = await cli("verify", fixture("pass.yaml"));
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    expect(r.out).toMatch(/^Target Co — targets — base case — amounts in USD millions/);
    expect(r.out).toMatch(/Target\s+Metric\s+Period\s+Source\s+Reported\s+Model\s+Difference\s+Diff %\s+Test\s+Result/);
    expect(r.out).toMatch(/revenue-q3\s+revenue\s+2025-Q3\s+Target Co Q3 2025 release\s+30\.5\s+30\.0\s+−0\.5\s+−1\.6%\s+≈ ±2%\s+pass/);
    expect(r.out).toMatch(/breakeven\s+breakeven\s+\(horizon\)\s+.*2026-02\s+2026-01\s+−1 mo\s+–\s+≈ ±1 mo\s+pass/);
    expect(r.out).toMatch(/cash-never-out .* never\s+not within the horizon\s+–\s+–\s+same month\s+pass/);
    expect(r.out).toContain("0 calibration targets: 0 passed, 0 failed. 11 independent checks: 11 passed, 0 failed.");
    expect(r.out).toContain("Not checked in this run: 1 target for scenario slow");
    expect(r.out).not.toContain("FAIL");
  });

  it("exits 1 and explains the failing target", async () => {
    const r = await cli("verify", fixture("fail.yaml"));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/revenue-2026-claimed .* 150\.0\s+180\.0\s+\+30\.0\s+\+20\.0%\s+≈ ±5%\s+FAIL/);
    expect(r.out).toContain("0 calibration targets: 0 passed, 0 failed. 2 independent checks: 1 passed, 1 failed.");
    expect(r.out).toContain("revenue-2026-claimed: Revenue over 2026-01 … 2026-12 — model 180.0, reported 150.0 (≈ ±5%)");
    expect(r.out).toContain("note: the model's 2026 revenue is 180, 20% above the reported figure");
    expect(r.out).toContain("source: press report of a 2026 revenue run-rate");
  });

  it("gives the documented JSON", async () => {
    const r = await cli("verify", fixture("fail.yaml"), "--format", "json");
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out);
    expect(Object.keys(json)).toEqual(expect.arrayContaining(["model", "scenario", "targets", "passed", "failed"]));
    expect(json).toMatchObject({ model: "Target Co", scenario: null, passed: 1, failed: 1 });
    expect(Object.keys(json.targets[0])).toEqual(expect.arrayContaining(["name", "metric", "period", "compare", "reported", "model", "difference", "relativeDifference", "tolerance", "pass", "source", "note"]));
    expect(json.targets[1]).toMatchObject({ name: "revenue-2026-claimed", metric: "revenue", period: "2026", compare: "approx", reported: 150, tolerance: { relative: 0.05 }, pass: false });
    expect(json.targets[1].model).toBeCloseTo(180, 9);
    expect(json.targets[1].relativeDifference).toBeCloseTo(0.2, 9);
  });

  it("checks a scenario's own targets with --scenario", async () => {
    const r = await cli("verify", fixture("pass.yaml"), "--scenario", "slow", "--format", "json");
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.scenario).toBe("slow");
    expect(json.targets.map((t: { name: string; model: string }) => [t.name, t.model])).toEqual([["slow-cash-out", "2026-07"]]);
  });

  it("says so and exits 1 when there is nothing to verify", async () => {
    const none = await cli("verify", fixture("uncited.yaml"));
    expect(none.code).toBe(1);
    expect(none.out).toBe("");
    expect(none.err).toMatch(/uncited\.yaml: no targets to verify; add a `targets:` section/);
    const otherRun = await cli("verify", fixture("fail.yaml"), "--scenario", "slow");
    expect(otherRun.code).toBe(1);
    expect(otherRun.err).toMatch(/no targets apply to scenario "slow"; the file's targets are for \(base case\)/);
  });

  it("reports malformed targets with positions and did-you-mean, exit 1, no stack trace", async () => {
    const r = await cli("verify", fixture("malformed.yaml"));
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    const lines = r.err.trim().split("\n");
    expect(lines[0]).toMatch(/malformed\.yaml:15:13: unknown metric "revnue" — did you mean "revenue"\? \(at targets\.misspelt-metric\.metric\)$/);
    expect(lines[1]).toMatch(/malformed\.yaml:21:13: "2025-13" is not a month: months run 01 to 12 \(at targets\.bad-period\.period\)$/);
    expect(r.err).toMatch(/malformed\.yaml:26:13: the period 2026 \(2026-01 … 2026-12\) is not wholly inside the horizon 2025-01 … 2025-12/);
    expect(r.err).toMatch(/malformed\.yaml:31:12: cashOut is a month/);
    expect(r.err).toMatch(/malformed\.yaml:37:5: unknown key "tolerence" — did you mean "tolerance"\?/);
    expect(lines[lines.length - 1]).toBe("5 errors");
    expect(r.err).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it("prints warnings about targets on standard error with positions", async () => {
    const dir = mkdtempSync(join(tmpdir(), "burnrate-verify-"));
    try {
      const file = join(dir, "m.yaml");
      const text = readFileSync(fixture("fail.yaml"), "utf8").replace("    tolerance: { relative: 0.05 }\n", "    tolerance: { relative: 0.05 }\n    compare: gte\n");
      writeFileSync(file, text);
      const r = await cli("verify", file);
      expect(r.code).toBe(0);
      expect(r.err).toMatch(/m\.yaml:\d+:\d+: warning: tolerance applies only to compare: approx; with compare: gte it is ignored \(at targets\.revenue-2026-claimed\.tolerance\)\n$/);
      expect(r.out).toMatch(/revenue-2026-claimed .* 150\.0\s+180\.0\s+\+30\.0\s+\+20\.0%\s+≥\s+pass/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses an unknown format", async () => {
    const r = await cli("verify", fixture("pass.yaml"), "--format", "xml");
    expect(r.code).toBe(1);
    expect(r.err).toContain("--format must be one of table, json");
  });
});

describe("burnrate check and targets", () => {
  it("fails on malformed targets", async () => {
    const r = await cli("check", fixture("malformed.yaml"));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/malformed\.yaml:15:13: unknown metric "revnue" — did you mean "revenue"\?/);
    expect(r.err.trim().split("\n").pop()).toBe("5 errors");
  });

  it("passes a model whose targets are well formed (whether or not they are met)", async () => {
    expect((await cli("check", fixture("pass.yaml"))).code).toBe(0);
    expect((await cli("check", fixture("fail.yaml"))).code).toBe(0);
  });
});

describe("burnrate sources", () => {
  it("lists inputs, flags the uncited ones with positions and exits 0", async () => {
    const r = await cli("sources", fixture("uncited.yaml"));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Input\s+Value\s+Cited on\s+Citation/);
    expect(r.out).toMatch(/drivers\.price\s+2\.5\s+\(the value\)\s+price list 2025, https:\/\/example\.com\/prices/);
    expect(r.out).toMatch(/meta\.months\s+12\s+meta\s+assumption: test fixture/);
    expect(r.out).toMatch(/drivers\.volume\s+4\s+✗ UNCITED/);
    expect(r.out).toContain("7 inputs: 1 with a source, 2 with an assumption only, 4 uncited");
    expect(r.out).toMatch(/uncited\.yaml:12:11: drivers\.volume = 4/);
  });

  it("writes CSV and JSON", async () => {
    const csv = await cli("sources", fixture("uncited.yaml"), "--format", "csv");
    const rows = csv.out.trim().split("\n");
    expect(rows[0]).toBe("path,value,kind,status,ids,cited_on,source,assumption,derivation,uncited,line,col");
    expect(rows).toContain('drivers.price,2.5,source,,,value,"price list 2025, https://example.com/prices",,,false,11,10');
    expect(rows).toContain("drivers.volume,4,none,,,,,,,true,12,11");
    const json = JSON.parse((await cli("sources", fixture("uncited.yaml"), "--format", "json")).out);
    expect(json.counts).toMatchObject({ inputs: 7, sourced: 1, assumptionOnly: 2, uncited: 4 });
  });

  it("writes to a file with --out", async () => {
    const r = await cli("sources", fixture("uncited.yaml"), "--format", "json", "--out", "listing.json");
    expect(r.code).toBe(0);
    expect(r.out).toBe("");
    expect(JSON.parse(r.files.get("listing.json")!).counts.uncited).toBe(4);
  });

  it("reports nothing uncited for a fully cited model", async () => {
    const r = await cli("sources", fixture("pass.yaml"));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/, 0 uncited\n$/);
  });

  it("exits 1 for a file that is not a valid model", async () => {
    const r = await cli("sources", fixture("no-such-file.yaml"));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no-such-file\.yaml: no such file/);
  });
});

describe("burnrate compare", () => {
  const pass = fixture("pass.yaml");
  const later = fixture("later.yaml");

  it("puts scenarios of one model side by side, a block per measure", async () => {
    const r = await cli("compare", pass, `${pass}:slow`);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Comparison — amounts in USD millions/);
    for (const title of ["Revenue", "Net income", "Free cash flow", "Cumulative burn", "Capex ÷ revenue", "Whole horizon"]) expect(r.out).toContain(`\n${title}`);
    expect(r.out).toMatch(/2026\s+180\.0\s+132\.0/);
    expect(r.out).toMatch(/Cash runs out\s+not within the horizon\s+2026-07/);
    expect(r.out).toMatch(/First year of positive free cash flow\s+2026\s+not within the horizon/);
    expect(r.out).toMatch(/Minimum DSCR\s+n\/a \(no debt service\)\s+n\/a \(no debt service\)/);
  });

  it("leaves a year blank where a model has none and warns about converted units", async () => {
    const r = await cli("compare", pass, later);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/warning: .*later\.yaml is written in another unit; amounts are converted to millions/);
    const revenue = r.out.split("\n\n")[1].split("\n");
    expect(revenue[0]).toBe("Revenue");
    expect(revenue[3]).toMatch(/^2025\s+120\.0$/);
    expect(revenue[5]).toMatch(/^2027\s+12\.0$/);
  });

  it("writes JSON and long-form CSV", async () => {
    const json = JSON.parse((await cli("compare", pass, `${pass}:slow`, "--format", "json")).out);
    expect(json.years).toEqual([2025, 2026]);
    expect(json.runs.map((r: { label: string; scenario: string | null }) => [r.label, r.scenario])).toEqual([[pass, null], [`${pass}:slow`, "slow"]]);
    const csv = (await cli("compare", `${pass}:slow`, later, "--format", "csv")).out.trim().split("\n");
    expect(csv[0]).toBe("label,measure,year,value");
    expect(csv).toContain(`${pass}:slow,revenue,2025,120`);
    expect(csv).toContain(`${pass}:slow,revenue,2027,`);
    expect(csv).toContain(`${pass}:slow,cashOut,,2026-07`);
    expect(csv).toContain(`${later},revenue,2027,12`);
  });

  it("exits 1 with a clear message for an unknown scenario", async () => {
    const r = await cli("compare", pass, `${pass}:slw`);
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toBe(`burnrate: ${pass}:slw: ${pass} has no scenario named "slw" — did you mean "slow"?\n`);
  });

  describe("file names that contain ':'", () => {
    const dir = mkdtempSync(join(tmpdir(), "burnrate-compare-"));
    const odd = join(dir, "model:slow"); // a model file whose name looks like FILE:SCENARIO
    copyFileSync(pass, odd);
    const prefix = join(dir, "model");
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const firstRun = async (arg: string) => {
      const r = await cli("compare", arg, "--format", "json");
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      return JSON.parse(r.out).runs[0];
    };

    it("reads the whole argument as a path when the part before ':' is no file", async () => {
      expect(await firstRun(odd)).toMatchObject({ label: odd, scenario: null });
    });

    it("splits on the last ':' only", async () => {
      expect(await firstRun(`${odd}:slow`)).toMatchObject({ label: `${odd}:slow`, scenario: "slow" });
    });

    it("takes the text after ':' as a scenario when the file before it defines one of that name", async () => {
      copyFileSync(pass, prefix);
      try {
        expect(await firstRun(odd)).toMatchObject({ scenario: "slow" });
        // …and as part of the path when it does not.
        const other = join(dir, "model:base");
        copyFileSync(pass, other);
        expect(await firstRun(other)).toMatchObject({ label: other, scenario: null });
      } finally {
        rmSync(prefix);
      }
    });
  });

  it("needs at least one model", async () => {
    const r = await cli("compare");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/missing required argument/);
  });
});
