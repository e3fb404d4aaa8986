import { modelSchema, type Model } from "./schema.js";
import { parseSourceText, type SourceText } from "./source.js";
import { unwrapCitedValues, listInputs, type Citation, type CitedValue } from "./citations.js";
import { applyOverrides, scenarioChain, type RawOverride } from "./scenarios.js";
import { fromZodIssues } from "./zodIssues.js";
import { ModelError, type IssuePath, type ModelIssue } from "./issues.js";
import { checkModel } from "./check.js";
import { ownValue } from "./names.js";
import { ENGINE_EXTENSIONS } from "../engine/extensions.js";

export interface LoadOptions {
  /** Scenario to apply (its `extends` chain first). */
  scenario?: string;
}

/** A validated model, ready to compile, with what is needed to explain it. */
export interface LoadedModel {
  file: string;
  model: Model;
  scenario: string | null;
  /** Every numeric input with its citation (or none). */
  inputs: CitedValue[];
  warnings: ModelIssue[];
  source: SourceText;
  /** The raw data after unwrapping citations and before any scenario: for re-loading other scenarios. */
  baseData: unknown;
  /** Extra top-level sections kept for later stages (uncertain, targets, …), validated by them. */
  extensions: Record<string, unknown>;
}

/** Sections owned by later stages of the pipeline; the core only carries them. */
export const EXTENSION_SECTIONS = ["targets", "uncertain", "correlation", "sites", "pricing", "utilization", "contracts", "rental", "caveats", "actuals", "register"] as const;

function withPositions(source: SourceText, issues: Omit<ModelIssue, "position">[] | ModelIssue[]): ModelIssue[] {
  return issues.map((issue) => {
    if ((issue as ModelIssue).position) return issue as ModelIssue;
    const isKeyProblem = issue.code === "unknown_key" || issue.code === "missing_key" || issue.code === "invalid_key";
    const position = isKeyProblem ? source.keyPosition(issue.path) : source.valuePosition(issue.path);
    return { ...issue, position } as ModelIssue;
  });
}

/**
 * Parses and validates model text (YAML or JSON). Throws ModelError with every
 * problem found; never returns a half-valid model.
 */
export function loadModelText(text: string, file = "<model>", options: LoadOptions = {}): LoadedModel {
  const source = parseSourceText(text, file);
  return loadModelSource(source, options);
}

/**
 * What every load of one source shares, computed once: the data with citation wrappers
 * unwrapped and the scenarios section validated. Checking every scenario then costs the
 * size of the model, not the size of the model times the number of scenarios.
 */
interface SharedSource {
  unwrapped: Record<string, unknown>;
  wrapped: Map<string, Citation>;
  scenarios: Model["scenarios"] | null;
}
const shared = new WeakMap<SourceText, SharedSource>();

function sharedOf(source: SourceText): SharedSource {
  let s = shared.get(source);
  if (!s) {
    const { data, wrapped } = unwrapCitedValues(source.data);
    const unwrapped = data as Record<string, unknown>;
    const parsed = modelSchema.shape.scenarios.safeParse(ownValue(unwrapped, "scenarios"));
    s = { unwrapped, wrapped, scenarios: parsed.success ? parsed.data : null };
    shared.set(source, s);
  }
  return s;
}

export function loadModelSource(source: SourceText, options: LoadOptions = {}): LoadedModel {
  if (source.data === null || typeof source.data !== "object" || Array.isArray(source.data)) {
    throw new ModelError(withPositions(source, [{ code: "not_a_mapping", path: [], severity: "error", message: "a model file is a mapping of sections (meta:, openingBalance:, drivers:, lines:, …), not a single value or a list" }]));
  }
  const { unwrapped, wrapped, scenarios: validScenarios } = sharedOf(source);
  // A scenario may override extension sections too (e.g. sites.denton.delayMonths), so
  // it applies to the whole file before the core and extension sections are split.
  let whole = unwrapped;
  let scenario: string | null = null;
  if (options.scenario !== undefined) {
    const raw = ownValue(whole, "scenarios");
    const scenarios = (raw !== null && typeof raw === "object" && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
    const applied = applyScenario(whole, scenarios, options.scenario);
    if ("issues" in applied) throw new ModelError(withPositions(source, applied.issues));
    whole = applied.data as Record<string, unknown>;
    scenario = options.scenario;
  }
  const { core, extensions } = splitExtensions(whole);
  // Scenarios cannot change scenarios, so a scenario's load reuses the section validated
  // once instead of validating every other scenario again.
  const reuseScenarios = scenario !== null && validScenarios !== null;
  if (reuseScenarios) delete core.scenarios;
  const data: unknown = core;
  const parsed = modelSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    throw new ModelError(withPositions(source, fromZodIssues(modelSchema, parsed.error.issues, data)));
  }
  const model = parsed.data;
  if (reuseScenarios) model.scenarios = validScenarios!;
  const semantic = checkModel(model, extensions);
  if (!semantic.some((i) => i.severity === "error")) {
    for (const extension of ENGINE_EXTENSIONS) semantic.push(...extension.validate(model, extensions));
  }
  const errors = semantic.filter((i) => i.severity === "error");
  if (errors.length > 0) throw new ModelError(withPositions(source, semantic));
  return {
    file: source.file,
    model,
    scenario,
    inputs: listInputs(unwrapped, wrapped),
    warnings: withPositions(source, semantic.filter((i) => i.severity === "warning")),
    source,
    baseData: unwrapped,
    extensions,
  };
}

function splitExtensions(data: Record<string, unknown>): { core: Record<string, unknown>; extensions: Record<string, unknown> } {
  const core: Record<string, unknown> = {};
  const extensions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if ((EXTENSION_SECTIONS as readonly string[]).includes(key) || ENGINE_EXTENSIONS.some((e) => e.sections.includes(key))) extensions[key] = value;
    else core[key] = value;
  }
  return { core, extensions };
}

function applyScenario(data: unknown, scenarios: Record<string, unknown>, name: string): { data: unknown } | { issues: Omit<ModelIssue, "position">[] } {
  const chain = scenarioChain(scenarios, name);
  if ("issue" in chain) return { issues: [chain.issue] };
  let current = data;
  const issues: Omit<ModelIssue, "position">[] = [];
  for (const scenarioName of chain.chain) {
    const scenario = ownValue(scenarios, scenarioName) as { overrides?: unknown };
    const overrides = Array.isArray(scenario.overrides) ? (scenario.overrides as RawOverride[]) : [];
    for (const [i, o] of overrides.entries()) {
      if (typeof o !== "object" || o === null || typeof o.path !== "string") {
        issues.push({ code: "override_path", path: ["scenarios", scenarioName, "overrides", i], severity: "error", message: "an override needs a `path` (text) and one of set, add, multiply" });
      }
    }
    if (issues.length) return { issues };
    const result = applyOverrides(current, overrides, (i) => ["scenarios", scenarioName, "overrides", i] as IssuePath);
    issues.push(...result.issues);
    current = result.data;
  }
  return issues.length ? { issues } : { data: current };
}

/** Loads the model under every scenario it defines and returns all problems found (for `check`). */
export function checkAllScenarios(loaded: LoadedModel): ModelIssue[] {
  const issues: ModelIssue[] = [];
  for (const name of Object.keys(loaded.model.scenarios)) {
    try {
      loadModelSource(loaded.source, { scenario: name });
    } catch (error) {
      if (error instanceof ModelError) {
        for (const issue of error.issues) issues.push({ ...issue, message: `scenario "${name}": ${issue.message}` });
      } else throw error;
    }
  }
  return issues;
}

export type { Citation, CitedValue };
