import type { LoadedModel } from "../model/load.js";
import type { IssuePath, ModelIssue } from "../model/issues.js";
import { fromZodIssues } from "../model/zodIssues.js";
import { didYouMean } from "../model/suggest.js";
import { horizonOf } from "../model/check.js";
import { parseMonth, monthSerial } from "../model/months.js";
import { METRIC_NAMES, metricInfo, type MetricInfo } from "../targets/catalogue.js";
import { parsePeriod, serialLabel, spanLabel, type PeriodSpan } from "../targets/period.js";
import { citedIds } from "../register/cite.js";
import { actualSchema, actualsFileSchema } from "./schema.js";

/** What an actual measures: a period measure of the catalogue, or one of the model's own lines. */
export type ActualMeasure = { kind: "catalogue"; info: MetricInfo & { scope: "period" } } | { kind: "line"; line: string };

/** A validated reported figure. */
export interface Actual {
  name: string;
  path: IssuePath;
  metric: string;
  label: string;
  measure: ActualMeasure;
  period: PeriodSpan;
  value: number;
  source: string | null;
  /** Register IDs its source names. */
  ids: string[];
  address: string | null;
  published: string | null;
  measureNote: string | null;
  assumption: string | null;
  derivation: string | null;
  note: string | null;
}

export interface ActualsSet {
  /** Where they were read: the model (its `actuals:` section) or a file. */
  origin: string;
  company: string | null;
  threshold: number | null;
  actuals: Actual[];
}

type Issue = Omit<ModelIssue, "position">;

export const DEFAULT_THRESHOLD = 0.1;

function entries(raw: unknown, base: IssuePath): { name: string | null; path: IssuePath; data: unknown }[] | null {
  if (Array.isArray(raw)) return raw.map((data, i) => ({ name: data && typeof data === "object" && typeof (data as { name?: unknown }).name === "string" ? (data as { name: string }).name : null, path: [...base, i], data }));
  if (raw && typeof raw === "object") return Object.entries(raw as Record<string, unknown>).map(([name, data]) => ({ name, path: [...base, name], data }));
  return null;
}

/**
 * Validates actuals against a model: the figure measured (a period measure or a line
 * of the model), the period (inside the horizon: flows need the whole period, balances
 * its last month), the source (register IDs, or an address and a date). `raw` is either
 * an `actuals:` section (list or mapping) or a whole actuals file ({company, threshold,
 * actuals}); `base` is the path of the list within the data it came from.
 */
export function parseActuals(raw: unknown, loaded: Pick<LoadedModel, "model">, origin: string, options: { fileForm?: boolean } = {}): { set: ActualsSet; issues: Issue[] } {
  const issues: Issue[] = [];
  let list: unknown = raw;
  let base: IssuePath = ["actuals"];
  let company: string | null = null;
  let threshold: number | null = null;
  if (options.fileForm) {
    const parsed = actualsFileSchema.safeParse(raw, { reportInput: true });
    if (!parsed.success) {
      // Report the file's own keys; the entries are checked one by one below.
      const top = parsed.error.issues.filter((i) => i.path.length === 0 || i.path[0] !== "actuals" || i.path.length === 1);
      if (top.length) issues.push(...fromZodIssues(actualsFileSchema, top, raw));
    } else {
      company = parsed.data.company ?? null;
      threshold = parsed.data.threshold ?? null;
    }
    list = raw && typeof raw === "object" ? (raw as { actuals?: unknown }).actuals : undefined;
  } else base = ["actuals"];
  const set: ActualsSet = { origin, company, threshold, actuals: [] };
  const items = entries(list, base);
  if (items === null) {
    if (list !== undefined) issues.push({ code: "invalid_type", path: base, severity: "error", message: "`actuals` is a list (or mapping) of reported figures: metric, period, value, source" });
    return { set, issues };
  }
  const model = loaded.model;
  const h = horizonOf(model);
  const startSerial = monthSerial(parseMonth(model.meta.start)!);
  const lineNames = Object.keys(model.lines);
  const seen = new Set<string>();
  items.forEach((item) => {
    const parsed = actualSchema.safeParse(item.data, { reportInput: true });
    if (!parsed.success) {
      issues.push(...fromZodIssues(actualSchema, parsed.error.issues, item.data, item.path));
      return;
    }
    const a = parsed.data;
    const before = issues.length;
    const error = (code: string, at: IssuePath, message: string) => issues.push({ code, path: [...item.path, ...at], severity: "error", message });
    let measure: ActualMeasure | null = null;
    const info = metricInfo(a.metric);
    if (info && info.scope === "period") measure = { kind: "catalogue", info };
    else if (info) error("horizon_metric", ["metric"], `${a.metric} is a whole-horizon metric; an actual is a figure for a period (revenue, ebitda, netIncome, cashBurn, endingCash, …)`);
    else if (lineNames.includes(a.metric)) measure = { kind: "line", line: a.metric };
    else {
      const s = didYouMean(a.metric, [...METRIC_NAMES, ...lineNames]);
      error("unknown_metric", ["metric"], `unknown figure "${a.metric}"${s ? ` — did you mean "${s}"?` : "; use a line item of the run (revenue, ebitda, netIncome, interestExpense, endingCash, debt, …), a derived measure (cashBurn, …) or one of the model's lines"}`);
    }
    const period = parsePeriod(a.period, model.meta.fiscalYearStart);
    if (typeof period === "string") error("bad_period", ["period"], period);
    else {
      const balance = measure?.kind === "catalogue" && (measure.info.kind === "item" || measure.info.kind === "gpu") && measure.info.itemKind === "balance";
      const first = balance ? period.lastSerial : period.firstSerial;
      if (first < h.start || period.lastSerial > h.end) error("period_outside_horizon", ["period"], `${period.text} (${spanLabel(period)}) is not inside the model's horizon ${serialLabel(startSerial)} … ${serialLabel(h.end)}`);
    }
    const { ids } = citedIds(a.source);
    if (!a.source) error("uncited_actual", [], "an actual needs `source:` — register IDs in brackets ([CW-22]), or the publisher with `address:` and `published:`");
    else if (ids.length === 0 && (!a.address || !a.published)) error("unfollowable_actual", ["source"], "this source names no register entry: give `address:` (where it was read) and `published:` (its date), or cite a register ID");
    const name = item.name ?? `${a.metric} ${typeof period === "string" ? a.period : period.text}`;
    if (seen.has(name)) error("duplicate_actual", [], `two actuals are named "${name}"`);
    seen.add(name);
    if (issues.length > before || !measure || typeof period === "string") return;
    set.actuals.push({
      name,
      path: item.path,
      metric: a.metric,
      label: measure.kind === "catalogue" ? measure.info.label : `line ${a.metric}`,
      measure,
      period,
      value: a.value,
      source: a.source ?? null,
      ids,
      address: a.address ?? null,
      published: a.published ?? null,
      measureNote: a.measure ?? null,
      assumption: a.assumption ?? null,
      derivation: a.derivation ?? null,
      note: a.note ?? null,
    });
  });
  return { set, issues };
}

/** Problems in a model's own `actuals:` section, positioned (for `burnrate check`). */
export function checkActualsSection(loaded: LoadedModel): ModelIssue[] {
  if (loaded.extensions.actuals === undefined) return [];
  return parseActuals(loaded.extensions.actuals, loaded, loaded.file).issues.map((i) => ({ ...i, position: loaded.source.valuePosition(i.path) }));
}
