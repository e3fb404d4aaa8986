import { describe, it, expect, beforeAll } from "vitest";
import { readdirSync, readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import ExcelJS from "exceljs";
import { loadModelFile } from "../src/node/loadFile.js";
import type { LoadedModel } from "../src/model/load.js";
import { buildWorkbook, type BuiltWorkbook } from "../src/export/workbook.js";
import { writeXlsx } from "../src/export/xlsx.js";
import { FIRST_MONTH_COLUMN } from "../src/export/grid.js";
import { recalculateWithLibreOffice } from "./support/libreoffice.js";
import { isSystemText } from "../src/system/detect.js";

/**
 * The workbook is a second implementation of the engine in Excel formulas. It is checked
 * three ways: the values cached in the file are the engine's; LibreOffice, recalculating
 * every formula, gets the same statements; and after inputs are changed in the Inputs
 * sheet, LibreOffice's statements equal the engine's run with the same change.
 */
const root = join(import.meta.dirname, "..");
// Every shipped company model (a system of linked companies, models/system.yaml, is not one workbook).
const shippedModels = readdirSync(join(root, "models"))
  .filter((f) => f.endsWith(".yaml") && !isSystemText(readFileSync(join(root, "models", f), "utf8")))
  .map((f) => join("models", f));
const modelFiles = [...shippedModels, join("test", "fixtures", "small.yaml"), join("test", "fixtures", "export", "mechanics.yaml"), join("test", "fixtures", "export", "capitalized.yaml")];

/** Input changes an analyst might try, by the input's path; those the model lacks are skipped. */
function changesFor(built: BuiltWorkbook): { path: string; value: number | string }[] {
  const inputs = new Map(built.inputs.map((i) => [i.path, i]));
  const out: { path: string; value: number | string }[] = [];
  const take = (path: string, change: (v: number) => number) => {
    const i = inputs.get(path);
    if (i && i.kind === "number") out.push({ path, value: change(i.value) });
  };
  const shiftMonth = (path: string, months: number) => {
    const i = inputs.get(path);
    if (!i || i.kind !== "month") return;
    const serial = built.compiled.calendar.startSerial + i.value + months;
    const y = Math.floor(serial / 12);
    out.push({ path, value: `${y}-${String(serial - y * 12 + 1).padStart(2, "0")}` });
  };
  take("tax.rate", (v) => Math.min(1, v + 0.05));
  take("tax.lossOffsetLimit", (v) => Math.min(v, 0.8) - 0.05);
  // Opening cash moves with paid-in capital, so the opening balance sheet still balances.
  take("openingBalance.cash", (v) => v + 700);
  take("openingBalance.paidInCapital", (v) => v + 700);
  take("workingCapital.receivableDays", (v) => v + 10);
  const m = built.compiled.model;
  const yearly = Object.entries(m.drivers).find(([, d]) => typeof d === "object" && "yearly" in d && d.fill !== "smooth");
  if (yearly) {
    const years = Object.keys((yearly[1] as { yearly: Record<string, number> }).yearly);
    take(`drivers.${yearly[0]}.yearly.${years[Math.min(1, years.length - 1)]}`, (v) => v * 1.25 + 1);
  }
  const smooth = Object.entries(m.drivers).find(([, d]) => typeof d === "object" && "yearly" in d && d.fill === "smooth" && d.sumToYear);
  if (smooth) take(`drivers.${smooth[0]}.yearly.${Object.keys((smooth[1] as { yearly: Record<string, number> }).yearly)[2]}`, (v) => v * 1.4);
  const constant = Object.entries(m.drivers).find(([, d]) => typeof d === "object" && "constant" in d);
  if (constant) take(`drivers.${constant[0]}.constant`, (v) => v * 0.9);
  const tranche = Object.entries(m.financing.debt)[0];
  if (tranche) take(`financing.debt.${tranche[0]}.${tranche[1].rate !== undefined ? "rate" : "spread"}`, (v) => v + 0.02);
  const revolver = m.financing.revolver;
  if (revolver) take("financing.revolver.spread", (v) => v + 0.01);
  take("financing.revolver.commitmentFee", (v) => v + 0.002);
  const round = Object.keys(m.financing.equity)[0];
  if (round) {
    take(`financing.equity.${round}.amount`, (v) => v * 1.5);
    shiftMonth(`financing.equity.${round}.month`, 1);
  }
  // A cohort bought within the horizon (one bought before it is in the opening balance sheet).
  const cohort = built.compiled.cohorts.find((c) => !c.preStart)?.name;
  if (cohort) take(`fleet.${cohort}.count`, (v) => Math.round(v * 1.2));
  // GPU clouds: a late site, a dearer contract, a lower utilization, a faster price decline.
  const ext = built.inputs.map((i) => i.path);
  const first = (prefix: string, suffix: string) => ext.find((p) => p.startsWith(prefix) && p.endsWith(suffix));
  const delay = first("sites.", ".delayMonths");
  if (delay) take(delay, (v) => v + 2);
  const contractPrice = first("contracts.", ".pricePerGpuHour");
  if (contractPrice) take(contractPrice, (v) => v * 1.1);
  const takeOrPay = first("contracts.", ".takeOrPay");
  if (takeOrPay) take(takeOrPay, (v) => Math.max(0, v - 0.2));
  const decline = first("pricing.", ".declinePerYear");
  if (decline) take(decline, (v) => Math.min(0.9, v + 0.05));
  return out;
}

/** The same changes applied to the model, as `burnrate run` would see them in the file. */
function applyToModel(loaded: LoadedModel, changes: { path: string; value: number | string }[]): LoadedModel {
  const model = structuredClone(loaded.model) as unknown as Record<string, unknown>;
  const extensions = structuredClone(loaded.extensions);
  for (const { path, value } of changes) {
    const parts = path.split(".");
    let node = (parts[0] in model ? model : extensions) as Record<string, unknown>;
    for (const p of parts.slice(0, -1)) node = node[p] as Record<string, unknown>;
    const last = parts[parts.length - 1];
    // A number driver or opening balance written directly; constants and yearly values as keys.
    node[last] = value;
  }
  if (changes.some((c) => c.path === "tax.openingLossCarryforward")) throw new Error("unsupported change");
  return { ...loaded, model: model as unknown as LoadedModel["model"], extensions };
}

async function readRows(file: string, built: BuiltWorkbook): Promise<Map<string, number[]>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const out = new Map<string, number[]>();
  for (const { key } of built.checks) {
    const ws = wb.getWorksheet(built.book.sheetOf(key).name)!;
    const row = ws.getRow(built.book.rowNumber(key));
    const values: number[] = [];
    for (let t = 0; t < built.compiled.months; t++) {
      // exceljs's cell.value drops a cached result of 0; cell.result keeps it.
      const cell = row.getCell(FIRST_MONTH_COLUMN + t);
      values.push(cell.formula ? Number(cell.result) : Number(cell.value));
    }
    out.set(key, values);
  }
  return out;
}

