import { z } from "zod";
import type { LoadedModel } from "../model/load.js";
import type { CompiledModel } from "../engine/compile.js";
import { ModelError, type IssuePath, type ModelIssue } from "../model/issues.js";
import { fromZodIssues } from "../model/zodIssues.js";
import { didYouMean } from "../model/suggest.js";
import { nameList } from "../model/text.js";
import { parseMonth, monthSerial } from "../model/months.js";
import type { ApplyMode, SampleTarget, UncertainInput, UncertainProcess, UncertaintySpec } from "./sample.js";
export { applySample, describeUncertainty, uncertaintyFromDescription } from "./sample.js";
export type { ApplyMode, SampleTarget, UncertainInput, UncertainProcess, UncertaintySpec, UncertaintyDescription } from "./sample.js";
import {
  makeDistribution,
  fromQuantiles,
  DistributionError,
  validateCorrelation,
  nearestCorrelation,
  type Distribution,
  type DistributionSpec,
  type FromQuantilesKind,
  FROM_QUANTILES_KINDS,
} from "./math/index.js";
import { prepareImanConoverTarget } from "./math/imanConover.js";

/**
 * The `uncertain:` and `correlation:` sections: which inputs vary, how, and together.
 *
 *   uncertain:
 *     growth2027: { path: drivers.revenue.yearly.2027, distribution: triangular, min: 3000, mode: 5400, max: 7000 }
 *     utilization: { path: drivers.utilization.constant, distribution: beta, p10: 0.55, p90: 0.85 }  # from quantiles
 *     delay: { path: fleet.b200.inService, distribution: discrete, values: [0, 2, 4], probabilities: [0.6, 0.3, 0.1] }
 *     sofr: { driver: sofr, process: ou, theta: 0.5, sigma: 0.01, longRun: 0.035 }
 *   correlation:
 *     inputs: [growth2027, utilization]
 *     matrix: [[1, 0.6], [0.6, 1]]
 */
const finite = z.number().refine(Number.isFinite, "expected a finite number");
const citation = { source: z.string().optional(), assumption: z.string().optional(), derivation: z.string().optional(), note: z.string().optional(), description: z.string().optional() };

/** discreteUniform: min and max may be months, the sample then is a month (set into a month input). */
const monthText = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "expected a number, or a month as YYYY-MM (discreteUniform)");

const distributionInput = z.strictObject({
  path: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .describe("Dotted path of the input it varies (e.g. drivers.revenue.yearly.2027), or a list of paths that the same sample moves together (a shared factor, a delay on both purchase and inService)."),
  distribution: z.enum(["normal", "lognormal", "triangular", "pert", "uniform", "beta", "discrete", "bernoulli", "discreteUniform"]),
  apply: z.enum(["set", "add", "multiply"]).optional().describe("set (default; for month inputs: add): the sample replaces the input, is added to it, or multiplies it."),
  mean: finite.optional(),
  sd: finite.optional(),
  mu: finite.optional(),
  sigma: finite.optional(),
  min: z.union([finite, monthText]).optional(),
  mode: finite.optional(),
  max: z.union([finite, monthText]).optional(),
  lambda: finite.optional(),
  alpha: finite.optional(),
  beta: finite.optional(),
  values: z.array(finite).optional(),
  probabilities: z.array(finite).optional(),
  p: finite.optional(),
  p10: finite.optional(),
  p90: finite.optional(),
  truncate: z.strictObject({ min: finite.optional(), max: finite.optional() }).optional(),
  ...citation,
});

