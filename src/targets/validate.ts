import type { Model } from "../model/schema.js";
import type { LoadedModel } from "../model/load.js";
import { loadModelSource } from "../model/load.js";
import { horizonOf } from "../model/check.js";
import { parseMonth, monthSerial } from "../model/months.js";
import { ModelError, type IssuePath, type ModelIssue } from "../model/issues.js";
import { fromZodIssues } from "../model/zodIssues.js";
import { didYouMean } from "../model/suggest.js";
import { targetSchema, type CompareOp, type TargetKind } from "./schema.js";
import { METRIC_NAMES, DERIVED_NAMES, HORIZON_FIELDS, metricInfo, isMonthValued, type MetricInfo } from "./catalogue.js";
import { nameList } from "../model/text.js";
import { parsePeriod, serialLabel, spanLabel, type PeriodSpan } from "./period.js";

export type Tolerance = { relative: number } | { absolute: number } | { months: number };

/** A validated target, ready to evaluate against a run. */
export interface Target {
  name: string;
  /** Where it is written: ["targets", name] (or ["targets", index] in the list form). */
  path: IssuePath;
  metric: string;
  info: MetricInfo;
  /** null for whole-horizon metrics. */
  period: PeriodSpan | null;
  compare: CompareOp;
  /** A number, a month "YYYY-MM", or null for "never" (the event does not happen within the horizon). */
  value: number | string | null;
  /** How close `approx` must be; null for gt/gte/lt/lte. */
  tolerance: Tolerance | null;
  source: string | null;
  assumption: string | null;
  derivation: string | null;
  note: string | null;
  /** Scenarios under which the target applies; empty = the base case only. */
  scenarios: string[];
  /** calibration (an input was set from it) or check (independent). */
  kind: TargetKind;
  /** True when the file says which kind; false when it defaulted to check. */
  kindStated: boolean;
  /** Inputs set from this figure (calibration targets). */
  calibrates: string[];
  /** Caveats that explain a gap between the model and this figure. */
  caveats: string[];
}

type Issue = Omit<ModelIssue, "position">;

export const DEFAULT_TOLERANCE = 0.02;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function unknownMetricMessage(metric: string): string {
  const suggestion = didYouMean(metric, METRIC_NAMES);
  if (suggestion) return `unknown metric "${metric}" — did you mean "${suggestion}"?`;
  return (
    `unknown metric "${metric}"; use a line item of the run (revenue, netIncome, freeCashFlow, endingCash, debt, capex, interestExpense, paidInCapital, equityRaised, … — every line of \`burnrate run --format json\`), ` +
    `a derived measure (${DERIVED_NAMES.join(", ")}) or a whole-horizon metric (${HORIZON_FIELDS.join(", ")})`
  );
}

/** The horizon of a model as month serials. */
function horizonSerials(model: Model): { first: number; last: number } {
  const h = horizonOf(model);
  return { first: monthSerial(parseMonth(model.meta.start)!), last: h.end };
}

/**
 * Validates the raw `targets` section (as the loader passes it through) against a
 * model: shapes, metric names, periods, values and tolerances that fit the metric,
 * scenario names. Positions are added by the caller. Horizon checks are left to
 * `checkTargetsAgainstHorizon`, because a scenario may change the horizon.
 */
