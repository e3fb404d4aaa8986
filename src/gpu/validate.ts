import type { Model } from "../model/schema.js";
import type { IssuePath, ModelIssue } from "../model/issues.js";
import { fromZodIssues } from "../model/zodIssues.js";
import { didYouMean } from "../model/suggest.js";
import { parseFormula, isFormulaError } from "../model/formula.js";
import { formulaIssue } from "../model/formulaIssue.js";
import { horizonOf } from "../model/check.js";
import { hasOwnName } from "../model/names.js";
import { UNIT_SCALE } from "../model/derived.js";
import { parseMonth, monthSerial, formatMonth, serialToMonth } from "../model/months.js";
import { nameList } from "../model/text.js";
import { gpuSectionsSchema, GPU_SECTIONS, AVERAGE_MONTH_HOURS, type GpuSections } from "./schema.js";

type Issue = Omit<ModelIssue, "position">;

/** The GPU sections of a file, parsed with defaults, or the schema problems. */
export function parseGpuSections(extensions: Record<string, unknown>): { sections: GpuSections | null; issues: Issue[] } {
  const raw: Record<string, unknown> = {};
  for (const key of GPU_SECTIONS) if (extensions[key] !== undefined) raw[key] = extensions[key];
  const parsed = gpuSectionsSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) return { sections: null, issues: fromZodIssues(gpuSectionsSchema, parsed.error.issues, raw) };
  return { sections: parsed.data, issues: [] };
}

/** Power a cohort draws at its site, MW: count × kW per GPU × the site's PUE / 1000. */
export function cohortSiteMw(count: number, powerKw: number, pue: number): number {
  return (count * powerKw * pue) / 1000;
}

const fmt = (x: number, digits = 1) => x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * Cross checks the schema cannot express: references between sites, cohorts,
 * generations, contracts and tranches (with "did you mean"), the power each site must
 * carry, month order, formulas. Problems carry key paths; the loader adds file:line:col.
 */
