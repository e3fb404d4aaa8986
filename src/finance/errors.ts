/**
 * The finance functions report failure the way Excel does — with one of its error
 * values — but as a thrown, typed error instead of an in-band value, so a caller cannot
 * silently carry a #NUM! into later arithmetic.
 */

/** Which Excel error value the failure corresponds to: #NUM!, #DIV/0! or #VALUE!. */
export type FinanceErrorCode = "NUM" | "DIV0" | "VALUE";

const EXCEL_ERROR_TEXT: Record<FinanceErrorCode, string> = {
  NUM: "#NUM!",
  DIV0: "#DIV/0!",
  VALUE: "#VALUE!",
};

export class FinanceError extends Error {
  /** The Excel error this corresponds to. */
  readonly code: FinanceErrorCode;

  constructor(code: FinanceErrorCode, message: string) {
    super(message);
    this.name = "FinanceError";
    this.code = code;
  }

  /** The error as Excel would display it in a cell, e.g. "#NUM!". */
  get excelError(): string {
    return EXCEL_ERROR_TEXT[this.code];
  }
}

/** Excel answers #VALUE! for an argument that is not a usable number. */
export function requireFinite(fn: string, name: string, value: number): void {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new FinanceError("VALUE", `${fn}: ${name} must be a finite number (got ${String(value)})`);
  }
}

export function requireFiniteArray(fn: string, name: string, values: readonly number[]): void {
  if (!Array.isArray(values)) {
    throw new FinanceError("VALUE", `${fn}: ${name} must be an array of numbers`);
  }
  for (let i = 0; i < values.length; i++) {
    requireFinite(fn, `${name}[${i}]`, values[i]);
  }
}

/**
 * Excel's annuity functions take `type` 0 (payments at the end of each period) or 1 (at
 * the beginning). Anything else is rejected rather than guessed at.
 */
export function requireTiming(fn: string, type: number): 0 | 1 {
  if (type === 0 || type === 1) return type;
  throw new FinanceError(
    "NUM",
    `${fn}: type must be 0 (payments at the end of each period) or 1 (at the beginning), got ${String(type)}`,
  );
}

/**
 * A closed form that overflows or leaves its domain produces Infinity or NaN, which Excel
 * reports as #NUM!.
 */
export function finiteResult(fn: string, value: number, hint: string): number {
  if (!Number.isFinite(value)) {
    throw new FinanceError("NUM", `${fn}: the result is not a finite number; ${hint}`);
  }
  // -0 is an artefact of multiplying by a zero rate, not a meaningful sign.
  return value === 0 ? 0 : value;
}
