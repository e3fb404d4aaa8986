import { z } from "zod";
import type { LoadedModel } from "../model/load.js";
import type { IssuePath, ModelIssue } from "../model/issues.js";
import { fromZodIssues } from "../model/zodIssues.js";
import { didYouMean } from "../model/suggest.js";
import { ITEM_NAMES } from "../engine/items.js";
import { METRIC_NAMES } from "../targets/catalogue.js";
import { parsePeriod } from "../targets/period.js";
import { citedIds } from "../register/cite.js";

/**
 * A model's caveats: what a reader must know to read a figure right (a measure that
 * differs from the reported one, an assumed covenant level, a gap to a reported figure
 * and why), each with its source, and the figures it qualifies. `run`, `verify`,
 * `compare` and `actuals` print them next to those figures and carry them in JSON.
 *
 *   caveats:
 *     covenant-levels:
 *       text: CoreWeave's covenant levels are not public; the levels tested are assumed.
 *       assumption: typical levels for contract-backed GPU loans
 *       metrics: [covenantBreaches]
 *       covenants: [min-dscr, max-leverage]
 */
const nameList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
const periodList = z.union([z.string().min(1), z.number(), z.array(z.union([z.string().min(1), z.number()])).min(1)]);

export const caveatSchema = z
  .strictObject({
    id: z.string().min(1).optional().describe("The caveat's name (list form only; in the mapping form the key is its name)."),
    text: z.string().min(1).describe("What the reader must know, in one or two sentences."),
    source: z.string().min(1).optional().describe("Register IDs in brackets, e.g. [CW-24]."),
    assumption: z.string().min(1).optional().describe("Why, when the caveat rests on a judgement rather than a source."),
    metrics: nameList.optional().describe("Figures it qualifies: whole-horizon metrics (cashOut, fundingGap, covenantBreaches, minDscr, …), derived measures (cashBurn, …) or line items."),
    lines: nameList.optional().describe("Statement line items (revenue, interestExpense, …) or the model's own lines it qualifies."),
    periods: periodList.optional().describe('Periods it is about: "2027", "2025-Q3", "2025-06", "2025-01..2025-09". Omitted: every period.'),
    scenarios: nameList.optional().describe('Scenarios under which it applies ("base" for the base case). Omitted: every run.'),
    covenants: nameList.optional().describe("Covenants it qualifies (names under financing.covenants)."),
    note: z.string().optional(),
  })
  .describe("A caveat: what a reader must know to read some figures right, with its source.");

export const caveatsSectionSchema = z
  .union([z.record(z.string(), caveatSchema), z.array(caveatSchema)])
  .describe("Caveats printed next to the figures they qualify (run, verify, compare, actuals).");

/** A caveat as runs carry it (plain data, in the run's JSON). */
export interface Caveat {
  id: string;
  text: string;
  source: string | null;
  assumption: string | null;
  /** Register IDs its source names. */
  ids: string[];
  metrics: string[];
  lines: string[];
  periods: string[];
  covenants: string[];
  scenarios: string[];
  /** true for caveats burnrate adds itself (a covenant level without a source). */
  automatic: boolean;
}