export function validateGpu(model: Model, extensions: Record<string, unknown>): Issue[] {
  const { sections, issues } = parseGpuSections(extensions);
  if (!sections) return issues;
  const error = (code: string, path: IssuePath, message: string, params?: Record<string, unknown>) => issues.push({ code, path, message, severity: "error", params });
  const warning = (code: string, path: IssuePath, message: string) => issues.push({ code, path, message, severity: "warning" });
  const sites = sections.sites ?? {};
  const pricing = sections.pricing ?? {};
  const contracts = sections.contracts ?? {};
  const siteNames = Object.keys(sites);
  const generations = Object.keys(pricing);
  const trancheNames = Object.keys(model.financing.debt);
  const h = horizonOf(model);
  const serial = (m: string) => monthSerial(parseMonth(m)!);
  const endLabel = formatMonth(serialToMonth(h.end));

  const driverNames = new Set(Object.keys(model.drivers));
  const checkFormula = (value: number | string, path: IssuePath) => {
    if (typeof value !== "string") return;
    const parsed = parseFormula(value, (n) => driverNames.has(n), { cohorts: Object.keys(model.fleet), sites: siteNames });
    if (isFormulaError(parsed)) {
      const issue = formulaIssue(parsed, value, driverNames);
      error(issue.code, path, issue.message, issue.params);
    }
  };
  const unknownRef = (code: string, path: IssuePath, what: string, name: string, known: string[], where: string) => {
    const s = didYouMean(name, known);
    error(code, path, `unknown ${what} "${name}"${s ? ` — did you mean "${s}"?` : known.length ? `; the model has: ${nameList(known)}` : `; define it under ${where}`}`, { name, suggestion: s });
  };

  // Sites.
  for (const [name, site] of Object.entries(sites)) {
    const path: IssuePath = ["sites", name];
    if (serial(site.goLive) < serial(site.buildStart)) error("months_out_of_order", [...path, "goLive"], `goLive ${site.goLive} is before buildStart ${site.buildStart}`);
    if (serial(site.buildStart) < h.start) warning("site_built_before_start", [...path, "buildStart"], `construction starting ${site.buildStart}, before the model starts (${model.meta.start}): spend before the start is not projected — include it in openingBalance.ppeNet`);
    if (serial(site.goLive) + Math.round(site.delayMonths) > h.end) warning("site_not_live", [...path, "goLive"], `the site goes live after the horizon ends (${endLabel}); it adds no capacity within the projection`);
    checkFormula(site.powerPrice, [...path, "powerPrice"]);
    if (site.debt !== undefined && !trancheNames.includes(site.debt)) unknownRef("unknown_tranche", [...path, "debt"], "debt tranche", site.debt, trancheNames, "financing.debt:");
  }

  // Pricing, utilization, rental.
  for (const [name, curve] of Object.entries(pricing)) {
    if (typeof curve === "string") checkFormula(curve, ["pricing", name]);
    else if (typeof curve === "object" && "price" in curve) checkFormula(curve.price, ["pricing", name, "price"]);
  }
  if (sections.utilization !== undefined) {
    checkFormula(sections.utilization, ["utilization"]);
    if (typeof sections.utilization === "number" && (sections.utilization < 0 || sections.utilization > 1)) error("utilization_range", ["utilization"], `utilization is a share of uncontracted GPU-hours sold, between 0 and 1 (got ${sections.utilization})`);
  }
  if (sections.rental) checkFormula(sections.rental.price, ["rental", "price"]);
  const sellsSpot = sections.utilization !== undefined;
  if (sellsSpot && generations.length === 0) error("pricing_missing", ["utilization"], "utilization sells uncontracted GPU-hours, which needs a price: add `pricing:` with a price per GPU-hour per generation");
  if (!sellsSpot && generations.length > 0) error("utilization_missing", ["pricing"], "pricing sets the price of uncontracted GPU-hours; add `utilization:` (the share of them sold, 0–1) so that they are sold");

  // Cohorts: site and generation references, delivery, power per site.
  const loadBySite = new Map<string, { cohort: string; mw: number; count: number }[]>();
  for (const [name, cohort] of Object.entries(model.fleet)) {
    const path: IssuePath = ["fleet", name];
    if (cohort.site !== undefined) {
      if (!hasOwnName(sites, cohort.site)) unknownRef("unknown_site", [...path, "site"], "site", cohort.site, siteNames, "sites:");
      else {
        const site = sites[cohort.site];
        const list = loadBySite.get(cohort.site) ?? [];
        list.push({ cohort: name, mw: cohortSiteMw(cohort.count, cohort.powerKw, site.pue), count: cohort.count });
        loadBySite.set(cohort.site, list);
        if (cohort.pue !== 1 || cohort.powerPrice !== 0) warning("cohort_power_ignored", path, `the cohort runs in site "${cohort.site}", whose PUE (${site.pue}) and power price apply; its own pue/powerPrice are ignored`);
        if (cohort.powerKw === 0) warning("cohort_no_power", [...path, "powerKw"], `powerKw is 0: the cohort takes no room in site "${cohort.site}" and pays no power; give the power per GPU in kW`);
      }
    }
    if (cohort.generation !== undefined && generations.length > 0 && !hasOwnName(pricing, cohort.generation)) unknownRef("unknown_generation", [...path, "generation"], "generation", cohort.generation, generations, "pricing:");
    if (sellsSpot && cohort.generation === undefined && generations.length > 1) error("generation_missing", path, `the cohort needs \`generation:\` (one of ${generations.join(", ")}) so that its uncontracted hours have a price`);
    if ((cohort.site !== undefined || cohort.generation !== undefined) && cohort.capacityPerUnitHour !== 1) warning("capacity_not_gpu_hours", [...path, "capacityPerUnitHour"], "GPU sections count capacity in GPU-hours; a capacityPerUnitHour other than 1 mixes units with the contracts' committed GPUs");
    if (cohort.delivery !== undefined && serial(cohort.delivery) < serial(cohort.purchase)) error("months_out_of_order", [...path, "delivery"], `delivery ${cohort.delivery} is before purchase ${cohort.purchase}`);
  }
  for (const [name, site] of Object.entries(sites)) {
    const list = loadBySite.get(name) ?? [];
    if (list.length === 0) {
      warning("site_empty", ["sites", name], `no fleet cohort runs in site "${name}" (give cohorts \`site: ${name}\`)`);
      continue;
    }
    const total = list.reduce((s, c) => s + c.mw, 0);
    if (total > site.powerMw + 1e-9) {
      const detail = nameList(list.map((c) => `${c.cohort} ${fmt(c.mw)} MW`));
      error("site_over_power", ["sites", name, "powerMw"], `site "${name}" has ${fmt(site.powerMw)} MW but its cohorts need ${fmt(total)} MW (GPUs × kW × PUE ${site.pue}: ${detail}); lower the cohorts' counts, move one to another site or raise powerMw`, {
        site: name,
        cohorts: list.map((c) => c.cohort),
        needMw: total,
      });
    }
  }

  // Contracts.
  const gpusAt = (site: string | undefined) =>
    Object.values(model.fleet)
      .filter((c) => c.site === site)
      .reduce((s, c) => s + c.count, 0);
  const committedAt = new Map<string, { gpus: number; names: string[] }>();
  for (const [name, c] of Object.entries(contracts)) {
    const path: IssuePath = ["contracts", name];
    const given = (["gpus", "value", "pricePerGpuHour"] as const).filter((k) => c[k] !== undefined);
    if (given.length !== 2) {
      error("contract_terms", path, given.length < 2 ? `give two of gpus, value and pricePerGpuHour (found ${given.length ? given.join(", ") : "none"}); the third follows from them over the term` : "give two of gpus, value and pricePerGpuHour, not all three: the third follows from the other two (value = gpus × price × 730 h × termMonths)");
    }
    if (c.site !== undefined && !hasOwnName(sites, c.site)) unknownRef("unknown_site", [...path, "site"], "site", c.site, siteNames, "sites:");
    else if (c.site !== undefined) {
      const site = sites[c.site];
      if (serial(c.start) < serial(site.goLive)) warning("contract_before_site", [...path, "start"], `the contract starts ${c.start}, before site "${c.site}" goes live (${site.goLive}); it will start when the site is live`);
    }
    if (c.exit !== undefined && serial(c.exit) < serial(c.start)) error("months_out_of_order", [...path, "exit"], `exit ${c.exit} is before the start ${c.start}`);
    if (c.signed !== undefined && serial(c.signed) > serial(c.start)) error("months_out_of_order", [...path, "signed"], `signed ${c.signed} is after the start ${c.start}; a contract is signed before it starts`);
    if (c.site !== undefined && !hasOwnName(sites, c.site)) continue;
    const gpus = c.gpus ?? (c.value !== undefined && c.pricePerGpuHour !== undefined ? (c.value * UNIT_SCALE[model.meta.unit]) / (c.pricePerGpuHour * AVERAGE_MONTH_HOURS * c.termMonths) : 0);
    const key = c.site ?? "";
    const entry = committedAt.get(key) ?? { gpus: 0, names: [] };
    entry.gpus += gpus;
    entry.names.push(name);
    committedAt.set(key, entry);
  }
  for (const [site, { gpus, names }] of committedAt) {
    const available = gpusAt(site === "" ? undefined : site);
    if (gpus > available * (1 + 1e-9)) {
      warning("contracts_over_capacity", ["contracts", names[0]], `contracts ${nameList(names)} commit up to ${fmt(gpus, 0)} GPUs ${site ? `at site "${site}"` : "on cohorts without a site"}, which holds ${fmt(available, 0)}; when they overlap they are served pro rata and bill only what is delivered`);
    }
  }
  return issues;
}
