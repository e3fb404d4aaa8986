import type { LoadedModel } from "../model/load.js";
import type { RunResult, PeriodRow } from "../engine/result.js";
import { ModelError, type ModelIssue } from "../model/issues.js";
import { horizonOf } from "../model/check.js";
import { parseMonth, monthSerial } from "../model/months.js";
import type { CompareOp, TargetKind } from "./schema.js";
import type { DerivedName, GpuField, MetricInfo } from "./catalogue.js";
import type { GpuReport } from "../gpu/report.js";
import { readTargets, appliesTo, type Target, type Tolerance } from "./validate.js";
import { serialLabel, spanLabel } from "./period.js";
import { caveatsFor, caveatsQualifying, type Caveat } from "../caveats/index.js";

/** How a target's figures read: amounts in the model unit, ratios, counts or months. */
export type TargetValueKind = "amount" | "ratio" | "count" | "month";

export interface TargetOutcome {
  name: string;
  metric: string;
  /** Human name of the metric. */
  label: string;
  /** The period as written, or null for whole-horizon metrics. */
  period: string | null;
  /** The months the period covers, e.g. "2025-07 … 2025-09". */
  months: string | null;
  compare: CompareOp;
  kind: TargetValueKind;
  /** The reported figure; a month for month-valued metrics; null for "never". */
  reported: number | string | null;
  /** The model's figure; null where the model has none (no such month within the horizon, a ratio with a zero denominator). */
  model: number | string | null;
  /** model − reported (in months for month-valued metrics); null when either is missing. */
  difference: number | null;
  /** (model − reported) ÷ |reported|; null for months or when reported is 0. */
  relativeDifference: number | null;
  tolerance: Tolerance | null;
  pass: boolean;
  /**
   * pass; fail; or explained — an independent check outside its tolerance whose gap a
   * named caveat explains (shown as a gap, not counted as a failure).
   */
  status: "pass" | "fail" | "explained";
  /** calibration (an input was set from this figure) or check (independent). */
  targetKind: TargetKind;
  /** Inputs set from this figure (calibration targets). */
  calibrates: string[];
  /** Caveats (names in the model's `caveats:`) named by the target, then those that qualify its figure. */
  caveats: string[];
  source: string | null;
  assumption: string | null;
  derivation: string | null;
  note: string | null;
  /** Why it failed, or a caveat on how the model's figure was read. */
  explanation: string | null;
}

/** Passed, failed and explained targets of one kind. */
export interface TargetTally {
  total: number;
  passed: number;
  failed: number;
  /** Checks outside tolerance whose gap a caveat explains. */
  explained: number;
}

export interface TargetReport {
  model: string;
  file: string;
  scenario: string | null;
  currency: string;
  unit: string;
  targets: TargetOutcome[];
  passed: number;
  /** Targets outside their tolerance with no caveat explaining the gap (calibration targets cannot be explained). */
  failed: number;
  explained: number;
  /** Targets an input was set from: agreement is by construction. */
  calibration: TargetTally;
  /** Independent checks: no input was set from them. */
  checks: TargetTally;
  /** Targets in the file that apply to other runs (another scenario, or the base case). */
  skipped: { name: string; scenarios: string[] }[];
  /** Warnings about the targets section (a tolerance that is ignored, a month outside the horizon), with positions. */
  warnings: ModelIssue[];
  /** The caveats of the run (numbered in this order where the table marks them). */
  caveats: Caveat[];
}

const sum = (rows: PeriodRow[], t0: number, t1: number, f: (r: PeriodRow) => number): number => {
  let s = 0;
  for (let t = t0; t <= t1; t++) s += f(rows[t]);
  return s;
};

const ratio = (num: number, den: number): number | null => (Math.abs(den) > 1e-12 ? num / den : null);

/** A derived measure (cash burn, margins, DSCR, …) over months t0…t1 of a run's monthly rows; null where its denominator is zero. */
export function derivedValue(d: DerivedName, rows: PeriodRow[], t0: number, t1: number): number | null {
  switch (d) {
    case "cashBurn":
      return -sum(rows, t0, t1, (r) => r.freeCashFlow);
    case "averageMonthlyBurn":
      return -sum(rows, t0, t1, (r) => r.freeCashFlow) / (t1 - t0 + 1);
    case "dscr": {
      const service = sum(rows, t0, t1, (r) => r.debtService);
      return service > 1e-12 ? sum(rows, t0, t1, (r) => r.ebitda - r.taxes) / service : null;
    }
    case "grossMargin":
      return ratio(sum(rows, t0, t1, (r) => r.grossProfit), sum(rows, t0, t1, (r) => r.revenue));
    case "ebitdaMargin":
      return ratio(sum(rows, t0, t1, (r) => r.ebitda), sum(rows, t0, t1, (r) => r.revenue));
    case "netMargin":
      return ratio(sum(rows, t0, t1, (r) => r.netIncome), sum(rows, t0, t1, (r) => r.revenue));
    case "capexToRevenue":
      return ratio(sum(rows, t0, t1, (r) => r.capex), sum(rows, t0, t1, (r) => r.revenue));
  }
}

