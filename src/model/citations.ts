import type { IssuePath } from "./issues.js";

export interface Citation {
  source?: string;
  assumption?: string;
  /** How the number was derived from what `source` reports (a sum, a ratio, a split, a unit change). */
  derivation?: string;
  /** Path of the object the citation was written on (the number itself or an ancestor). */
  from: IssuePath;
}

export interface CitedValue {
  path: IssuePath;
  value: number | string;
  citation?: Citation;
}

const WRAPPER_KEYS = new Set(["value", "source", "assumption", "derivation", "note"]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isWrapper(value: unknown): value is { value: number | string; source?: string; assumption?: string; derivation?: string } {
  if (!isPlainObject(value) || !Object.hasOwn(value, "value")) return false;
  if (!Object.keys(value).every((k) => WRAPPER_KEYS.has(k))) return false;
  return typeof value.value === "number" || typeof value.value === "string";
}

/**
 * Replaces `{ value, source }` wrappers by their value and returns the citation of
 * the wrapper at its path. Runs on the raw data before validation, so that the
 * schema sees plain numbers and scenario paths address numbers directly.
 */
export function unwrapCitedValues(data: unknown): { data: unknown; wrapped: Map<string, Citation> } {
  const wrapped = new Map<string, Citation>();
  const visit = (node: unknown, path: IssuePath): unknown => {
    if (isWrapper(node)) {
      wrapped.set(path.join("."), { source: node.source, assumption: node.assumption, derivation: node.derivation, from: path });
      return node.value;
    }
    if (Array.isArray(node)) return node.map((item, i) => visit(item, [...path, i]));
    if (isPlainObject(node)) {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) out[key] = visit(child, [...path, key]);
      return out;
    }
    return node;
  };
  return { data: visit(data, []), wrapped };
}

/** Keys whose values are inputs worth citing are numbers; these are not inputs. */
const NOT_INPUT_KEYS = new Set(["source", "assumption", "derivation", "note", "description", "company", "currency", "unit", "category", "type", "fill", "amortization", "basis", "test", "lands", "extends", "after", "metric", "tolerance", "period", "kind", "base"]);

/**
 * Every numeric input of a model (and formulas, which hold numbers) with the citation
 * that covers it: its own wrapper, else the nearest enclosing object's `source` or
 * `assumption`. Scenarios and targets are left out: they cite themselves.
 */
export function listInputs(data: unknown, wrapped: Map<string, Citation>): CitedValue[] {
  const out: CitedValue[] = [];
  const visit = (node: unknown, path: IssuePath, inherited: Citation | undefined): void => {
    const own = wrapped.get(path.join("."));
    if (typeof node === "number" || (typeof node === "string" && path.length > 0 && isFormulaLike(path, node))) {
      out.push({ path, value: node, citation: own ?? inherited });
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, [...path, i], inherited));
      return;
    }
    if (isPlainObject(node)) {
      let here = inherited;
      if (typeof node.source === "string" || typeof node.assumption === "string" || typeof node.derivation === "string") {
        here = { source: node.source as string | undefined, assumption: node.assumption as string | undefined, derivation: node.derivation as string | undefined, from: path };
      }
      for (const [key, child] of Object.entries(node)) {
        if (path.length === 0 && (key === "scenarios" || key === "targets" || key === "uncertain" || key === "correlation" || key === "caveats" || key === "actuals" || key === "register")) continue;
        if (NOT_INPUT_KEYS.has(key)) continue;
        visit(child, [...path, key], here);
      }
    }
  };
  visit(data, [], undefined);
  return out;
}

function isFormulaLike(path: IssuePath, text: string): boolean {
  // Months are inputs (a draw's month comes from a filing as much as its amount);
  // names are not; formulas are when they hold numbers.
  if (/^\d{4}-\d{2}$/.test(text)) return true;
  const last = String(path[path.length - 1]);
  if (last === "formula" || last === "value" || last === "powerPrice") return /\d/.test(text);
  if (path[0] === "drivers" && path.length === 2) return /\d/.test(text);
  return false;
}
