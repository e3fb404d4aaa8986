import { ModelError, UsageError, type ModelIssue } from "../model/issues.js";
import { unwrapCitedValues, listInputs } from "../model/citations.js";
import { checkUncertainty } from "../uncertainty/spec.js";
import { issueJson } from "../commands/issues.js";
import type { CheckReport } from "../commands/check.js";
import { loadSystemText, type ReadCompany } from "./load.js";
import { checkCitations } from "../register/check.js";
import type { SourceRegister } from "../register/register.js";
import type { LoadedModel } from "../model/load.js";
import { compileSystem } from "./compile.js";
import { runSystem } from "./run.js";
import { planSystemSimulation } from "./simulate.js";

/**
 * `burnrate check SYSTEM.yaml`: the system loads (every company model, every link), under
 * every system scenario too; it projects with balanced statements; its uncertainty and
 * correlations are valid. With `strict`, every number of the system file (shared drivers,
 * link shares, recoveries, overrides) has a source or an assumption. Same report as a model's.
 */
export function checkSystem(text: string, file: string, read: ReadCompany, options: { strict?: boolean; register?: (path: string) => SourceRegister } = {}): CheckReport {
  const strict = Boolean(options.strict);
  const report = (issues: ModelIssue[], name: string | null, scenarios: number | null): CheckReport => {
    const errors = issues.filter((i) => i.severity === "error").length;
    return { file, valid: errors === 0, strict, model: name, scenarios, errors, warnings: issues.length - errors, issues: issues.map(issueJson) };
  };
  let loaded;
  try {
    loaded = loadSystemText(text, file, read);
  } catch (error) {
    if (error instanceof ModelError) return report(error.issues, null, null);
    throw error;
  }
  const issues: ModelIssue[] = [...loaded.warnings];
  const scenarios = Object.keys(loaded.system.scenarios);
  for (const name of scenarios) {
    try {
      loadSystemText(text, file, read, { scenario: name });
    } catch (error) {
      if (error instanceof ModelError) issues.push(...error.issues.filter((i) => i.severity === "error").map((i) => ({ ...i, message: `scenario "${name}": ${i.message}` })));
      else throw error;
    }
  }
  const compiled = compileSystem(loaded);
  issues.push(...checkUncertainty(loaded.shared, compiled.shared, strict));
  try {
    const plan = planSystemSimulation(loaded, { seed: 1 }, compiled);
    issues.push(...plan.warnings.filter((w) => !loaded.warnings.includes(w)));
  } catch (error) {
    if (error instanceof ModelError) issues.push(...error.issues);
    else if (!(error instanceof UsageError && error.code === "nothing_uncertain")) throw error;
  }
  // Citations as the models' check reads them: inputs without a source or an assumption (with
  // --strict), register IDs that do not resolve, sources that name no entry, machine paths.
  const { data, wrapped } = unwrapCitedValues(loaded.source.data);
  const { system: _settings, ...inputsOnly } = data as Record<string, unknown>;
  void _settings;
  const asModel = { source: loaded.source, inputs: listInputs(inputsOnly, wrapped), model: { meta: { unit: loaded.system.system.unit } }, extensions: {} } as unknown as LoadedModel;
  let register: SourceRegister | null = null;
  if (loaded.system.register !== undefined && options.register) {
    try {
      register = options.register(loaded.system.register);
    } catch (error) {
      if (error instanceof ModelError) issues.push(...error.issues);
      else issues.push({ code: "register_not_found", path: ["register"], severity: "error", message: `cannot read the source register ${loaded.system.register}: ${(error as Error).message}`, position: loaded.source.valuePosition(["register"]) });
    }
  }
  issues.push(...checkCitations(asModel, register, strict));
  if (strict) {
    for (const input of asModel.inputs) {
      if (input.citation && (input.citation.source || input.citation.assumption)) continue;
      issues.push({ code: "uncited_input", path: input.path, severity: "error", message: `${input.path.join(".")} = ${JSON.stringify(input.value)} has neither a source nor an assumption; add \`source:\` (publication, address, date) or \`assumption:\` (why) to it or to the object around it`, position: loaded.source.valuePosition(input.path) });
    }
    const correlation = loaded.system.correlation;
    if (correlation && !correlation.source && !correlation.assumption) issues.push({ code: "uncited_input", path: ["correlation"], severity: "error", message: "the correlation matrix has neither a source nor an assumption; add `source:` or `assumption:` (why these inputs move together)", position: loaded.source.valuePosition(["correlation"]) });
  }
  if (!issues.some((i) => i.severity === "error")) runSystem(loaded, compiled);
  return report(issues, loaded.system.system.name, scenarios.length);
}