/** Each covenant, its level, and whether that level comes from a source or is assumed. */
export interface CovenantLevel {
  name: string;
  metric: string;
  bound: "min" | "max";
  limit: number;
  /** true when no `source` covers the level (assumption only, or nothing). */
  assumed: boolean;
  source: string | null;
  assumption: string | null;
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

interface RawEntry {
  name: string | null;
  path: IssuePath;
  data: unknown;
}

function entriesOf(raw: unknown): RawEntry[] | null {
  if (raw === undefined || raw === null) return [];
  if (Array.isArray(raw)) return raw.map((data, i) => ({ name: data && typeof data === "object" && typeof (data as { id?: unknown }).id === "string" ? (data as { id: string }).id : null, path: ["caveats", i], data }));
  if (typeof raw === "object") return Object.entries(raw as Record<string, unknown>).map(([name, data]) => ({ name, path: ["caveats", name], data }));
  return null;
}

function parse(loaded: Pick<LoadedModel, "extensions" | "model">): { caveats: Caveat[]; issues: Omit<ModelIssue, "position">[] } {
  const issues: Omit<ModelIssue, "position">[] = [];
  const caveats: Caveat[] = [];
  const entries = entriesOf(loaded.extensions.caveats);
  if (entries === null) {
    issues.push({ code: "invalid_type", path: ["caveats"], severity: "error", message: "`caveats` is a mapping of caveat names to caveats (text:, source: or assumption:, and optionally metrics:, lines:, periods:, scenarios:, covenants:)" });
    return { caveats, issues };
  }
  const model = loaded.model;
  const lineNames = [...ITEM_NAMES, ...Object.keys(model.lines)];
  const scenarioNames = ["base", ...Object.keys(model.scenarios)];
  const covenantNames = Object.keys(model.financing.covenants);
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    const parsed = caveatSchema.safeParse(entry.data, { reportInput: true });
    if (!parsed.success) {
      issues.push(...fromZodIssues(caveatSchema, parsed.error.issues, entry.data, entry.path));
      return;
    }
    const c = parsed.data;
    const error = (code: string, at: IssuePath, message: string, params?: Record<string, unknown>) => issues.push({ code, path: [...entry.path, ...at], severity: "error", message, params });
    const name = entry.name ?? `caveat-${index + 1}`;
    if (!Array.isArray(loaded.extensions.caveats) && c.id !== undefined) error("unknown_key", ["id"], "`id` is only for the list form of caveats; here the key above is the caveat's name");
    if (seen.has(name)) error("duplicate_caveat", [], `two caveats are named "${name}"`);
    seen.add(name);
    if (!c.source && !c.assumption) error("uncited_caveat", [], "a caveat needs `source:` (register IDs, e.g. [CW-24]) or `assumption:` (why)");
    const check = (key: "metrics" | "lines" | "scenarios" | "covenants", known: readonly string[], what: string) => {
      const raw = c[key];
      list(raw).forEach((v, i) => {
        if (known.includes(v)) return;
        const s = didYouMean(v, known);
        error(key === "metrics" ? "unknown_metric" : `unknown_${key.slice(0, -1)}`, Array.isArray(raw) ? [key, i] : [key], `unknown ${what} "${v}"${s ? ` — did you mean "${s}"?` : ""}`, key === "metrics" ? { metric: v, suggestion: s } : { name: v, suggestion: s });
      });
    };
    check("metrics", METRIC_NAMES, "metric");
    check("lines", lineNames, "line (a statement item or one of the model's lines)");
    check("scenarios", scenarioNames, "scenario");
    check("covenants", covenantNames, "covenant");
    const periods: string[] = [];
    list(c.periods).forEach((p, i) => {
      const span = parsePeriod(p, model.meta.fiscalYearStart);
      if (typeof span === "string") error("bad_period", Array.isArray(c.periods) ? ["periods", i] : ["periods"], span);
      else periods.push(span.text);
    });
    caveats.push({
      id: name,
      text: c.text,
      source: c.source ?? null,
      assumption: c.assumption ?? null,
      ids: citedIds(c.source).ids,
      metrics: list(c.metrics),
      lines: list(c.lines),
      periods,
      covenants: list(c.covenants),
      scenarios: list(c.scenarios),
      automatic: false,
    });
  });
  return { caveats, issues };
}

/** Problems in the `caveats:` section, positioned (for `burnrate check`). */
export function checkCaveats(loaded: LoadedModel): ModelIssue[] {
  return parse(loaded).issues.map((i) => ({ ...i, position: loaded.source.valuePosition(i.path) }));
}

/** Every covenant with its level and whether a source covers it. */
export function covenantLevels(loaded: Pick<LoadedModel, "model" | "inputs">): CovenantLevel[] {
  return Object.entries(loaded.model.financing.covenants).map(([name, cov]) => {
    const bound: "min" | "max" = cov.min !== undefined ? "min" : "max";
    const input = loaded.inputs.find((i) => i.path.length === 4 && i.path[0] === "financing" && i.path[1] === "covenants" && i.path[2] === name && i.path[3] === bound);
    const source = input?.citation?.source ?? null;
    return { name, metric: cov.metric, bound, limit: (cov.min ?? cov.max)!, assumed: !source, source, assumption: input?.citation?.assumption ?? null };
  });
}

const BOUND_TEXT = { min: "≥", max: "≤" } as const;

/**
 * The caveats that apply to a run of the model (its scenario decides), with one
 * automatic caveat for covenant levels that no source covers — so that a reported
 * breach always says the level was assumed. Throws nothing: a malformed section is
 * reported by `burnrate check` and loaded as far as it is valid.
 */
export function caveatsFor(loaded: Pick<LoadedModel, "extensions" | "model" | "inputs" | "scenario">): Caveat[] {
  const { caveats } = parse(loaded);
  const run = loaded.scenario ?? "base";
  const out = caveats.filter((c) => c.scenarios.length === 0 || c.scenarios.includes(run));
  const assumed = covenantLevels(loaded).filter((c) => c.assumed);
  const covered = new Set(out.flatMap((c) => c.covenants));
  const uncovered = assumed.filter((c) => !covered.has(c.name));
  if (uncovered.length > 0) {
    out.push({
      id: "assumed-covenant-levels",
      text: `Assumed covenant level${uncovered.length === 1 ? "" : "s"}: ${uncovered.map((c) => `${c.name} (${c.metric} ${BOUND_TEXT[c.bound]} ${c.limit})`).join(", ")} ${uncovered.length === 1 ? "is" : "are"} not from a source; covenant breaches are tests against ${uncovered.length === 1 ? "this assumed level" : "these assumed levels"}, not against the company's actual covenants.`,
      source: null,
      assumption: uncovered.map((c) => c.assumption).filter(Boolean).join(" / ") || "no source or assumption is given for the level",
      ids: [],
      metrics: ["covenantBreaches"],
      lines: [],
      periods: [],
      covenants: uncovered.map((c) => c.name),
      scenarios: [],
      automatic: true,
    });
  }
  return out;
}

export { caveatsQualifying, caveatNumbers, caveatMarkText } from "./marks.js";
