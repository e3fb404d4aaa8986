import type { LoadedModel } from "../model/load.js";
import type { IssuePath, ModelIssue } from "../model/issues.js";
import { pathToString } from "../model/issues.js";
import { didYouMean } from "../model/suggest.js";
import type { CitedValue } from "../model/citations.js";
import { citedIds, figureText, matchingFigure, resolveIds } from "./cite.js";
import type { RegisterEntry, SourceRegister } from "./register.js";

/** How an input relates to the entries its citation names. */
export type CitationStatus =
  /** The value is a figure of a cited entry. */
  | "reported"
  /** The value is derived from cited figures, and says how (`derivation:`). */
  | "derived"
  /** A source informs it, an assumption decides it. */
  | "assumed-from-source"
  /** Only an assumption. */
  | "assumption"
  /** A source that covers several inputs (a section, a cohort): not compared figure by figure. */
  | "covered"
  /** Cites entries whose figures the value is not, and says neither how it was derived nor why it is assumed. */
  | "mismatch"
  | "uncited";

export interface CitationAnalysis {
  status: CitationStatus;
  ids: string[];
  unknownIds: string[];
  entries: RegisterEntry[];
  /** The figure the value reproduces (status reported). */
  figure: string | null;
}

/** Text patterns that point into one machine (a checkout, a home folder) rather than the repository or the web. */
const MACHINE_PATH = /(^|[\s("'`[])(\/work\/|\/home\/|\/Users\/|\/tmp\/|[A-Za-z]:\\|file:\/\/|\.\.\/shared\/|shared\/facts\/)|\[facts:/;

export function hasMachinePath(text: string): boolean {
  return MACHINE_PATH.test(text);
}

const key = (path: IssuePath) => path.map(String).join("\u0000");

/** Citations written on one input only (its wrapper, or an object holding just that input) are compared with their figures. */
function directCitations(inputs: CitedValue[]): Set<CitedValue> {
  const counts = new Map<string, number>();
  for (const i of inputs) if (i.citation) counts.set(key(i.citation.from), (counts.get(key(i.citation.from)) ?? 0) + 1);
  return new Set(inputs.filter((i) => i.citation && counts.get(key(i.citation.from)) === 1));
}

/**
 * Every input's relation to the register: which entries its citation names, and
 * whether its value is one of their figures, is derived from them (and says how), or
 * is an assumption informed by them.
 */
export function analyseInputs(loaded: LoadedModel, register: SourceRegister | null | undefined): Map<CitedValue, CitationAnalysis> {
  const direct = directCitations(loaded.inputs);
  const out = new Map<CitedValue, CitationAnalysis>();
  for (const input of loaded.inputs) {
    const c = input.citation;
    if (!c || (!c.source && !c.assumption)) {
      out.set(input, { status: "uncited", ids: [], unknownIds: [], entries: [], figure: null });
      continue;
    }
    const { ids } = citedIds(c.source);
    const { entries, unknown } = resolveIds(register, ids);
    let status: CitationStatus;
    let figure: string | null = null;
    if (!c.source) status = "assumption";
    else if (!direct.has(input)) status = "covered";
    else {
      const match = matchingFigure(input.value, entries, loaded.model.meta.unit);
      if (match) {
        status = "reported";
        figure = `${match.entry.id}: ${figureText(match.figure)}`;
      } else status = c.derivation ? "derived" : c.assumption ? "assumed-from-source" : "mismatch";
    }
    out.set(input, { status, ids, unknownIds: unknown, entries, figure });
  }
  return out;
}

function walkSources(node: unknown, path: IssuePath, visit: (text: string, path: IssuePath, owner: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) node.forEach((item, i) => walkSources(item, [...path, i], visit));
  else if (node && typeof node === "object") {
    const obj = node as Record<string, unknown>;
    if (typeof obj.source === "string") visit(obj.source, [...path, "source"], obj);
    for (const [k, v] of Object.entries(obj)) if (k !== "source") walkSources(v, [...path, k], visit);
  }
}

function walkTexts(node: unknown, path: IssuePath, visit: (text: string, path: IssuePath) => void): void {
  if (typeof node === "string") visit(node, path);
  else if (Array.isArray(node)) node.forEach((item, i) => walkTexts(item, [...path, i], visit));
  else if (node && typeof node === "object") for (const [k, v] of Object.entries(node)) walkTexts(v, [...path, k], visit);
}

/**
 * Problems with a model's citations against its register, positioned in the model:
 * a source that names no register entry, an ID the register does not have, an input
 * (or a target, or an actual) whose value is not the figure it cites and that does
 * not say how it was derived, and machine paths (a checkout's folders) in any text.
 * With `strict` these are errors (burnrate check --strict); otherwise unknown IDs and
 * machine paths are warnings and the rest is not reported.
 */
export function checkCitations(loaded: LoadedModel, register: SourceRegister | null | undefined, strict: boolean): ModelIssue[] {
  const issues: ModelIssue[] = [];
  const severity = strict ? "error" : "warning";
  const known = register ? [...register.entries.keys()] : [];
  const at = (path: IssuePath) => loaded.source.valuePosition(path);
  const push = (code: string, path: IssuePath, message: string, sev: "error" | "warning" = severity, params?: Record<string, unknown>) =>
    issues.push({ code, path, severity: sev, message, position: at(path), params });

  if (strict && !register) {
    push("no_register", ["register"], "the model names no source register: add `register: PATH` (e.g. ../sources/register.yaml, relative to the model file) so that every citation can be followed", "error");
  }
  walkSources(loaded.source.data, [], (text, path) => {
    const { ids, malformed } = citedIds(text);
    for (const m of malformed) push("malformed_citation", path, `${m}: write register IDs alone inside brackets, e.g. [XA-02] or [XA-02, XA-04]`);
    if (ids.length === 0) {
      if (strict) push("source_without_id", path, `this source names no entry of the source register; cite it by ID, e.g. "… [XA-02]" (the register holds the publisher, address and date)`, "error");
      return;
    }
    if (!register) return;
    for (const id of ids) {
      if (register.entries.has(id)) continue;
      const s = didYouMean(id, known);
      push("unknown_register_id", path, `${id} is not in the source register ${register.file}${s ? ` — did you mean ${s}?` : ""}; add it there (figure, measure, publisher, address, date, confidence) or fix the ID`, severity, { id, suggestion: s });
    }
  });
  walkTexts(loaded.source.data, [], (text, path) => {
    if (hasMachinePath(text)) push("machine_path", path, `this text points into one machine's folders (${MACHINE_PATH.exec(text)![0].trim()}…); cite the register entry or a web address instead — a reader has only the repository`);
  });

  if (!strict || !register) return issues;

  const analysis = analyseInputs(loaded, register);
  for (const [input, a] of analysis) {
    if (a.status !== "mismatch" || a.entries.length === 0 || a.unknownIds.length > 0) continue;
    const figures = a.entries.flatMap((e) => e.values.map((f) => `${e.id} ${figureText(f)}`));
    const path = input.citation!.from;
    push(
      "figure_mismatch",
      input.path,
      `${pathToString(input.path)} = ${JSON.stringify(input.value)} is not a figure of ${a.ids.join(", ")} (${figures.length ? figures.join("; ") : "no figures recorded"}); say how it was derived with \`derivation:\` (or why it is assumed with \`assumption:\`) ${path.length === input.path.length ? "beside the value" : `on ${pathToString(path)}`}`,
      "error",
      { path: pathToString(input.path) },
    );
  }
  for (const [section, label] of [["targets", "target"], ["actuals", "actual"]] as const) {
    const raw = loaded.extensions[section];
    const entries: [IssuePath, unknown][] = Array.isArray(raw)
      ? raw.map((d, i) => [[section, i], d])
      : raw && typeof raw === "object"
        ? Object.entries(raw as Record<string, unknown>).map(([k, d]) => [[section, k], d])
        : [];
    for (const [path, data] of entries) {
      if (!data || typeof data !== "object") continue;
      const d = data as Record<string, unknown>;
      const value = d.value;
      if (typeof d.source !== "string" || (typeof value !== "number" && typeof value !== "string") || value === "never") continue;
      if (typeof d.derivation === "string" || typeof d.assumption === "string") continue;
      const { ids } = citedIds(d.source);
      const { entries: found, unknown } = resolveIds(register, ids);
      if (unknown.length || found.length === 0) continue;
      if (matchingFigure(value, found, loaded.model.meta.unit)) continue;
      const figures = found.flatMap((e) => e.values.map((f) => `${e.id} ${figureText(f)}`));
      push("figure_mismatch", [...path, "value"], `this ${label}'s value ${JSON.stringify(value)} is not a figure of ${ids.join(", ")} (${figures.length ? figures.join("; ") : "no figures recorded"}); say how it was derived with \`derivation:\``, "error");
    }
  }
  return issues;
}

/**
 * One cited figure (an actual, a target) against the register: IDs it names that the
 * register lacks, and whether its value is one of the cited figures (or says how it was
 * derived or why it is assumed). Messages only; the caller positions them.
 */
export function checkCitedFigure(
  register: SourceRegister,
  cited: { value: number | string; source: string | null; derivation?: string | null; assumption?: string | null },
  modelUnit: Parameters<typeof matchingFigure>[2],
): { unknown: string[]; mismatch: string | null } {
  const { ids } = citedIds(cited.source);
  const { entries, unknown } = resolveIds(register, ids);
  if (unknown.length || entries.length === 0 || cited.derivation || cited.assumption) return { unknown, mismatch: null };
  if (matchingFigure(cited.value, entries, modelUnit)) return { unknown, mismatch: null };
  const figures = entries.flatMap((e) => e.values.map((f) => `${e.id} ${figureText(f)}`));
  return { unknown, mismatch: `${JSON.stringify(cited.value)} is not a figure of ${ids.join(", ")} (${figures.length ? figures.join("; ") : "no figures recorded"}); say how it was derived with \`derivation:\`` };
}
