import { parseSourceText, type SourceText } from "../model/source.js";
import { unwrapCitedValues } from "../model/citations.js";
import { applyOverrides, scenarioChain, type RawOverride } from "../model/scenarios.js";
import { fromZodIssues } from "../model/zodIssues.js";
import { loadModelSource, type LoadedModel } from "../model/load.js";
import { ModelError, UsageError, type IssuePath, type ModelIssue } from "../model/issues.js";
import { didYouMean } from "../model/suggest.js";
import { horizonOf } from "../model/check.js";
import { formatMonth, serialToMonth } from "../model/months.js";
import { compileModel } from "../engine/compile.js";
import { evaluate } from "../engine/project.js";
import { systemSchema, type SystemFile, type SystemLink } from "./schema.js";

/** A company model's text, as read for the system (files stay outside the core). */
export interface CompanySource {
  text: string;
  /** How the file is named in messages (its path). */
  file: string;
}

/**
 * Reads a company model named in a system file by its path relative to the system file.
 * Throws UsageError when it cannot (the message says why); the loader positions it at the
 * `model:` key. The Node entry reads from disk (src/system/node.ts); workers read from the
 * texts the main thread already read.
 */
export type ReadCompany = (relativePath: string) => CompanySource;

export interface LoadSystemOptions {
  /** A system scenario (its `extends` chain first). */
  scenario?: string;
  /** Links to cut (as if they did not exist): to see a company without a link. */
  cut?: readonly string[];
}

export interface LoadedCompany {
  /** The key under companies: (used in links, scenarios, reports). */
  name: string;
  index: number;
  /** The model file as written in the system file, and as read. */
  modelPath: string;
  file: string;
  /** The company's model with its scenario, the system's overrides and the shared drivers in. */
  loaded: LoadedModel;
  lenderRecovery: number;
  /** Shared driver → the company driver it replaced or added. */
  shared: { driver: string; as: string }[];
  /** Months: the model's first month (serial) and horizon length. */
  startSerial: number;
  months: number;
}

export interface LoadedLink {
  name: string;
  index: number;
  spec: SystemLink;
  /** Company index affected, and the company whose cash-out triggers it. */
  company: number;
  source: number;
  /** Resolved targets in the affected company's model. */
  contracts: string[];
  lines: string[];
  round: string | null;
}

export interface LoadedSystem {
  file: string;
  source: SourceText;
  /** The system file after its scenario, validated. */
  system: SystemFile;
  scenario: string | null;
  /** Links cut for this load. */
  cut: string[];
  companies: LoadedCompany[];
  links: LoadedLink[];
  /** The shared drivers as a model of their own over the system's horizon (drivers only). */
  shared: LoadedModel;
  /** First month (serial) and length of the system's horizon: the union of the companies'. */
  startSerial: number;
  months: number;
  warnings: ModelIssue[];
  /** Every company model's text by its path as written (workers load the same system from them). */
  texts: Record<string, CompanySource>;
  /** The system file's text. */
  text: string;
}

/** Far beyond any horizon: a contract's exit month when the model gives none (the system may move it). */
const NEVER_YEAR = 9000;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Loads a system file: validates it, reads each company's model through `read`, applies the
 * system scenario and the companies' scenarios and overrides, puts the shared drivers into the
 * companies and checks every link against the models it names. Throws ModelError with every
 * problem, each positioned in the file it is about.
 */