export function parseTargets(raw: unknown, model: Model, context: { data?: unknown; caveatNames?: string[]; strict?: boolean } = {}): { targets: Target[]; issues: Issue[] } {
  const issues: Issue[] = [];
  const targets: Target[] = [];
  if (raw === undefined || raw === null) return { targets, issues };
  let entries: { name: string | null; path: IssuePath; data: unknown }[];
  if (Array.isArray(raw)) entries = raw.map((data, i) => ({ name: isPlainObject(data) && typeof data.name === "string" ? data.name : null, path: ["targets", i], data }));
  else if (isPlainObject(raw)) entries = Object.entries(raw).map(([name, data]) => ({ name, path: ["targets", name], data }));
  else {
    issues.push({ code: "invalid_type", path: ["targets"], severity: "error", message: "`targets` is a mapping of target names to targets (metric:, period:, value:, source:, …)" });
    return { targets, issues };
  }
  const seen = new Set<string>();
  const scenarioNames = Object.keys(model.scenarios);
  for (const entry of entries) {
    const { path } = entry;
    const error = (code: string, at: IssuePath, message: string, params?: Record<string, unknown>) => issues.push({ code, path: [...path, ...at], severity: "error", message, params });
    const warning = (code: string, at: IssuePath, message: string) => issues.push({ code, path: [...path, ...at], severity: "warning", message });
    if (!isPlainObject(entry.data)) {
      error("invalid_type", [], "a target is a mapping with metric:, value:, source: (and period:, tolerance:, compare:, note:, scenario:)");
      continue;
    }
    if (!Array.isArray(raw) && "name" in entry.data) {
      error("unknown_key", ["name"], "`name` is only for the list form of targets; here the key above is the target's name");
      continue;
    }
    const parsed = targetSchema.safeParse(entry.data, { reportInput: true });
    if (!parsed.success) {
      issues.push(...fromZodIssues(targetSchema, parsed.error.issues, entry.data, path));
      continue;
    }
    const t = parsed.data;
    const name = entry.name ?? `${t.metric}${t.period !== undefined ? ` ${t.period}` : ""}`;
    if (seen.has(name)) {
      error("duplicate_target", Array.isArray(raw) ? ["name"] : [], `two targets are named "${name}"; give each a different name`);
      continue;
    }
    seen.add(name);
    const before = issues.filter((i) => i.severity === "error").length;

    const info = metricInfo(t.metric);
    if (!info) error("unknown_metric", ["metric"], unknownMetricMessage(t.metric), { metric: t.metric, suggestion: didYouMean(t.metric, METRIC_NAMES) });

    let period: PeriodSpan | null = null;
    if (info && info.scope === "horizon" && t.period !== undefined) {
      error("period_not_allowed", ["period"], `${t.metric} is a whole-horizon metric; remove \`period\` (it is measured over the model's whole horizon)`);
    } else if (info && info.scope === "period") {
      if (t.period === undefined) error("missing_key", [], `required key "period" is missing: ${t.metric} is measured over a period — give a fiscal year "2025", quarter "2025-Q3", month "2025-06" or range "2025-07..2025-09"`);
      else {
        const p = parsePeriod(t.period, model.meta.fiscalYearStart);
        if (typeof p === "string") error("bad_period", ["period"], p);
        else period = p;
      }
    } else if (!info && t.period !== undefined) {
      const p = parsePeriod(t.period, model.meta.fiscalYearStart);
      if (typeof p === "string") error("bad_period", ["period"], p);
    }

    let value: number | string | null = null;
    const monthValued = info ? isMonthValued(info) : false;
    if (info) {
      if (monthValued) {
        if (typeof t.value === "number") error("bad_target_value", ["value"], `${t.metric} is a month; write the reported month as "YYYY-MM" (e.g. "2027-01"), or "never" when it does not happen within the horizon`);
        else if (t.value === "never") value = null;
        else if (!parseMonth(t.value)) error("bad_target_value", ["value"], `"${t.value}" is not a month; write it as "YYYY-MM" (e.g. "2027-01"), or "never"`);
        else value = t.value;
        if (t.value === "never" && t.compare !== "approx") error("bad_target_value", ["compare"], `"never" can only be compared with approx (the event does not happen within the horizon)`);
        if (t.value === "never" && info.scope === "horizon" && info.none === "undefined") error("bad_target_value", ["value"], `${t.metric} always has a month when it is defined; "never" does not apply`);
      } else if (typeof t.value === "string") {
        error("bad_target_value", ["value"], `${t.metric} is a number; write the reported figure in the model unit (${model.meta.currency} ${model.meta.unit}), not text "${t.value}"`);
      } else value = t.value;
    }

    let tolerance: Tolerance | null = null;
    if (t.tolerance) {
      const keys = (["relative", "absolute", "months"] as const).filter((k) => t.tolerance![k] !== undefined);
      if (keys.length !== 1) error("bad_tolerance", ["tolerance"], `give exactly one of relative, absolute or months (found ${keys.length === 0 ? "none" : keys.join(", ")})`);
      else if (info) {
        const k = keys[0];
        if (monthValued && k !== "months") error("bad_tolerance", ["tolerance", k], `${t.metric} is a month; give its tolerance as { months: N }`);
        else if (!monthValued && k === "months") error("bad_tolerance", ["tolerance", k], `${t.metric} is not a month; give its tolerance as { relative: 0.02 } or { absolute: N }`);
        else tolerance = k === "relative" ? { relative: t.tolerance.relative! } : k === "absolute" ? { absolute: t.tolerance.absolute! } : { months: t.tolerance.months! };
      }
    }
    if (t.compare !== "approx") {
      if (t.tolerance) warning("tolerance_ignored", ["tolerance"], `tolerance applies only to compare: approx; with compare: ${t.compare} it is ignored`);
      tolerance = null;
    } else if (!tolerance) {
      // Months and counts (runway, covenant breaches) are whole numbers: exact unless told otherwise.
      const whole = info?.scope === "horizon" && info.valueType === "count";
      tolerance = monthValued ? { months: 0 } : whole ? { absolute: 0 } : { relative: DEFAULT_TOLERANCE };
    }
    if (t.tolerance?.relative !== undefined && value === 0) {
      warning("relative_tolerance_of_zero", ["tolerance", "relative"], "a relative tolerance around a reported 0 allows no difference at all; give tolerance: { absolute: N }");
    }

    if (t.source === undefined && t.assumption === undefined) {
      error("uncited_target", [], "a target needs `source:` (publication, address, date [facts: …]) — or `assumption:` saying why, when it is not a reported figure");
    }

    const scenarios = t.scenario === undefined ? [] : Array.isArray(t.scenario) ? t.scenario : [t.scenario];
    scenarios.forEach((s, i) => {
      if (scenarioNames.includes(s)) return;
      const suggestion = didYouMean(s, scenarioNames);
      error("unknown_scenario", Array.isArray(t.scenario) ? ["scenario", i] : ["scenario"], `no scenario named "${s}"${suggestion ? ` — did you mean "${suggestion}"?` : scenarioNames.length ? `; the model has: ${nameList(scenarioNames)}` : "; the model defines no scenarios"}`);
    });

    const calibrates = t.calibrates === undefined ? [] : Array.isArray(t.calibrates) ? t.calibrates : [t.calibrates];
    const caveats = t.caveat === undefined ? [] : Array.isArray(t.caveat) ? t.caveat : [t.caveat];
    if (t.kind === undefined && context.strict) {
      error("target_kind_missing", [], "say what kind of target this is: `kind: calibration` (an input was set from this figure) or `kind: check` (independent: no input was set from it)");
    }
    if (calibrates.length && t.kind !== "calibration") {
      error("calibrates_on_check", ["calibrates"], "`calibrates` lists the inputs set from this figure, so the target is `kind: calibration`; an independent check calibrates nothing");
    }
    if (t.kind === "calibration" && calibrates.length === 0 && context.strict) {
      error("calibration_without_inputs", ["kind"], "a calibration target says which input(s) were set from it: `calibrates: [openingBalance.cash]`");
    }
    if (context.data !== undefined) {
      calibrates.forEach((p, i) => {
        if (pathExists(context.data, p)) return;
        error("unknown_input_path", Array.isArray(t.calibrates) ? ["calibrates", i] : ["calibrates"], `no input at "${p}"; give the dotted path of the input set from this figure (e.g. openingBalance.cash, drivers.revenue.yearly.2027)`, { path: p });
      });
    }
    if (context.caveatNames !== undefined) {
      caveats.forEach((c, i) => {
        if (context.caveatNames!.includes(c)) return;
        const s = didYouMean(c, context.caveatNames!);
        error("unknown_caveat", Array.isArray(t.caveat) ? ["caveat", i] : ["caveat"], `no caveat named "${c}"${s ? ` — did you mean "${s}"?` : context.caveatNames!.length ? `; the model has: ${context.caveatNames!.join(", ")}` : "; the model has no `caveats:` section"}`, { name: c, suggestion: s });
      });
    }

    if (issues.filter((i) => i.severity === "error").length > before || !info) continue;
    targets.push({
      name,
      path,
      metric: t.metric,
      info,
      period,
      compare: t.compare,
      value,
      tolerance,
      source: t.source ?? null,
      assumption: t.assumption ?? null,
      derivation: t.derivation ?? null,
      note: t.note ?? null,
      scenarios,
      kind: t.kind ?? "check",
      kindStated: t.kind !== undefined,
      calibrates,
      caveats,
    });
  }
  return { targets, issues };
}

