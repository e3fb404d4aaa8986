import { UNIT_SCALE } from "../model/derived.js";
import type { Model } from "../model/schema.js";
import { REGISTER_ID_RE } from "./ids.js";
import type { FigureValue } from "./schema.js";
import type { RegisterEntry, SourceRegister } from "./register.js";

/**
 * How a citation names register entries: IDs in square brackets anywhere in the text
 * (`Bloomberg's projection [XA-05]`, `[XA-05, XA-07]`, a run `[GE-19…GE-24]`), or a
 * text that is nothing but IDs (`source: XA-02`, `source: "XA-02, S000-10"`).
 */
export interface CitedIds {
  ids: string[];
  /** Bracketed groups that mix IDs with other words (e.g. an old "[facts: x.md XA-02]"). */
  malformed: string[];
}

const TOKEN_SPLIT = /[,;\s]+/;
const RANGE_SPLIT = /…|\.\./;

function expandToken(token: string): string[] | null {
  const parts = token.split(RANGE_SPLIT);
  if (parts.length === 2 && REGISTER_ID_RE.test(parts[0]) && REGISTER_ID_RE.test(parts[1])) {
    // XA-19…XA-21: the same prefix, numbered.
    const a = /^(.*-)(\d+)$/.exec(parts[0]);
    const b = /^(.*-)(\d+)$/.exec(parts[1]);
    if (a && b && a[1] === b[1] && Number(b[2]) >= Number(a[2]) && Number(b[2]) - Number(a[2]) <= 50) {
      const width = a[2].length;
      const out: string[] = [];
      for (let n = Number(a[2]); n <= Number(b[2]); n++) out.push(`${a[1]}${String(n).padStart(width, "0")}`);
      return out;
    }
    return null;
  }
  return REGISTER_ID_RE.test(token) ? [token] : null;
}

export function citedIds(text: string | undefined | null): CitedIds {
  const ids: string[] = [];
  const malformed: string[] = [];
  if (!text) return { ids, malformed };
  const add = (list: string[]) => {
    for (const id of list) if (!ids.includes(id)) ids.push(id);
  };
  const whole = text.trim().split(TOKEN_SPLIT).filter(Boolean);
  const wholeIds = whole.map(expandToken);
  if (whole.length > 0 && wholeIds.every((x) => x !== null)) {
    add(wholeIds.flat() as string[]);
    return { ids, malformed };
  }
  for (const match of text.matchAll(/\[([^\]]*)\]/g)) {
    const tokens = match[1].split(TOKEN_SPLIT).filter(Boolean);
    const expanded = tokens.map(expandToken);
    const found = expanded.filter((x): x is string[] => x !== null);
    if (found.length === 0) continue;
    if (found.length !== tokens.length) malformed.push(match[0]);
    add(found.flat());
  }
  return { ids, malformed };
}

/** The values an entry's figure can take in a model's terms (amounts rescaled, percents as decimals, …). */
function candidates(figure: number, unit: string | undefined, modelUnit: Model["meta"]["unit"]): number[] {
  if (!unit) return [figure];
  const u = unit.trim().toLowerCase();
  const amount = /^([a-z]{3})(?: (thousands|millions|billions))?$/.exec(u);
  if (amount) {
    const scale = amount[2] ? UNIT_SCALE[amount[2] as keyof typeof UNIT_SCALE] : 1;
    return [(figure * scale) / UNIT_SCALE[modelUnit]];
  }
  if (u === "percent" || u === "%") return [figure / 100];
  if (u === "bp") return [figure / 10_000];
  if (u === "years") return [figure, figure * 12];
  if (u.includes("cents")) return [figure / 100, figure];
  if (u === "gw") return [figure, figure * 1000];
  if (u === "mw") return [figure, figure / 1000];
  return [figure];
}

const RELATIVE = 0.005;
const close = (a: number, b: number) => Math.abs(a - b) <= RELATIVE * Math.abs(b) + 1e-9;

function valueMatches(input: number | string, figure: FigureValue, modelUnit: Model["meta"]["unit"]): boolean {
  if (typeof input === "string") return typeof figure.value === "string" && figure.value === input;
  if (figure.range) {
    const lows = candidates(figure.range[0], figure.unit, modelUnit);
    const highs = candidates(figure.range[1], figure.unit, modelUnit);
    return lows.some((lo, i) => input >= Math.min(lo, highs[i]) - RELATIVE * Math.abs(lo) - 1e-9 && input <= Math.max(lo, highs[i]) + RELATIVE * Math.abs(highs[i]) + 1e-9);
  }
  if (typeof figure.value !== "number") return false;
  return candidates(figure.value, figure.unit, modelUnit).some((c) => close(input, c));
}

/**
 * The first figure of the cited entries that an input's value reproduces (within 0.5%,
 * after converting units), or null. Only the kind of value the input is counts: a
 * month input is compared with month figures, a number with numbers.
 */
export function matchingFigure(input: number | string, entries: RegisterEntry[], modelUnit: Model["meta"]["unit"]): { entry: RegisterEntry; figure: FigureValue } | null {
  for (const entry of entries) for (const figure of entry.values) if (valueMatches(input, figure, modelUnit)) return { entry, figure };
  return null;
}

/** "500 USD millions (2025 revenue)" — for messages. */
export function figureText(figure: FigureValue): string {
  const v = figure.range ? `${figure.range[0]}–${figure.range[1]}` : String(figure.value);
  return `${v}${figure.unit ? ` ${figure.unit}` : ""}${figure.what ? ` (${figure.what})` : ""}`;
}

/** The entries a citation names that exist, and the IDs it names that do not. */
export function resolveIds(register: SourceRegister | null | undefined, ids: string[]): { entries: RegisterEntry[]; unknown: string[] } {
  const entries: RegisterEntry[] = [];
  const unknown: string[] = [];
  for (const id of ids) {
    const e = register?.entries.get(id);
    if (e) entries.push(e);
    else unknown.push(id);
  }
  return { entries, unknown };
}