function expectSameSeries(actual: Map<string, number[]>, expected: BuiltWorkbook["checks"], label: string): void {
  const problems: string[] = [];
  for (const { key, values } of expected) {
    const got = actual.get(key)!;
    for (let t = 0; t < values.length; t++) {
      const want = values[t];
      if (!(Math.abs(got[t] - want) <= 1e-6 * Math.max(1, Math.abs(want) / 1e6))) {
        problems.push(`${label} ${key} month ${t}: workbook ${got[t]}, engine ${want}`);
        break;
      }
    }
  }
  expect(problems).toEqual([]);
}

describe("export xlsx: statements are live formulas that reproduce the engine", () => {
  const dir = mkdtempSync(join(tmpdir(), "burnrate-xlsx-"));
  const cases: { file: string; built: BuiltWorkbook; changedEngine: BuiltWorkbook; original: string; changed: string; changes: { path: string; value: number | string }[] }[] = [];
  let recalculated: string[] = [];

  beforeAll(async () => {
    for (const file of modelFiles) {
      const loaded = loadModelFile(join(root, file));
      const built = buildWorkbook(loaded);
      const bytes = await writeXlsx(built);
      const name = file.replace(/[/\\]/g, "_").replace(/\.yaml$/, "");
      const original = join(dir, `${name}.xlsx`);
      writeFileSync(original, bytes);
      const changes = changesFor(built);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(bytes as unknown as ArrayBuffer);
      const inputs = wb.getWorksheet("Inputs")!;
      for (const c of changes) {
        const row = built.book.rowNumber(`in:${c.path}`);
        inputs.getCell(row, 3).value = typeof c.value === "string" ? new Date(Date.UTC(Number(c.value.slice(0, 4)), Number(c.value.slice(5, 7)) - 1, 1)) : c.value;
      }
      const changed = join(dir, `${name}-changed.xlsx`);
      await wb.xlsx.writeFile(changed);
      cases.push({ file, built, changedEngine: buildWorkbook(applyToModel(loaded, changes)), original, changed, changes });
    }
    recalculated = recalculateWithLibreOffice(cases.flatMap((c) => [c.original, c.changed]));
  }, 300_000);

  for (const [i, file] of modelFiles.entries()) {
    it(`${file}: statement cells hold formulas whose cached values are the engine's`, async () => {
      const c = cases[i];
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(c.original);
      for (const { key, values } of c.built.checks) {
        const ws = wb.getWorksheet(c.built.book.sheetOf(key).name)!;
        const row = ws.getRow(c.built.book.rowNumber(key));
        for (let t = 0; t < values.length; t++) {
          const cell = row.getCell(FIRST_MONTH_COLUMN + t);
          // A line outside its from/until months is a plain 0 (the months are structure).
          if (key.startsWith("line:") && cell.formula === undefined) {
            expect(cell.value, `${key} month ${t}`).toBe(0);
            expect(values[t]).toBe(0);
            continue;
          }
          expect(typeof cell.formula, `${key} month ${t} is a formula`).toBe("string");
          // + 0: a cached −0 reads back as 0.
          expect((cell.result as number) + 0, `${key} month ${t}`).toBe(values[t] + 0);
        }
      }
    });
    it(`${file}: LibreOffice recalculates the statements to the engine's figures`, async () => {
      expectSameSeries(await readRows(recalculated[2 * i], cases[i].built), cases[i].built.checks, "as exported");
    });
    it(`${file}: after changing inputs, LibreOffice's statements equal the engine's run with the same change`, async () => {
      const c = cases[i];
      expect(c.changes.length).toBeGreaterThan(2);
      // GPU clouds: contract and spot revenue recompute too (a late site, contract terms).
      if (c.built.compiled.extensionData.gpu) expect(c.changes.some((x) => /^(sites|contracts|pricing)\./.test(x.path))).toBe(true);
      expectSameSeries(await readRows(recalculated[2 * i + 1], c.built), c.changedEngine.checks, `changed ${c.changes.map((x) => x.path).join(", ")}`);
      // The change moved the statements (the test would be empty otherwise).
      const before = c.built.checks.find((x) => x.key === "cf:ending")!.values;
      const after = c.changedEngine.checks.find((x) => x.key === "cf:ending")!.values;
      expect(Array.from(after)).not.toEqual(Array.from(before));
    });
  }
});