/** True when a dotted path names something in the model data (a key, a list index). */
export function pathExists(data: unknown, dotted: string): boolean {
  let node: unknown = data;
  for (const part of dotted.split(".")) {
    if (Array.isArray(node) && /^\d+$/.test(part)) node = node[Number(part)];
    else if (node && typeof node === "object" && part in (node as Record<string, unknown>)) node = (node as Record<string, unknown>)[part];
    else return false;
  }
  return true;
}

function caveatNamesOf(loaded: Pick<LoadedModel, "extensions">): string[] {
  const raw = loaded.extensions.caveats;
  if (Array.isArray(raw)) return raw.map((c) => (c && typeof c === "object" && typeof (c as { id?: unknown }).id === "string" ? (c as { id: string }).id : "")).filter(Boolean);
  if (raw && typeof raw === "object") return Object.keys(raw);
  return [];
}

/**
 * Checks that each target's period (and a month-valued target's month) lies in the
 * horizon of the model it is run against. Flows need the whole period inside the
 * horizon — a partial sum would silently differ from the reported figure; balances
 * need its last month.
 */
export function checkTargetsAgainstHorizon(targets: Target[], model: Model): Issue[] {
  const issues: Issue[] = [];
  const h = horizonSerials(model);
  const horizon = `${serialLabel(h.first)} … ${serialLabel(h.last)}`;
  for (const t of targets) {
    if (t.period && t.info.scope === "period") {
      const balance = (t.info.kind === "item" || t.info.kind === "gpu") && t.info.itemKind === "balance";
      if (balance) {
        if (t.period.lastSerial < h.first || t.period.lastSerial > h.last) {
          issues.push({ code: "period_outside_horizon", path: [...t.path, "period"], severity: "error", message: `${t.metric} is a balance taken at the end of ${t.period.text} (${serialLabel(t.period.lastSerial)}), which is outside the horizon ${horizon}` });
        }
      } else if (t.period.firstSerial < h.first || t.period.lastSerial > h.last) {
        issues.push({
          code: "period_outside_horizon",
          path: [...t.path, "period"],
          severity: "error",
          message: `the period ${t.period.text} (${spanLabel(t.period)}) is not wholly inside the horizon ${horizon}; ${t.metric} is summed over the period, so a partial period would not match the reported figure — change the period or the horizon`,
        });
      }
    }
    if (typeof t.value === "string") {
      const s = monthSerial(parseMonth(t.value)!);
      if (s < h.first || s > h.last) {
        issues.push({ code: "month_outside_horizon", path: [...t.path, "value"], severity: "warning", message: `the reported month ${t.value} is outside the horizon ${horizon}; the model can only say whether the event falls before or after it` });
      }
    }
  }
  return issues;
}

