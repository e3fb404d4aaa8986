import type { LoadedModel } from "../model/load.js";
import { buildWorkbook, type BuiltWorkbook, type WorkbookOptions, FMT } from "./workbook.js";
import { columnLetter, FIRST_MONTH_COLUMN, HEADER_ROWS, type Book, type Row, type Sheet } from "./grid.js";

type ExcelJS = typeof import("exceljs");

/** exceljs is large: loaded when a workbook is written, never at CLI start-up. */
async function loadExcelJs(): Promise<ExcelJS> {
  const mod = (await import("exceljs")) as unknown as { default?: ExcelJS } & ExcelJS;
  return mod.default ?? mod;
}

const STYLE_FONT: Partial<Record<NonNullable<Row["style"]>, { bold?: boolean; italic?: boolean; color?: { argb: string } }>> = {
  title: { bold: true },
  section: { bold: true },
  total: { bold: true },
  check: { italic: true, color: { argb: "FF7F7F7F" } },
  detail: { color: { argb: "FF404040" } },
  header: { bold: true },
};

/** The workbook as .xlsx bytes: statements as live formulas with the engine's values cached. */
export async function exportXlsx(loaded: LoadedModel, options: WorkbookOptions = {}): Promise<Uint8Array> {
  const built = buildWorkbook(loaded, options);
  return writeXlsx(built);
}

export async function writeXlsx(built: BuiltWorkbook): Promise<Uint8Array> {
  const ExcelJS = await loadExcelJs();
  const wb = new ExcelJS.Workbook();
  wb.creator = "burnrate";
  wb.created = new Date(0);
  wb.modified = new Date(0);
  // Excel recomputes every formula on opening, so what an analyst sees is always what the formulas say.
  wb.calcProperties.fullCalcOnLoad = true;
  const book = built.book;
  const H = built.compiled.months;
  for (const sheet of book.sheets) {
    book.current = sheet;
    writeSheet(wb, sheet, book, built.compiled.calendar.labels);
  }
  book.current = null;
  for (const { name, key } of built.names) {
    const sheet = book.sheetOf(key);
    wb.definedNames.add(`'${sheet.name}'!$C$${book.rowNumber(key)}`, name);
  }
  const buffer = await wb.xlsx.writeBuffer();
  return new Uint8Array(buffer as ArrayBuffer);
}

function writeSheet(wb: import("exceljs").Workbook, sheet: Sheet, book: Book, labels: string[]): void {
  const H = labels.length;
  const ws = wb.addWorksheet(sheet.name, { views: [{ state: "frozen", xSplit: sheet.monthly ? FIRST_MONTH_COLUMN - 1 : 1, ySplit: HEADER_ROWS }] });
  ws.getCell(1, 1).value = sheet.title;
  ws.getCell(1, 1).font = { bold: true, size: 13 };
  if (sheet.subtitle) ws.getCell(2, 1).value = sheet.subtitle;
  ws.getCell(2, 1).font = { italic: true, color: { argb: "FF595959" } };
  const headers = sheet.monthly ? ["", "Unit", "Total", ...labels] : (sheet.headers ?? []);
  headers.forEach((h, i) => {
    const c = ws.getCell(HEADER_ROWS, i + 1);
    c.value = h;
    c.font = { bold: true };
    c.alignment = { horizontal: i === 0 ? "left" : "right" };
    c.border = { bottom: { style: "thin" } };
  });
  let labelWidth = 12;
  sheet.rows.forEach((row, i) => {
    const r = HEADER_ROWS + 1 + i;
    const label = ws.getCell(r, 1);
    label.value = row.label;
    labelWidth = Math.max(labelWidth, Math.min(70, row.label.length + 2));
    const font = row.style ? STYLE_FONT[row.style] : undefined;
    if (font) label.font = font;
    if (row.note) label.note = row.note;
    if (row.unit) ws.getCell(r, 2).value = row.unit;
    if (row.scalar) setCell(ws.getCell(r, 3), row.scalar, row.scalar.fmt ?? row.fmt, font, book);
    if (row.months && sheet.monthly) {
      for (let t = 0; t < H; t++) {
        const cell = row.months(t);
        if (cell) setCell(ws.getCell(r, FIRST_MONTH_COLUMN + t), cell, cell.fmt ?? row.fmt, font, book);
      }
      // Column C: the horizon total of a flow in the model unit.
      if (!row.scalar && row.unit && row.key && /^(is|cf|debt):/.test(row.key) && !/nol|Open|opening|ending|balance|unamortized/.test(row.key)) {
        const from = `${columnLetter(FIRST_MONTH_COLUMN)}${r}`;
        const to = `${columnLetter(FIRST_MONTH_COLUMN + H - 1)}${r}`;
        let total = 0;
        for (let t = 0; t < H; t++) {
          const v = row.months(t)?.v;
          if (typeof v === "number") total += v;
        }
        setCell(ws.getCell(r, 3), { f: `SUM(${from}:${to})`, v: total }, row.fmt, font, book);
      }
    }
    row.texts?.forEach((text, j) => {
      if (text === null || text === undefined) return;
      if (typeof text === "object") setCell(ws.getCell(r, 4 + j), text, text.fmt, font, book);
      else ws.getCell(r, 4 + j).value = text;
    });
  });
  if (sheet.monthly) {
    ws.getColumn(1).width = labelWidth;
    ws.getColumn(2).width = 16;
    ws.getColumn(3).width = 14;
    for (let t = 0; t < H; t++) ws.getColumn(FIRST_MONTH_COLUMN + t).width = 11;
  } else {
    (sheet.widths ?? []).forEach((w, i) => (ws.getColumn(i + 1).width = w));
  }
}

function setCell(cell: import("exceljs").Cell, spec: { f?: string; v: unknown; note?: string }, fmt: string | undefined, font: object | undefined, book: Book): void {
  if (spec.f !== undefined) {
    const result = spec.v instanceof Date ? spec.v : typeof spec.v === "number" && !Number.isFinite(spec.v) ? undefined : (spec.v as number | string | null);
    cell.value = { formula: book.resolve(spec.f), result: result === null ? undefined : result } as import("exceljs").CellFormulaValue;
  } else cell.value = spec.v as import("exceljs").CellValue;
  if (fmt && fmt !== FMT.general) cell.numFmt = fmt;
  if (font) cell.font = font;
  if (spec.note) cell.note = spec.note;
}