const processInput = z.strictObject({
  driver: z.string().min(1).describe("The driver whose monthly series the process moves."),
  process: z.enum(["randomWalk", "gbm", "ou", "jump"]),
  sigma: finite.optional().describe("randomWalk: monthly sd (driver units); gbm: annual volatility; ou: annual volatility (driver units)."),
  drift: finite.optional().describe("randomWalk: monthly drift (driver units); gbm: annual drift of the log."),
  theta: finite.optional().describe("ou: speed of mean reversion per year."),
  longRun: finite.optional().describe("ou: the level it reverts to (default: the driver's own path)."),
  from: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "expected a month as YYYY-MM").optional().describe("First month the process moves the driver (default: the second month of the horizon); earlier months keep the driver's own values."),
  probability: finite.optional().describe("jump: probability of a jump in any month."),
  size: finite.optional().describe("jump: relative size of each jump (−0.3 = a 30% drop); it persists."),
  ...citation,
});

export const uncertainSectionSchema = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, "names are letters, digits, _ and -"), z.union([distributionInput, processInput]));
export const correlationSectionSchema = z.strictObject({
  inputs: z.array(z.string()).min(2),
  matrix: z.array(z.array(finite)),
  ...citation,
});

function issue(loaded: LoadedModel, code: string, path: IssuePath, message: string, severity: "error" | "warning" = "error", params?: Record<string, unknown>): ModelIssue {
  return { code, path, message, severity, position: loaded.source.valuePosition(path), ...(params ? { params } : {}) };
}

/**
 * Validates the sections against the compiled model and builds the distributions. Every
 * problem at once, positioned; a correlation matrix that is not positive semidefinite is
 * repaired (Higham 2002) with a warning saying how much each entry moved.
 */