/** True when the target applies to a run under this scenario (null = the base case). */
export function appliesTo(target: Target, scenario: string | null): boolean {
  return scenario === null ? target.scenarios.length === 0 : target.scenarios.includes(scenario);
}

function position(loaded: Pick<LoadedModel, "source">, issue: Issue): ModelIssue {
  const keyProblem = issue.code === "unknown_key" || issue.code === "missing_key" || issue.code === "invalid_key";
  return { ...issue, position: keyProblem ? loaded.source.keyPosition(issue.path) : loaded.source.valuePosition(issue.path) };
}

/** In the order of the file, so that problems read top to bottom. */
function byPosition(issues: ModelIssue[]): ModelIssue[] {
  return issues
    .map((issue, i) => ({ issue, i }))
    .sort((a, b) => (a.issue.position?.line ?? 0) - (b.issue.position?.line ?? 0) || (a.issue.position?.col ?? 0) - (b.issue.position?.col ?? 0) || a.i - b.i)
    .map((x) => x.issue);
}

/**
 * Reads the targets of a loaded model (the scenario it was loaded with decides the
 * horizon of the targets that apply to it). Issues carry positions.
 */
export function readTargets(loaded: LoadedModel): { targets: Target[]; issues: ModelIssue[] } {
  const { targets, issues } = parseTargets(loaded.extensions.targets, loaded.model, { data: loaded.baseData, caveatNames: caveatNamesOf(loaded) });
  const applicable = targets.filter((t) => appliesTo(t, loaded.scenario));
  issues.push(...checkTargetsAgainstHorizon(applicable, loaded.model));
  return { targets, issues: byPosition(issues.map((i) => position(loaded, i))) };
}

/**
 * Every problem with the `targets` section, for `burnrate check`: the section itself,
 * and each scenario's targets against that scenario's horizon. A scenario that does
 * not load is left to the scenario checks, which report it.
 */
export function checkTargets(loaded: LoadedModel, strict = false): ModelIssue[] {
  const { targets, issues } = parseTargets(loaded.extensions.targets, loaded.model, { data: loaded.baseData, caveatNames: caveatNamesOf(loaded), strict });
  const base = loaded.scenario === null ? loaded : loadModelSource(loaded.source);
  issues.push(...checkTargetsAgainstHorizon(targets.filter((t) => appliesTo(t, null)), base.model));
  const scenarios = new Set(targets.flatMap((t) => t.scenarios));
  for (const name of scenarios) {
    let model: Model;
    try {
      model = loadModelSource(loaded.source, { scenario: name }).model;
    } catch (error) {
      if (error instanceof ModelError) continue;
      throw error;
    }
    issues.push(...checkTargetsAgainstHorizon(targets.filter((t) => appliesTo(t, name)), model));
  }
  // A target that applies to several scenarios with the same horizon would repeat its problem.
  const seen = new Set<string>();
  const unique = issues.filter((i) => {
    const key = `${i.code}\u0000${i.path.join(".")}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return byPosition(unique.map((i) => position(loaded, i)));
}