/** A GPU-report figure over months t0…t1 (backlog at t1); null without GPU sections. */
export function gpuValue(field: GpuField, itemKind: "flow" | "balance", result: RunResult, t0: number, t1: number): { value: number | null; caveat: string | null } {
  const gpu = (result as RunResult & { gpu?: GpuReport }).gpu;
  if (!gpu) return { value: null, caveat: "the model has no GPU-cloud sections" };
  const rows = gpu.months;
  if (itemKind === "balance") return { value: rows[t1][field], caveat: null };
  let s = 0;
  for (let t = t0; t <= t1; t++) s += rows[t][field];
  return { value: s, caveat: null };
}

function valueKind(info: MetricInfo): TargetValueKind {
  if (info.scope === "horizon") return info.valueType === "month" ? "month" : info.valueType === "count" ? "count" : info.ratio ? "ratio" : "amount";
  return info.ratio ? "ratio" : "amount";
}

/** The model's figure for a target, and a caveat on how to read it. */
function modelValue(target: Target, result: RunResult, startSerial: number): { value: number | string | null; caveat: string | null } {
  const info = target.info;
  if (info.scope === "period") {
    const p = target.period!;
    const t0 = p.firstSerial - startSerial;
    const t1 = p.lastSerial - startSerial;
    const rows = result.months;
    if (info.kind === "item") {
      if (info.itemKind === "balance") return { value: rows[t1][info.item], caveat: null };
      return { value: sum(rows, t0, t1, (r) => r[info.item]), caveat: null };
    }
    if (info.kind === "gpu") return gpuValue(info.field, info.itemKind, result, t0, t1);
    const v = derivedValue(info.derived, rows, t0, t1);
    return { value: v, caveat: v === null ? (info.derived === "dscr" ? "no debt service in the period" : "no revenue in the period") : null };
  }
  const m = result.metrics;
  switch (info.field) {
    case "covenantBreaches":
      return { value: m.covenantBreaches.length, caveat: null };
    case "runwayMonths":
      return { value: m.runwayMonths, caveat: m.runwayBeyondHorizon ? `cash lasts the whole horizon, so the runway is ${m.runwayMonths} months or more` : null };
    case "minDscr":
    case "minDscrPeriod":
      return { value: m[info.field], caveat: m.minDscr === null ? "no debt service within the horizon" : null };
    case "interestCoverage":
    case "netDebtToEbitda":
    case "maxNetDebtToEbitda":
      return { value: m[info.field], caveat: m[info.field] === null ? "not defined (no interest, or EBITDA not positive)" : null };
    default:
      return { value: m[info.field], caveat: null };
  }
}

const EPS = 1e-9;

function compareNumbers(op: CompareOp, model: number, reported: number, tolerance: Tolerance | null): boolean {
  const eps = EPS * Math.max(1, Math.abs(reported));
  switch (op) {
    case "approx": {
      const allowed = tolerance && "absolute" in tolerance ? tolerance.absolute : (tolerance && "relative" in tolerance ? tolerance.relative : 0.02) * Math.abs(reported);
      return Math.abs(model - reported) <= allowed + eps;
    }
    case "gt":
      return model > reported;
    case "gte":
      return model >= reported - eps;
    case "lt":
      return model < reported;
    case "lte":
      return model <= reported + eps;
  }
}

const OP_WORD: Record<CompareOp, string> = { approx: "about", gt: "after", gte: "in or after", lt: "before", lte: "in or before" };

/**
 * Month-valued targets. A month that does not come within the horizon (cash never
 * runs out) is only known to be later than the horizon's last month, so a comparison
 * that needs its exact month cannot pass.
 */
function compareMonths(target: Target, model: string | null, horizonEnd: number): { pass: boolean; difference: number | null; explanation: string | null } {
  const reported = target.value as string | null;
  const tol = target.tolerance && "months" in target.tolerance ? target.tolerance.months : 0;
  const info = target.info;
  const none = info.scope === "horizon" ? info.none : undefined;
  if (reported === null) {
    return model === null
      ? { pass: true, difference: null, explanation: null }
      : { pass: false, difference: null, explanation: `expected none within the horizon; the model has ${model}` };
  }
  const r = monthSerial(parseMonth(reported)!);
  if (model !== null) {
    const m = monthSerial(parseMonth(model)!);
    const d = m - r;
    const pass = target.compare === "approx" ? Math.abs(d) <= tol : target.compare === "gt" ? m > r : target.compare === "gte" ? m >= r : target.compare === "lt" ? m < r : m <= r;
    return { pass, difference: d, explanation: pass ? null : `the model has ${model}, ${Math.abs(d)} month${Math.abs(d) === 1 ? "" : "s"} ${d > 0 ? "later" : d < 0 ? "earlier" : "off"}` };
  }
  if (none !== "later") return { pass: false, difference: null, explanation: "the model has no such month" };
  // The model's month is somewhere after the horizon: at least horizonEnd + 1.
  const least = horizonEnd + 1;
  const horizonWord = `not within the horizon (ends ${serialLabel(horizonEnd)})`;
  switch (target.compare) {
    case "approx":
      return least > r + tol
        ? { pass: false, difference: null, explanation: `${horizonWord}, later than ${reported}${tol ? ` ± ${tol}` : ""}` }
        : { pass: false, difference: null, explanation: `${horizonWord}; extend the horizon past ${reported} to test this target` };
    case "gt":
    case "gte": {
      const pass = target.compare === "gt" ? least > r : least >= r;
      return { pass, difference: null, explanation: pass ? `${horizonWord}, so ${OP_WORD[target.compare]} ${reported}` : `${horizonWord}; extend the horizon past ${reported} to test this target` };
    }
    case "lt":
    case "lte":
      return { pass: false, difference: null, explanation: `${horizonWord}, so not ${OP_WORD[target.compare]} ${reported}` };
  }
}