export function loadSystemText(text: string, file: string, read: ReadCompany, options: LoadSystemOptions = {}): LoadedSystem {
  const source = parseSourceText(text, file);
  // Problems of the system file, positioned in it (params let a reader's language resolve the message).
  const issue = (code: string, path: IssuePath, message: string, params?: Record<string, unknown>, options: { severity?: "error" | "warning"; key?: boolean } = {}): ModelIssue => ({
    code,
    path,
    message,
    severity: options.severity ?? "error",
    position: options.key ? source.keyPosition(path) : source.valuePosition(path),
    ...(params ? { params } : {}),
  });
  if (!isPlainObject(source.data)) throw new ModelError([issue("system_not_a_mapping", [], "a system file is a mapping of sections (system:, companies:, links:, …), not a single value or a list")]);
  if (!("companies" in source.data) && "meta" in source.data) {
    throw new ModelError([issue("model_not_system", [], "this looks like a model file (it has meta:), not a system file (system:, companies:, links:); use burnrate run for one model")]);
  }
  const { data } = unwrapCitedValues(source.data);
  let raw = data as Record<string, unknown>;

  // System scenario: overrides of the system file itself, and per-company overrides/scenarios.
  const companyOverrides = new Map<string, { overrides: { override: RawOverride; at: IssuePath }[]; scenarios: { name: string; at: IssuePath }[] }>();
  let scenario: string | null = null;
  if (options.scenario !== undefined) {
    const scenariosRaw = raw.scenarios;
    const parsedScenarios = systemSchema.shape.scenarios.safeParse(scenariosRaw ?? {}, { reportInput: true });
    if (!parsedScenarios.success) throw new ModelError(fromZodIssues(systemSchema, parsedScenarios.error.issues, raw, ["scenarios"]).map(position(source)));
    const chain = scenarioChain(parsedScenarios.data as Record<string, unknown>, options.scenario);
    if ("issue" in chain) {
      if (chain.issue.code === "unknown_scenario" && chain.issue.path.length === 0) throw new UsageError("unknown_scenario", `${file}: ${chain.issue.message.replace("the model", "the system")}`);
      throw new ModelError([position(source)(chain.issue)]);
    }
    const issues: ModelIssue[] = [];
    for (const name of chain.chain) {
      const overrides = parsedScenarios.data[name].overrides;
      const own: RawOverride[] = [];
      const ownAt: number[] = [];
      overrides.forEach((o, i) => {
        const where: IssuePath = ["scenarios", name, "overrides", i];
        if (o.company !== undefined) {
          if (!isPlainObject(raw.companies) || !Object.hasOwn(raw.companies, o.company)) {
            const known = isPlainObject(raw.companies) ? Object.keys(raw.companies) : [];
            const s = didYouMean(o.company, known);
            issues.push(issue("unknown_company", [...where, "company"], `no company named "${o.company}"${s ? ` — did you mean "${s}"?` : `; the system has: ${known.join(", ")}`}`, { name: o.company, suggestion: s, known }));
            return;
          }
          const entry = companyOverrides.get(o.company) ?? { overrides: [], scenarios: [] };
          if ((o.path === undefined) === (o.scenario === undefined)) {
            issues.push(issue("system_company_override", where, "a company override needs either `path` (with set, add or multiply) or `scenario` (one of the company's own scenarios)"));
            return;
          }
          if (o.scenario !== undefined) entry.scenarios.push({ name: o.scenario, at: [...where, "scenario"] });
          else entry.overrides.push({ override: { path: o.path!, set: o.set, add: o.add, multiply: o.multiply }, at: where });
          companyOverrides.set(o.company, entry);
        } else {
          if (o.path === undefined || o.scenario !== undefined) {
            issues.push(issue("system_override_path", where, "an override of the system file needs `path` (e.g. drivers.rateShock.constant or links.x.share); to apply a company's own scenario, give `company:` and `scenario:`"));
            return;
          }
          own.push({ path: o.path, set: o.set, add: o.add, multiply: o.multiply });
          ownAt.push(i);
        }
      });
      const applied = applyOverrides(raw, own, (k) => ["scenarios", name, "overrides", ownAt[k]]);
      issues.push(...applied.issues.map(position(source)));
      raw = applied.data as Record<string, unknown>;
    }
    if (issues.length) throw new ModelError(issues);
    scenario = options.scenario;
  }

  const parsed = systemSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new ModelError(fromZodIssues(systemSchema, parsed.error.issues, raw).map(position(source)));
  const system = parsed.data;
  const issues: ModelIssue[] = [];
  const warnings: ModelIssue[] = [];
  const companyNames = Object.keys(system.companies);

  // Links that are cut for this load.
  const cut = [...(options.cut ?? [])];
  for (const name of cut) {
    if (!Object.hasOwn(system.links, name)) {
      const s = didYouMean(name, Object.keys(system.links));
      throw new UsageError("unknown_link", `--cut ${name}: the system has no link of that name${s ? ` — did you mean "${s}"?` : Object.keys(system.links).length ? `; its links: ${Object.keys(system.links).join(", ")}` : "; it defines no links"}`);
    }
  }

  // 1. Each company's model with its own scenario and the system's overrides (before the
  //    shared drivers go in): validated once so that links can be checked against it.
  const texts: Record<string, CompanySource> = {};
  interface Stage {
    name: string;
    path: string;
    src: SourceText;
    data: Record<string, unknown>;
    first: LoadedModel;
    overridden: string[];
  }
  const stages: Stage[] = [];
  for (const name of companyNames) {
    const spec = system.companies[name];
    const where: IssuePath = ["companies", name, "model"];
    let companySource: CompanySource;
    try {
      companySource = read(spec.model);
    } catch (error) {
      if (error instanceof UsageError) {
        issues.push(issue(error.code, where, error.message, { path: spec.model }));
        continue;
      }
      throw error;
    }
    texts[spec.model] = companySource;
    try {
      const src = parseSourceText(companySource.text, companySource.file);
      if (isPlainObject(src.data) && "companies" in src.data && !("meta" in src.data)) {
        issues.push(issue("system_not_model", where, `${spec.model} is a system file, not a company model; systems do not nest`, { path: spec.model }));
        continue;
      }
      const extra = companyOverrides.get(name);
      const scenarios = [...(spec.scenario !== undefined ? [{ name: spec.scenario, at: ["companies", name, "scenario"] as IssuePath }] : []), ...(extra?.scenarios ?? [])];
      const overrides = [...spec.overrides.map((o, i) => ({ override: o as RawOverride, at: ["companies", name, "overrides", i] as IssuePath })), ...(extra?.overrides ?? [])];
      const data = companyData(src, scenarios, overrides, source, name);
      const first = loadModelSource({ ...src, data });
      stages.push({ name, path: spec.model, src, data, first, overridden: overrides.map((o) => o.override.path) });
    } catch (error) {
      if (error instanceof ModelError) {
        issues.push(...error.issues);
        continue;
      }
      throw error;
    }
  }
  if (issues.length) throw new ModelError(issues);
  const horizons = stages.map((s) => horizonOf(s.first.model));
  const startSerial = Math.min(...horizons.map((h) => h.start));
  const endSerial = Math.max(...horizons.map((h) => h.end));
  const currencies = [...new Set(stages.map((s) => s.first.model.meta.currency))];
  if (currencies.length > 1) issues.push(issue("mixed_currencies", ["companies"], `the companies' models use different currencies (${currencies.join(", ")}); a system adds amounts across companies, so convert the models to one currency`, { currencies }));

  // 2. The shared drivers as a model of their own, over the union of the horizons.
  const sharedData = {
    meta: { company: `${system.system.name} — shared drivers`, start: label(startSerial), end: label(endSerial), currency: currencies[0] ?? "USD" },
    openingBalance: { cash: 0 },
    drivers: raw.drivers ?? {},
    ...(raw.uncertain !== undefined ? { uncertain: raw.uncertain } : {}),
  };
  let shared: LoadedModel;
  try {
    shared = loadModelSource({ file, data: sharedData, keyPosition: source.keyPosition, valuePosition: source.valuePosition });
  } catch (error) {
    if (error instanceof ModelError) throw new ModelError(error.issues.filter((i) => i.path[0] !== "meta" && i.path[0] !== "openingBalance"));
    throw error;
  }
  const sharedNames = Object.keys(system.drivers);
  for (const key of Object.keys(system.share)) {
    if (!sharedNames.includes(key)) {
      const s = didYouMean(key, sharedNames);
      issues.push(issue("unknown_driver", ["share", key], `"${key}" is not a shared driver${s ? ` — did you mean "${s}"?` : sharedNames.length ? `; the shared drivers: ${sharedNames.join(", ")}` : "; define it under drivers:"}`, { name: key, suggestion: s }, { key: true }));
    }
  }

  (system.sector?.rates ?? []).forEach((name, i) => {
    if (!sharedNames.includes(name)) {
      const s = didYouMean(name, sharedNames);
      issues.push(issue("unknown_driver", ["sector", "rates", i], `"${name}" is not a shared driver${s ? ` — did you mean "${s}"?` : sharedNames.length ? `; the shared drivers: ${sharedNames.join(", ")}` : "; the +100 bp moves shared rate drivers: define one under drivers:"}`, { name, suggestion: s }));
    }
  });

  // 3. Where each shared driver goes.
  const placements = new Map<string, { driver: string; as: string }[]>(companyNames.map((n) => [n, []]));
  for (const driver of sharedNames) {
    const share = system.share[driver];
    const targets: [string, string, IssuePath][] = [];
    if (share === undefined) {
      for (const s of stages) if (Object.hasOwn(s.first.model.drivers, driver)) targets.push([s.name, driver, ["drivers", driver]]);
    } else if (Array.isArray(share)) share.forEach((c, i) => targets.push([c, driver, ["share", driver, i]]));
    else for (const [c, as] of Object.entries(share)) targets.push([c, as, ["share", driver, c]]);
    for (const [company, as, where] of targets) {
      if (!companyNames.includes(company)) {
        const s = didYouMean(company, companyNames);
        issues.push(issue("unknown_company", where, `no company named "${company}"${s ? ` — did you mean "${s}"?` : `; the system has: ${companyNames.join(", ")}`}`, { name: company, suggestion: s, known: companyNames }, { key: !Array.isArray(share) }));
        continue;
      }
      if (placements.get(company)!.some((p) => p.as === as)) {
        issues.push(issue("shared_twice", where, `two shared drivers replace driver "${as}" of ${company}; each company driver can take one`, { name: as, company }));
        continue;
      }
      placements.get(company)!.push({ driver, as });
    }
    if (targets.length === 0 && !sharedNames.some((other) => other !== driver && readsDriver(system.drivers[other], driver))) {
      warnings.push(issue("shared_unused", ["drivers", driver], `no company has a driver named "${driver}" and no shared driver reads it, so it changes nothing; name the companies' drivers it replaces under share:`, { name: driver }, { severity: "warning", key: true }));
    }
  }

  // 4. Links, checked against the models.
  const links: LoadedLink[] = [];
  const linkedContracts = new Map<string, string>();
  const linkedLines = new Map<string, string>();
  const linkEntries = Object.entries(system.links).filter(([name]) => !cut.includes(name));
  for (const [name, spec] of linkEntries) {
    const base: IssuePath = ["links", name];
    const known = (key: "company" | "counterparty" | "investor", value: string): number => {
      const i = stages.findIndex((s) => s.name === value);
      if (i < 0) {
        const s = didYouMean(value, companyNames);
        issues.push(issue("unknown_company", [...base, key], `no company named "${value}"${s ? ` — did you mean "${s}"?` : `; the system has: ${companyNames.join(", ")}`}`, { name: value, suggestion: s, known: companyNames }));
      }
      return i;
    };
    const company = known("company", spec.company);
    const other = spec.type === "counterparty" ? known("counterparty", spec.counterparty) : known("investor", spec.investor);
    if (company < 0 || other < 0) continue;
    if (company === other) {
      issues.push(issue("self_link", [...base, spec.type === "counterparty" ? "counterparty" : "investor"], "a link joins two different companies"));
      continue;
    }
    const needsShare = spec.onCashOut === "recovery" || spec.onCashOut === "priceCut";
    if (needsShare && spec.share === undefined) issues.push(issue("missing_share", [...base, "onCashOut"], `${spec.onCashOut} needs \`share:\` (${spec.onCashOut === "recovery" ? "the share still paid" : "the share the price is cut by"}, 0–1)`, { variant: spec.onCashOut }));
    if (!needsShare && spec.share !== undefined) warnings.push(issue("share_ignored", [...base, "share"], `share has no effect with onCashOut: ${spec.onCashOut}`, { value: spec.onCashOut }, { severity: "warning" }));
    const model = stages[company].first;
    const contractsSection = isPlainObject(model.extensions.contracts) ? (model.extensions.contracts as Record<string, { customer?: string }>) : {};
    const link: LoadedLink = { name, index: links.length, spec, company, source: other, contracts: [], lines: [], round: null };
    if (spec.type === "investment") {
      if (!Object.hasOwn(model.model.financing.equity, spec.round)) {
        const rounds = Object.keys(model.model.financing.equity);
        const s = didYouMean(spec.round, rounds);
        issues.push(issue("unknown_round", [...base, "round"], `${spec.company}'s model has no equity round "${spec.round}"${s ? ` — did you mean "${s}"?` : rounds.length ? `; its rounds: ${rounds.join(", ")}` : ""}`, { company: spec.company, name: spec.round, suggestion: s, known: rounds }));
        continue;
      }
      link.round = spec.round;
      links.push(link);
      continue;
    }
    const given = (["contracts", "customer", "lines"] as const).filter((k) => spec[k] !== undefined);
    if (given.length !== 1) {
      issues.push(issue("link_target", base, given.length === 0 ? "say what the counterparty pays: `contracts:` (GPU-cloud contracts), `customer:` (all contracts of a customer) or `lines:` (lines of the model)" : `give one of contracts, customer and lines (found ${given.join(", ")})`, { variant: given.length === 0 ? "none" : "several", given }));
      continue;
    }
    const contractNames = Object.keys(contractsSection);
    if (spec.contracts) {
      spec.contracts.forEach((c, i) => {
        if (!Object.hasOwn(contractsSection, c)) {
          const s = didYouMean(c, contractNames);
          issues.push(issue("unknown_contract", [...base, "contracts", i], `${spec.company}'s model has no contract "${c}"${s ? ` — did you mean "${s}"?` : contractNames.length ? `; its contracts: ${contractNames.join(", ")}` : "; it has no contracts: section"}`, { company: spec.company, name: c, suggestion: s, known: contractNames }));
        } else link.contracts.push(c);
      });
    } else if (spec.customer !== undefined) {
      link.contracts = contractNames.filter((c) => contractsSection[c].customer === spec.customer);
      if (link.contracts.length === 0) {
        const customers = [...new Set(contractNames.map((c) => contractsSection[c].customer!))];
        const s = didYouMean(spec.customer, customers);
        issues.push(issue("unknown_customer", [...base, "customer"], `${spec.company}'s model has no contract with customer "${spec.customer}"${s ? ` — did you mean "${s}"?` : customers.length ? `; its customers: ${customers.join(", ")}` : ""}`, { company: spec.company, name: spec.customer, suggestion: s, known: customers }));
      }
    } else {
      const lineNames = [...Object.keys(model.model.lines), ...gpuLineNames(model)];
      spec.lines!.forEach((l, i) => {
        if (!lineNames.includes(l)) {
          const s = didYouMean(l, lineNames);
          issues.push(issue("unknown_line", [...base, "lines", i], `${spec.company}'s model has no line "${l}"${s ? ` — did you mean "${s}"?` : `; its lines: ${lineNames.join(", ")}`}`, { name: l, suggestion: s }));
        } else link.lines.push(l);
      });
    }
    // A price cut on contracts cuts the customer's revenue line, so it must cover all of it.
    if (spec.onCashOut === "priceCut" && link.contracts.length > 0) {
      const customers = [...new Set(link.contracts.map((c) => contractsSection[c].customer!))];
      for (const customer of customers) {
        const all = contractNames.filter((c) => contractsSection[c].customer === customer);
        const missing = all.filter((c) => !link.contracts.includes(c));
        if (missing.length) issues.push(issue("price_cut_partial", [...base, "contracts"], `priceCut applies to the customer's revenue line "revenue: ${customer}", which also holds ${missing.join(", ")}; list every contract of ${customer} (or write customer: ${customer})`, { customer, missing }));
        link.lines.push(`revenue: ${customer}`);
      }
      link.contracts = [];
    }
    for (const c of link.contracts) {
      const key = `${spec.company}\u0000${c}`;
      if (linkedContracts.has(key)) issues.push(issue("linked_twice", base, `contract ${c} of ${spec.company} is already linked by "${linkedContracts.get(key)}"; a contract can follow one counterparty`, { name: c, company: spec.company, link: linkedContracts.get(key) }));
      linkedContracts.set(key, name);
    }
    for (const l of link.lines) {
      const key = `${spec.company}\u0000${l}`;
      if (linkedLines.has(key)) issues.push(issue("linked_twice", base, `line "${l}" of ${spec.company} is already linked by "${linkedLines.get(key)}"; a line can follow one counterparty`, { name: l, company: spec.company, link: linkedLines.get(key) }));
      linkedLines.set(key, name);
    }
    links.push(link);
  }
  if (issues.length) throw new ModelError(issues);

  // 5. The companies' models as the system runs them: shared drivers in, contracts that may
  //    be ended given an exit month, investors' payments as one-offs.
  const companies: LoadedCompany[] = [];
  const sharedCompiled = sharedBaseSeries(shared);
  stages.forEach((stage, index) => {
    const spec = system.companies[stage.name];
    const data = structuredClone(stage.data);
    const h = horizons[index];
    const drivers = (isPlainObject(data.drivers) ? data.drivers : (data.drivers = {})) as Record<string, unknown>;
    const replaced = placements.get(stage.name)!;
    const uncertain = isPlainObject(data.uncertain) ? (data.uncertain as Record<string, unknown>) : null;
    const dropped = new Set<string>();
    spec.ignoreUncertain.forEach((entry, i) => {
      if (!uncertain || !Object.hasOwn(uncertain, entry)) {
        const names = uncertain ? Object.keys(uncertain) : [];
        const s = didYouMean(entry, names);
        issues.push(issue("unknown_input", ["companies", stage.name, "ignoreUncertain", i], `${stage.path} has no uncertain input "${entry}"${s ? ` — did you mean "${s}"?` : names.length ? `; its inputs: ${names.join(", ")}` : ""}`, { name: entry, suggestion: s }));
      } else dropped.add(entry);
    });
    for (const { driver, as } of replaced) {
      const series = sharedCompiled.get(driver)!;
      const offset = h.start - startSerial;
      const previous = drivers[as];
      drivers[as] = {
        monthly: Array.from(series.subarray(offset, offset + h.length)),
        ...(isPlainObject(previous) && typeof previous.unit === "string" ? { unit: previous.unit } : {}),
        description: `the system's shared driver "${driver}"`,
      };
      for (const o of stage.overridden) {
        if (o === `drivers.${as}` || o.startsWith(`drivers.${as}.`)) warnings.push(issue("override_replaced", ["drivers", driver], `${stage.name}: the override of ${o} is replaced by the shared driver "${driver}"`, { company: stage.name, path: o, name: driver }, { severity: "warning", key: true }));
      }
      if (uncertain) {
        for (const [entryName, entry] of Object.entries(uncertain)) {
          if (!isPlainObject(entry) || dropped.has(entryName)) continue;
          const paths = Array.isArray(entry.path) ? entry.path : [entry.path];
          const onDriver = entry.driver === as || paths.some((p) => typeof p === "string" && (p === `drivers.${as}` || p.startsWith(`drivers.${as}.`)));
          if (onDriver) {
            dropped.add(entryName);
            warnings.push(issue("uncertain_replaced", ["drivers", driver], `${stage.name}: its uncertain input "${entryName}" varies driver ${as}, which the shared driver "${driver}" replaces; it is not sampled in the system (give the shared driver its own uncertainty under uncertain:)`, { company: stage.name, input: entryName, name: driver }, { severity: "warning", key: true }));
          }
        }
      }
    }
    if (uncertain && dropped.size) dropUncertain(data, dropped);
    // Linked contracts need an exit month the system can move.
    const contracts = isPlainObject(data.contracts) ? (data.contracts as Record<string, Record<string, unknown>>) : {};
    for (const link of links) {
      if (link.company !== index) continue;
      for (const c of link.contracts) if (contracts[c].exit === undefined) contracts[c].exit = label(NEVER_YEAR * 12);
    }
    // Investors who pay: a one-off out of their cash, whose month and amount follow the round.
    const oneOffs = (isPlainObject(data.oneOffs) ? data.oneOffs : (data.oneOffs = {})) as Record<string, unknown>;
    for (const link of links) {
      if (link.spec.type !== "investment" || link.source !== index || !link.spec.investorPays) continue;
      oneOffs[investorOneOff(link.name)] = { month: label(h.start), amount: 0, lands: "equity", description: `paid into ${link.spec.company}'s round ${link.spec.round} (system link ${link.name}); booked against paid-in capital` };
    }
    try {
      const loaded = loadModelSource({ ...stage.src, data });
      loaded.scenario = stage.first.scenario;
      warnings.push(...loaded.warnings.filter((w) => !stage.first.warnings.some((f) => f.code === w.code && f.path.join(".") === w.path.join("."))));
      companies.push({ name: stage.name, index, modelPath: stage.path, file: stage.src.file, loaded, lenderRecovery: spec.lenderRecovery, shared: replaced, startSerial: h.start, months: h.length });
    } catch (error) {
      if (error instanceof ModelError) issues.push(...error.issues);
      else throw error;
    }
  });
  if (issues.length) throw new ModelError(issues);
  for (const s of stages) warnings.push(...s.first.warnings);
  return { file, source, system, scenario, cut, companies, links, shared, startSerial, months: endSerial - startSerial + 1, warnings, texts, text };
}

