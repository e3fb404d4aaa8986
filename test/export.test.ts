import { describe, it, expect, beforeAll } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { parse } from "csv-parse/sync";
import { runCli } from "./support/cli.js";
import { loadModelFile } from "../src/node/loadFile.js";
import { projectModel } from "../src/index.js";
import { STATEMENT_ITEMS } from "../src/engine/items.js";
import { formatNumberLocale } from "../src/i18n/index.js";

const root = join(import.meta.dirname, "..");
const small = join("test", "fixtures", "small.yaml");

describe("export csv: every block, numbers that parse back", () => {
  const result = projectModel(loadModelFile(join(root, small)));

  it("writes one file per block into a folder, rounded to 6 decimals", async () => {
    const dir = mkdtempSync(join(tmpdir(), "burnrate-csv-"));
    const r = await runCli("export", small, "--format", "csv", "--out", dir);
    expect(r.code).toBe(0);
    const names = [...r.files.keys()].map((f) => f.slice(dir.length + 1)).sort();
    expect(names).toEqual(["caveats.csv", "covenant-breaches.csv", "equity-rounds.csv", "lines.csv", "metrics.csv", "opex-by-category.csv", "statements.csv"]);
    const statements = parse(r.files.get(join(dir, "statements.csv"))!, { columns: true }) as Record<string, string>[];
    expect(statements).toHaveLength(result.months.length);
    for (const [t, row] of statements.entries()) {
      expect(row.period).toBe(result.months[t].period);
      for (const [item] of STATEMENT_ITEMS) {
        expect(Math.abs(Number(row[item]) - result.months[t][item])).toBeLessThanOrEqual(5e-7);
        // No float noise: at most six decimals.
        expect(row[item]).toMatch(/^-?\d+(\.\d{1,6})?$/);
      }
    }
    const metrics = parse(r.files.get(join(dir, "metrics.csv"))!, { columns: true }) as Record<string, string>[];
    const byName = new Map(metrics.map((m) => [m.metric, m]));
    expect(Number(byName.get("fundingGap")!.value)).toBeCloseTo(result.metrics.fundingGap, 6);
    expect(byName.get("cashOut")!.value).toBe("not within the horizon");
    expect(byName.get("breakeven")!.value).toBe(result.metrics.breakeven);
    expect(Number(byName.get("minCash")!.value)).toBeCloseTo(result.metrics.minCash, 6);
    expect(byName.get("minCash")!.period).toBe(result.metrics.minCashPeriod);
  });

  it("--tidy gives one long table; --precision full keeps every digit", async () => {
    const r = await runCli("export", small, "--format", "csv", "--tidy", "--precision", "full", "--period", "year", "--scenario", "slow", "--out", "tidy.csv");
    expect(r.code).toBe(0);
    const rows = parse(r.files.get("tidy.csv")!, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0])).toEqual(["period", "item", "value", "unit", "scenario"]);
    const slow = projectModel(loadModelFile(join(root, small), { scenario: "slow" }));
    const revenue2026 = rows.find((x) => x.scenario === "slow" && x.period === "2026" && x.item === "statements:revenue")!;
    expect(Number(revenue2026.value)).toBe(slow.years[1].revenue);
    expect(revenue2026.unit).toBe("USD millions");
    const base = rows.find((x) => x.scenario === "base" && x.period === "2026" && x.item === "statements:revenue")!;
    expect(Number(base.value)).toBe(result.years[1].revenue);
    const delta = rows.find((x) => x.item === "scenarios:revenue:differenceFromBase" && x.period === "2026" && x.scenario === "slow");
    expect(Number(delta!.value)).toBe(slow.years[1].revenue - result.years[1].revenue);
  });

  it("GPU clouds add the GPU detail and revenue by customer", async () => {
    const r = await runCli("export", "models/gpu-cloud-example.yaml", "--format", "csv", "--out", "g");
    expect(r.code).toBe(0);
    expect([...r.files.keys()]).toEqual(expect.arrayContaining([join("g", "gpu.csv"), join("g", "revenue-by-customer.csv")]));
    const gpu = parse(r.files.get(join("g", "gpu.csv"))!, { columns: true }) as Record<string, string>[];
    const json = projectModel(loadModelFile(join(root, "models", "gpu-cloud-example.yaml")));
    expect(Number(gpu[20].soldHours)).toBeCloseTo(json.gpu!.months[20].soldHours, 5);
  });
});