export function compileUncertainty(loaded: LoadedModel, compiled: CompiledModel): UncertaintySpec {
  const raw = loaded.extensions.uncertain;
  const issues: ModelIssue[] = [];
  const warnings: ModelIssue[] = [];
  const inputs: UncertainInput[] = [];
  const processes: UncertainProcess[] = [];
  if (raw === undefined) return { inputs, processes, correlation: null, preparedCorrelation: null, warnings };
  const parsed = uncertainSectionSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const zodIssues = fromZodIssues(uncertainSectionSchema, parsed.error.issues, raw, ["uncertain"]);
    throw new ModelError(zodIssues.map((i) => ({ ...i, position: loaded.source.valuePosition(i.path) })));
  }
  for (const [name, entry] of Object.entries(parsed.data)) {
    const at: IssuePath = ["uncertain", name];
    if ("process" in entry) {
      const series = compiled.driverSeries.get(entry.driver);
      if (!series) {
        const s = didYouMean(entry.driver, compiled.driverNames);
        issues.push(issue(loaded, "unknown_driver", [...at, "driver"], `unknown driver "${entry.driver}"${s ? ` — did you mean "${s}"?` : ""}`, "error", { name: entry.driver, suggestion: s }));
        continue;
      }
      const need = (key: keyof typeof entry, ok: (v: number) => boolean, what: string) => {
        const v = entry[key];
        if (typeof v !== "number" || !ok(v)) issues.push(issue(loaded, "bad_process", [...at, key as string], `${entry.process} needs ${key as string} ${what}`, "error", { process: entry.process, key, variant: key }));
      };
      if (entry.process !== "jump") need("sigma", (v) => v >= 0, "≥ 0 (a negative volatility has no meaning)");
      if (entry.process === "ou") need("theta", (v) => v >= 0, "≥ 0");
      if (entry.process === "jump") {
        need("probability", (v) => v >= 0 && v <= 1, "between 0 and 1");
        need("size", (v) => v > -1, "> −1 (a jump of −100% or more wipes the driver out)");
      }
      let fromIndex = 1;
      if (entry.from !== undefined) {
        const index = monthIndexIn(compiled, entry.from);
        if (index < 0 || index >= compiled.months) issues.push(issue(loaded, "month_outside_horizon", [...at, "from"], `from ${entry.from} is outside the horizon ${compiled.calendar.labels[0]} … ${compiled.calendar.labels[compiled.months - 1]}`, "error", { month: entry.from, start: compiled.calendar.labels[0], end: compiled.calendar.labels[compiled.months - 1] }));
        fromIndex = Math.max(1, index);
      }
      processes.push({ name, driver: entry.driver, process: entry.process, series, sigma: entry.sigma ?? 0, drift: entry.drift ?? 0, theta: entry.theta ?? 0, longRun: entry.longRun ?? null, probability: entry.probability ?? 0, size: entry.size ?? 0, fromIndex });
      continue;
    }
    const paths = Array.isArray(entry.path) ? entry.path : [entry.path];
    const targets: SampleTarget[] = [];
    // A window of months (discreteUniform from 2026-03 to 2026-09): the sample is a month.
    const inMonths = typeof entry.min === "string" || typeof entry.max === "string";
    if (inMonths) {
      const key = typeof entry.min === "string" ? "min" : "max";
      if (entry.distribution !== "discreteUniform") {
        issues.push(issue(loaded, "months_only_discrete_uniform", [...at, key], `min and max can be months (YYYY-MM) only with distribution: discreteUniform; give numbers for ${entry.distribution}`, "error", { kind: entry.distribution }));
        continue;
      }
      if (typeof entry.min !== "string" || typeof entry.max !== "string") {
        issues.push(issue(loaded, "months_mixed", [...at, typeof entry.min === "string" ? "max" : "min"], "give both min and max as months (YYYY-MM), or both as whole numbers of months"));
        continue;
      }
    }
    paths.forEach((path, k) => {
      const where: IssuePath = Array.isArray(entry.path) ? [...at, "path", k] : [...at, "path"];
      const slot = compiled.table.slot(path);
      if (slot === undefined) {
        const s = didYouMean(path, compiled.table.paths);
        issues.push(issue(loaded, "unknown_path", where, `no input at ${path}${s ? ` — did you mean "${s}"?` : "; give the dotted path of a number in the model (e.g. drivers.price.constant, financing.debt.tlb.spread)"}`, "error", { path, suggestion: s }));
        return;
      }
      const isMonth = compiled.table.kinds[slot] === "month";
      const apply: ApplyMode = entry.apply ?? (isMonth && !inMonths ? "add" : "set");
      if (inMonths) {
        if (!isMonth) issues.push(issue(loaded, "month_sample_not_month", where, `${path} is not a month: a sampled month (min and max written as months) sets a month input, such as fleet.<cohort>.inService or a driver declared with month:`, "error", { path }));
        else if (apply !== "set") issues.push(issue(loaded, "month_sample_apply", [...at, "apply"], `min and max are months, so the sample is the month itself (apply: set); to add a delay, give min and max in months (numbers)`, "error", { path }));
      } else if (isMonth && apply !== "add") issues.push(issue(loaded, "month_apply", entry.apply ? [...at, "apply"] : where, `${path} is a month: a sample is a number of months added to it (apply: add)`, "error", { path }));
      targets.push({ path, slot, apply, isMonth, base: compiled.baseParams[slot] });
    });
    if (targets.length !== paths.length) continue;
    try {
      const distributionSpec = toSpec(entry, (m) => monthSerial(parseMonth(m)!) - compiled.calendar.startSerial);
      const distribution = makeDistribution(distributionSpec);
      // Parameters within range can still overflow (a range from −1e308 to 1e308): the
      // reported figures (mean, p10, p50, p90) must be numbers.
      const figures = [distribution.mean, distribution.quantile(0.1), distribution.quantile(0.5), distribution.quantile(0.9)];
      if (!figures.every(Number.isFinite)) {
        issues.push(issue(loaded, "distribution_overflow", [...at, "distribution"], `the ${entry.distribution} distribution's values overflow double-precision numbers (mean or percentiles are infinite); give parameters of a sensible size`, "error", { distribution: entry.distribution }));
        continue;
      }
      inputs.push({ name, ...targets[0], distribution, distributionSpec, targets });
    } catch (error) {
      if (error instanceof DistributionError) {
        const param = error.param;
        const key = param && param in entry ? param : /quantile/.test(error.code) && "p10" in entry ? "p10" : "distribution";
        issues.push(issue(loaded, `distribution_${error.code}`, [...at, key], error.message, "error", { param: error.param ?? key, kind: entry.distribution }));
      } else throw error;
    }
  }
  let correlation: number[][] | null = null;
  const rawCorrelation = loaded.extensions.correlation;
  if (rawCorrelation !== undefined) {
    const c = correlationSectionSchema.safeParse(rawCorrelation, { reportInput: true });
    if (!c.success) {
      issues.push(...fromZodIssues(correlationSectionSchema, c.error.issues, rawCorrelation, ["correlation"]).map((i) => ({ ...i, position: loaded.source.valuePosition(i.path) })));
    } else {
      const names = inputs.map((i) => i.name);
      const positions = c.data.inputs.map((n, k) => {
        const idx = names.indexOf(n);
        if (idx < 0) {
          const s = didYouMean(n, names);
          issues.push(issue(loaded, "unknown_input", ["correlation", "inputs", k], `"${n}" is not an uncertain input with a distribution${s ? ` — did you mean "${s}"?` : `; known: ${nameList(names)}`}`, "error", { name: n, suggestion: s }));
        }
        return idx;
      });
      const m = c.data.matrix;
      const d = c.data.inputs.length;
      if (m.length !== d || m.some((row) => row.length !== d)) {
        issues.push(issue(loaded, "not_square", ["correlation", "matrix"], `the matrix must be ${d}×${d}, one row and column per input listed in correlation.inputs`, "error", { size: d }));
      } else {
        for (const problem of validateCorrelation(m, 1e-12)) {
          const path: IssuePath = ["correlation", "matrix", problem.row, problem.col];
          const what = problem.code === "not_symmetric" ? `entry (${problem.row + 1},${problem.col + 1}) differs from (${problem.col + 1},${problem.row + 1}): a correlation matrix is symmetric` : problem.code === "out_of_range" ? `entry (${problem.row + 1},${problem.col + 1}) = ${m[problem.row][problem.col]} is outside −1…1` : problem.code === "diagonal_not_one" ? `diagonal entry (${problem.row + 1},${problem.row + 1}) must be 1` : "the matrix must be square";
          issues.push(issue(loaded, `correlation_${problem.code}`, path, what, "error", { row: problem.row + 1, col: problem.col + 1, value: m[problem.row]?.[problem.col] }));
        }
      }
      if (!issues.some((i) => i.path[0] === "correlation") && positions.every((p) => p >= 0)) {
        const repaired = nearestCorrelation(m);
        if (repaired.changed) {
          const moves = repaired.changes.slice(0, 10).map((ch) => `(${c.data.inputs[ch.row]}, ${c.data.inputs[ch.col]}) ${ch.from.toFixed(3)} → ${ch.to.toFixed(3)}`);
          warnings.push(issue(loaded, "correlation_repaired", ["correlation", "matrix"], `the correlation matrix is not positive semidefinite (no set of inputs can have these correlations); using the nearest valid one (Higham 2002), entries moved: ${moves.join("; ")}`, "warning"));
        }
        // Expand to all inputs: uncorrelated where not listed.
        correlation = inputs.map((_, i) => inputs.map((__, j) => (i === j ? 1 : 0)));
        for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) correlation[positions[a]][positions[b]] = repaired.matrix[a][b];
      }
    }
  }
  if (issues.length > 0) throw new ModelError(issues);
  const preparedCorrelation = correlation && inputs.length > 1 ? prepareImanConoverTarget(correlation, inputs.length) : null;
  return { inputs, processes, correlation, preparedCorrelation, warnings };
}