/** A reader over texts already read (workers, servers), by the path written in the system file. */
export function textsReader(texts: Record<string, CompanySource>): ReadCompany {
  return (relativePath) => {
    const found = Object.hasOwn(texts, relativePath) ? texts[relativePath] : undefined;
    if (!found) throw new UsageError("file_not_found", `${relativePath}: not among the models given with the system`);
    return found;
  };
}

/** Name of the one-off an investor's payment into a round is booked as. */
export function investorOneOff(link: string): string {
  return `system link ${link}`;
}

function label(serial: number): string {
  return formatMonth(serialToMonth(serial));
}

function position(source: SourceText) {
  return (issue: Omit<ModelIssue, "position"> | ModelIssue): ModelIssue => {
    if ("position" in issue && issue.position) return issue as ModelIssue;
    const isKeyProblem = issue.code === "unknown_key" || issue.code === "missing_key" || issue.code === "invalid_key";
    return { ...issue, position: isKeyProblem ? source.keyPosition(issue.path) : source.valuePosition(issue.path) };
  };
}

/**
 * A company's data with its own scenario chain(s) and the system's overrides applied
 * (citations unwrapped), ready to validate. Problems with the system's overrides are
 * positioned in the system file.
 */
function companyData(src: SourceText, scenarios: { name: string; at: IssuePath }[], overrides: { override: RawOverride; at: IssuePath }[], system: SourceText, company: string): Record<string, unknown> {
  // A file that is not a mapping: the model loader reports it at the company file's position.
  if (!isPlainObject(src.data)) loadModelSource(src);
  let data = unwrapCitedValues(src.data).data as Record<string, unknown>;
  const own = (isPlainObject(data.scenarios) ? data.scenarios : {}) as Record<string, unknown>;
  for (const { name, at } of scenarios) {
    const chain = scenarioChain(own, name);
    if ("issue" in chain) {
      const inCompanyFile = chain.issue.path.length > 0;
      throw new ModelError([{ ...chain.issue, path: inCompanyFile ? chain.issue.path : at, message: `${company}: ${chain.issue.message}`, position: inCompanyFile ? src.valuePosition(chain.issue.path) : system.valuePosition(at) }]);
    }
    for (const step of chain.chain) {
      const scenario = own[step] as { overrides?: unknown };
      const list = Array.isArray(scenario.overrides) ? (scenario.overrides as RawOverride[]) : [];
      const applied = applyOverrides(data, list, (i) => ["scenarios", step, "overrides", i]);
      if (applied.issues.length) throw new ModelError(applied.issues.map((i) => ({ ...i, position: src.valuePosition(i.path) })));
      data = applied.data as Record<string, unknown>;
    }
  }
  const applied = applyOverrides(
    data,
    overrides.map((o) => o.override),
    (i) => overrides[i].at,
  );
  if (applied.issues.length) throw new ModelError(applied.issues.map((i) => ({ ...i, message: `${company}: ${i.message}`, position: system.valuePosition(i.path) })));
  return applied.data as Record<string, unknown>;
}