describe("export html and pdf: the report", () => {
  const dir = mkdtempSync(join(tmpdir(), "burnrate-report-"));
  const xai = projectModel(loadModelFile(join(root, "models", "xai.yaml")));
  const pages: Record<string, string[]> = {};
  let simulated: { cashOut: number; p90: number } = { cashOut: 0, p90: 0 };

  beforeAll(async () => {
    for (const lang of ["en", "ar"]) {
      const out = join(dir, `xai.${lang}.pdf`);
      const r = await runCli("export", "models/xai.yaml", "--format", "pdf", "--lang", lang, "--simulate", "400", "--seed", "3", "--scenario", "no-new-equity", "--out", out);
      expect(r.stderr).toContain("wrote");
      writeFileSync(out, r.binaries.get(out)!);
      const count = Number(/Pages:\s+(\d+)/.exec(execFileSync("pdfinfo", [out], { encoding: "utf8" }))![1]);
      pages[lang] = Array.from({ length: count }, (_, i) => execFileSync("pdftotext", ["-f", String(i + 1), "-l", String(i + 1), out, "-"], { encoding: "utf8" }).replace(/[\u202a-\u202e\u200e\u200f]/g, ""));
    }
    const json = JSON.parse((await runCli("simulate", "models/xai.yaml", "-n", "400", "--seed", "3", "--scenario", "no-new-equity", "--format", "json")).stdout);
    simulated = { cashOut: json.probabilities.cashOut, p90: json.fundingGap.p90 };
  }, 120_000);

  const noNewEquity = () => projectModel(loadModelFile(join(root, "models", "xai.yaml"), { scenario: "no-new-equity" }));

  it("is self-contained HTML: no script, nothing fetched, print stylesheet, right to left in Arabic", async () => {
    const r = await runCli("export", "models/xai.yaml", "--format", "html", "--lang", "ar", "--out", "r.html");
    const html = r.files.get("r.html")!;
    expect(html).toMatch(/<html lang="ar" dir="rtl">/);
    expect(html).not.toMatch(/<script|https?:\/\/[^"\s]*\.(js|css|png|woff)|<link /);
    expect(html).toContain("@page");
    expect(html).toMatch(/<svg[^>]*role="img"/);
    expect(html).toContain("Noto Naskh Arabic");
  });

  it("the English PDF's first page answers the questions with the headline figures", () => {
    const m = noNewEquity().metrics;
    const first = pages.en[0];
    expect(first).toContain("xAI: will the money last?");
    expect(first).toContain("Scenario: no-new-equity");
    expect(first).toContain(`Cash runs out in ${new Date(m.cashOut + "-01").toLocaleString("en-US", { month: "long", year: "numeric", timeZone: "UTC" })}`);
    expect(first).toContain(`${m.runwayMonths} months of runway`);
    expect(first).toContain(`${formatNumberLocale(m.fundingGap, { lang: "en", digits: "latn" })} USD millions more cash at the start`);
    expect(first).toContain(formatNumberLocale(m.cumulativeBurn, { lang: "en", digits: "latn" }));
    expect(first).toContain(formatNumberLocale(simulated.cashOut, { lang: "en", digits: "latn", percent: true }));
    expect(first).toContain(formatNumberLocale(simulated.p90, { lang: "en", digits: "latn" }));
    expect(first).toContain("And if things go differently?");
  });

  it("the English PDF has its sections in order: charts, statements, scenarios, inputs with sources", () => {
    const find = (text: string) => pages.en.findIndex((p) => p.includes(text));
    const order = ["The questions, answered", "Charts", "Statements by fiscal year", "Scenarios compared with the base case", "Appendix: every input and its source"].map(find);
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(order[1]).toBe(1);
    expect(pages.en.length).toBeGreaterThan(order[4]);
    // Long paths and sources wrap in the PDF: compare without white space.
    const appendix = pages.en.slice(order[4]).join("\n").replace(/[\s-]+/g, "");
    expect(appendix).toContain("financing.debt.secured-notes.rate".replace(/-/g, ""));
    expect(appendix).toContain("12.5%yieldatfinalpricing");
    expect(pages.en[order[2]]).toContain(formatNumberLocale(xai.years[2].revenue, { lang: "en", digits: "latn" }));
  });

  it("the Arabic PDF holds the same figures, in Arabic", () => {
    const m = noNewEquity().metrics;
    const first = pages.ar[0];
    expect(first).toContain("هل يكفي المال؟");
    expect(first).toContain("متى ينفد النقد؟");
    expect(first).toContain("كم من التمويل");
    expect(first).toContain(formatNumberLocale(m.fundingGap, { lang: "ar", digits: "latn" }));
    expect(first).toContain(formatNumberLocale(m.cumulativeBurn, { lang: "ar", digits: "latn" }));
    expect(first).toContain(formatNumberLocale(simulated.cashOut * 100, { lang: "ar", digits: "latn" }));
    expect(pages.ar.length).toBeGreaterThan(4);
    expect(pages.ar.some((p) => p.includes("جميع المدخلات ومصادرها"))).toBe(true);
  });

  it("the docs show a picture of the first page in each language", () => {
    // Rendered by scripts/report-pictures.mjs (the README shows the command).
    const docs = readdirSync(join(root, "docs"));
    expect(docs).toEqual(expect.arrayContaining(["report-en.png", "report-ar.png"]));
    expect(readFileSync(join(root, "docs", "report-en.png")).subarray(1, 4).toString()).toBe("PNG");
  });
});