function toSpec(e: z.output<typeof distributionInput>, monthIndex: (month: string) => number): DistributionSpec {
  if (e.distribution === "discreteUniform") {
    const value = (v: number | string | undefined) => (typeof v === "string" ? monthIndex(v) : (v as number));
    return { kind: "discreteUniform", min: value(e.min), max: value(e.max) };
  }
  if (typeof e.min === "string" || typeof e.max === "string") throw new Error("internal: months checked before");
  const truncate = e.truncate ? { lower: e.truncate.min, upper: e.truncate.max } : undefined;
  const fromQ = e.p10 !== undefined || e.p90 !== undefined;
  if (fromQ) {
    if (e.p10 === undefined || e.p90 === undefined) throw new DistributionError("wrong_number_of_quantiles", "give both p10 and p90", e.p10 === undefined ? "p10" : "p90");
    if (!(FROM_QUANTILES_KINDS as readonly string[]).includes(e.distribution)) {
      throw new DistributionError("unsupported_kind", `${e.distribution} cannot be set from p10/p90; give its parameters (${FROM_QUANTILES_KINDS.join(", ")} can be set from quantiles)`, "p10");
    }
    const spec = fromQuantiles(e.distribution as FromQuantilesKind, { p10: e.p10, p90: e.p90 }, { mode: e.mode, lambda: e.lambda, min: e.min, max: e.max });
    return truncate ? ({ ...spec, truncate } as DistributionSpec) : spec;
  }
  switch (e.distribution) {
    case "normal":
      return { kind: "normal", mean: e.mean as number, sd: e.sd as number, truncate };
    case "lognormal":
      return e.mu !== undefined || e.sigma !== undefined ? { kind: "lognormal", mu: e.mu as number, sigma: e.sigma as number, truncate } : { kind: "lognormal", mean: e.mean as number, sd: e.sd as number, truncate };
    case "triangular":
      return { kind: "triangular", min: e.min as number, mode: e.mode as number, max: e.max as number, truncate };
    case "pert":
      return { kind: "pert", min: e.min as number, mode: e.mode as number, max: e.max as number, lambda: e.lambda, truncate };
    case "uniform":
      return { kind: "uniform", min: e.min as number, max: e.max as number, truncate };
    case "beta":
      return { kind: "beta", alpha: e.alpha as number, beta: e.beta as number, min: e.min, max: e.max, truncate };
    case "discrete":
      return { kind: "discrete", values: e.values ?? [], probabilities: e.probabilities ?? [] };
    case "bernoulli":
      return { kind: "bernoulli", p: e.p as number };
  }
}