/** Removes uncertain entries (and their rows in the correlation matrix) from raw model data. */
function dropUncertain(data: Record<string, unknown>, dropped: Set<string>): void {
  const uncertain = data.uncertain as Record<string, unknown>;
  for (const name of dropped) delete uncertain[name];
  if (Object.keys(uncertain).length === 0) delete data.uncertain;
  const correlation = data.correlation;
  if (!isPlainObject(correlation) || !Array.isArray(correlation.inputs) || !Array.isArray(correlation.matrix)) return;
  const keep = (correlation.inputs as unknown[]).map((n, i) => (dropped.has(String(n)) ? -1 : i)).filter((i) => i >= 0);
  if (keep.length < 2) {
    delete data.correlation;
    return;
  }
  const matrix = correlation.matrix as unknown[][];
  correlation.inputs = keep.map((i) => (correlation.inputs as unknown[])[i]);
  correlation.matrix = keep.map((i) => keep.map((j) => (Array.isArray(matrix[i]) ? matrix[i][j] : undefined)));
}

/** Lines a GPU-cloud model gets from its sections: one revenue line per customer, spot, site capex. */
function gpuLineNames(model: LoadedModel): string[] {
  const out: string[] = [];
  const contracts = model.extensions.contracts;
  if (isPlainObject(contracts)) for (const c of Object.values(contracts)) if (isPlainObject(c) && typeof c.customer === "string" && !out.includes(`revenue: ${c.customer}`)) out.push(`revenue: ${c.customer}`);
  if (model.extensions.utilization !== undefined) out.push("revenue: spot");
  if (isPlainObject(model.extensions.sites)) for (const s of Object.keys(model.extensions.sites)) out.push(`capex: site ${s}`);
  return out;
}

function readsDriver(definition: unknown, name: string): boolean {
  const text = typeof definition === "string" ? definition : isPlainObject(definition) && typeof definition.formula === "string" ? definition.formula : null;
  return text !== null && new RegExp(`(^|[^A-Za-z0-9_])${name}([^A-Za-z0-9_]|$)`).test(text);
}

/** The shared drivers' series in the system's base case (evaluated once, at load). */
function sharedBaseSeries(shared: LoadedModel): Map<string, Float64Array> {
  const compiled = compileModel(shared.model, shared.extensions);
  evaluate(compiled);
  return new Map([...compiled.driverSeries].map(([k, v]) => [k, Float64Array.from(v)]));
}
