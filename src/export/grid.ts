/**
 * A spreadsheet described as data before it is written: sheets of rows, each row a label,
 * a unit, a value column and (on monthly sheets) one cell per month. Cells hold a formula
 * and the value it computes, so the file opens correct without recalculation. Formulas
 * refer to other rows by key; addresses are resolved after every sheet is laid out.
 */
export type CellValue = number | string | Date | null;

export interface Cell {
  /** Excel formula without "=". */
  f?: string;
  v: CellValue;
  /** A comment shown on the cell (why it is a value, where it comes from). */
  note?: string;
  fmt?: string;
}

export type RowStyle = "title" | "section" | "total" | "check" | "detail" | "header";

export interface Row {
  key?: string;
  label: string;
  unit?: string;
  fmt?: string;
  style?: RowStyle;
  /** Column C: a scalar (inputs, per-tranche figures) or a row total. */
  scalar?: Cell;
  /** One cell per month (monthly sheets). */
  months?: (t: number) => Cell | null;
  /** Further columns from D (list sheets: a month's index, source, note). */
  texts?: (string | number | Cell | null)[];
  /** A comment on the label. */
  note?: string;
}

export interface Sheet {
  name: string;
  /** Monthly sheets have month columns from D; list sheets have headers of their own. */
  monthly: boolean;
  title: string;
  subtitle?: string;
  headers?: string[];
  rows: Row[];
  /** Column widths for list sheets (characters). */
  widths?: number[];
}

export const FIRST_MONTH_COLUMN = 4; // D
export const HEADER_ROWS = 3;

export function columnLetter(index1: number): string {
  let n = index1;
  let s = "";
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

export function quoteSheet(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `'${name.replace(/'/g, "''")}'`;
}

/** Resolves row keys to addresses once every sheet's rows are known. */
export class Book {
  readonly sheets: Sheet[] = [];
  private readonly where = new Map<string, { sheet: Sheet; row: number }>();
  /** The sheet being written (references into it need no sheet name). */
  current: Sheet | null = null;

  add(sheet: Sheet): Sheet {
    this.sheets.push(sheet);
    return sheet;
  }

  layout(): void {
    this.where.clear();
    for (const sheet of this.sheets) {
      sheet.rows.forEach((row, i) => {
        if (!row.key) return;
        if (this.where.has(row.key)) throw new Error(`internal: row key ${row.key} used twice`);
        this.where.set(row.key, { sheet, row: HEADER_ROWS + 1 + i });
      });
    }
  }

  has(key: string): boolean {
    return this.where.has(key);
  }

  private locate(key: string): { sheet: Sheet; row: number } {
    const w = this.where.get(key);
    if (!w) throw new Error(`internal: no row ${key}`);
    return w;
  }

  private prefix(sheet: Sheet): string {
    return sheet === this.current ? "" : `${quoteSheet(sheet.name)}!`;
  }

  // Addresses are written as tokens while rows are being built (a row may refer to one
  // declared later) and resolved when a sheet is written: `resolve`.
  /** A row's cell in month t. */
  at(key: string, t: number): string {
    return `\u0001A|${key}|${t}\u0002`;
  }

  /** A row's value column (C), absolute. */
  scalar(key: string): string {
    return `\u0001S|${key}\u0002`;
  }

  /** Another column of a row (absolute), e.g. D for an input's month index. */
  column(key: string, letter: string): string {
    return `\u0001C|${key}|${letter}\u0002`;
  }

  /** A row's months t0…t1 as a range. */
  range(key: string, t0: number, t1: number): string {
    return `\u0001R|${key}|${t0}|${t1}\u0002`;
  }

  /** A row's months as an absolute range (for functions over the whole horizon). */
  wholeRange(key: string, months: number): string {
    return `\u0001W|${key}|${months}\u0002`;
  }

  /** Replaces the address tokens of a formula by A1 addresses, seen from the sheet being written. */
  resolve(formula: string): string {
    return formula.replace(/\u0001([ASCRW])\|([^\u0002]*)\u0002/g, (_, kind: string, body: string) => {
      const parts = body.split("|");
      // Keys may not contain "|"; the last fields are numbers or a column letter.
      const key = kind === "S" ? body : kind === "R" ? parts.slice(0, -2).join("|") : parts.slice(0, -1).join("|");
      const w = this.locate(key);
      const p = this.prefix(w.sheet);
      switch (kind) {
        case "A":
          return `${p}${columnLetter(FIRST_MONTH_COLUMN + Number(parts[parts.length - 1]))}${w.row}`;
        case "S":
          return `${p}$C$${w.row}`;
        case "C":
          return `${p}$${parts[parts.length - 1]}$${w.row}`;
        case "R":
          return `${p}${columnLetter(FIRST_MONTH_COLUMN + Number(parts[parts.length - 2]))}${w.row}:${columnLetter(FIRST_MONTH_COLUMN + Number(parts[parts.length - 1]))}${w.row}`;
        default:
          return `${p}$${columnLetter(FIRST_MONTH_COLUMN)}$${w.row}:$${columnLetter(FIRST_MONTH_COLUMN + Number(parts[parts.length - 1]) - 1)}$${w.row}`;
      }
    });
  }

  /** Absolute address of a row's label cell (A), for list sheets. */
  rowNumber(key: string): number {
    return this.locate(key).row;
  }

  sheetOf(key: string): Sheet {
    return this.locate(key).sheet;
  }
}