function monthIndexIn(compiled: CompiledModel, month: string): number {
  return compiled.calendar.labels.indexOf(month) >= 0 ? compiled.calendar.labels.indexOf(month) : month < compiled.calendar.labels[0] ? -1 : compiled.months;
}

/**
 * Load-time checks of the uncertainty sections for `burnrate check`: every problem
 * compileUncertainty would raise, plus (strict) entries with neither a source nor an
 * assumption on the entry or on the section.
 */
export function checkUncertainty(loaded: LoadedModel, compiled: CompiledModel, strict: boolean): ModelIssue[] {
  const issues: ModelIssue[] = [];
  try {
    issues.push(...compileUncertainty(loaded, compiled).warnings);
  } catch (error) {
    if (error instanceof ModelError) issues.push(...error.issues);
    else throw error;
  }
  if (strict) {
    for (const section of ["uncertain", "correlation"] as const) {
      const raw = loaded.extensions[section];
      if (raw === undefined || raw === null || typeof raw !== "object") continue;
      const cited = (o: unknown) => typeof o === "object" && o !== null && (typeof (o as Record<string, unknown>).source === "string" || typeof (o as Record<string, unknown>).assumption === "string");
      if (section === "correlation") {
        if (!cited(raw)) issues.push(issue(loaded, "uncited_input", ["correlation"], "the correlation matrix has neither a source nor an assumption; add `source:` or `assumption:` (why these inputs move together)", "error", { variant: "correlation" }));
        continue;
      }
      for (const [name, entry] of Object.entries(raw as Record<string, unknown>)) {
        if (!cited(entry)) issues.push(issue(loaded, "uncited_input", ["uncertain", name], `uncertain input "${name}" has neither a source nor an assumption; say where its range comes from (\`source:\`) or why it is assumed (\`assumption:\`)`, "error", { variant: "uncertain", name }));
      }
    }
  }
  return issues;
}