function evaluateOne(target: Target, result: RunResult, startSerial: number, horizonEnd: number): TargetOutcome {
  const outcome = evaluateRaw(target, result, startSerial, horizonEnd);
  const explained = !outcome.pass && target.kind === "check" && target.caveats.length > 0;
  return { ...outcome, status: outcome.pass ? "pass" : explained ? "explained" : "fail" };
}

function evaluateRaw(target: Target, result: RunResult, startSerial: number, horizonEnd: number): Omit<TargetOutcome, "status"> {
  const { value: model, caveat } = modelValue(target, result, startSerial);
  const kind = valueKind(target.info);
  const base = {
    name: target.name,
    metric: target.metric,
    label: target.info.label,
    period: target.period?.text ?? null,
    months: target.period ? spanLabel(target.period) : null,
    compare: target.compare,
    kind,
    reported: target.value,
    model,
    tolerance: target.tolerance,
    targetKind: target.kind,
    calibrates: target.calibrates,
    caveats: target.caveats,
    source: target.source,
    assumption: target.assumption,
    derivation: target.derivation,
    note: target.note,
  };
  if (kind === "month") {
    const c = compareMonths(target, model as string | null, horizonEnd);
    return { ...base, difference: c.difference, relativeDifference: null, pass: c.pass, explanation: c.explanation ?? caveat };
  }
  const reported = target.value as number;
  if (model === null || typeof model !== "number" || !Number.isFinite(model)) {
    return { ...base, model: null, difference: null, relativeDifference: null, pass: false, explanation: `the model has no value: ${caveat ?? "not defined"}` };
  }
  const difference = model - reported;
  const pass = compareNumbers(target.compare, model, reported, target.tolerance);
  return {
    ...base,
    difference,
    relativeDifference: reported !== 0 ? difference / Math.abs(reported) : null,
    pass,
    explanation: caveat,
  };
}

/**
 * Compares a run with the targets that apply to it (the base case's targets for a
 * run without scenario, a scenario's own targets for a run under it). Throws
 * ModelError, with positions, when the `targets` section is malformed.
 */
export function evaluateTargets(loaded: LoadedModel, result: RunResult): TargetReport {
  const { targets, issues } = readTargets(loaded);
  if (issues.some((i) => i.severity === "error")) throw new ModelError(issues);
  const startSerial = monthSerial(parseMonth(loaded.model.meta.start)!);
  const horizonEnd = horizonOf(loaded.model).end;
  const applicable = targets.filter((t) => appliesTo(t, loaded.scenario));
  const caveats = caveatsFor(loaded);
  const outcomes = applicable.map((t) => {
    const o = evaluateOne(t, result, startSerial, horizonEnd);
    const qualifying = caveatsQualifying(caveats, { metric: t.metric, period: t.period?.text ?? null }, loaded.model.meta.fiscalYearStart).map((c) => c.id);
    return { ...o, caveats: [...new Set([...t.caveats, ...qualifying])] };
  });
  const passed = outcomes.filter((o) => o.status === "pass").length;
  const explained = outcomes.filter((o) => o.status === "explained").length;
  const tally = (k: TargetKind): TargetTally => {
    const of = outcomes.filter((o) => o.targetKind === k);
    return { total: of.length, passed: of.filter((o) => o.status === "pass").length, failed: of.filter((o) => o.status === "fail").length, explained: of.filter((o) => o.status === "explained").length };
  };
  return {
    model: result.model,
    file: loaded.file,
    scenario: loaded.scenario,
    currency: result.currency,
    unit: result.unit,
    targets: outcomes,
    passed,
    failed: outcomes.length - passed - explained,
    explained,
    calibration: tally("calibration"),
    checks: tally("check"),
    skipped: targets.filter((t) => !appliesTo(t, loaded.scenario)).map((t) => ({ name: t.name, scenarios: t.scenarios })),
    warnings: issues.filter((i) => i.severity === "warning"),
    caveats,
  };
}
