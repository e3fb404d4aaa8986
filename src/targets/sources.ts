import type { LoadedModel } from "../model/load.js";
import { uncitedInputs } from "../model/sources.js";
import { pathToString, type SourcePosition } from "../model/issues.js";
import { analyseInputs, type CitationStatus } from "../register/check.js";
import { citedIds } from "../register/cite.js";
import type { SourceRegister } from "../register/register.js";

/** One input of a model and what covers it. */
export interface SourcedInput {
  /** Dotted path of the input, e.g. drivers.sofr.yearly.2025. */
  path: string;
  value: number | string;
  /** source: a `source`; assumption: only an `assumption`; both; none: neither (uncited). */
  kind: "source" | "assumption" | "both" | "none";
  source: string | null;
  assumption: string | null;
  derivation: string | null;
  /**
   * Where the citation is written: "value" when on the number itself (`{value, source}`),
   * else the dotted path of the enclosing object that carries it ("" = the top of the file).
   * null when uncited.
   */
  citedOn: string | null;
  uncited: boolean;
  position: SourcePosition | null;
  /** Register IDs the source names. */
  ids: string[];
  /** IDs not in the register (or all of them, when no register is loaded). */
  unknownIds: string[];
  /**
   * reported (the value is a figure of a cited entry), derived (says how), assumed-from-source,
   * assumption, covered (a citation over several inputs), mismatch, uncited. Null without a register.
   */
  status: CitationStatus | null;
  /** The register figure the value reproduces ("XA-02: 500 USD millions (2025 revenue)"), for status reported. */
  figure: string | null;
}

/** A register entry as the listing shows it. */
export interface CitedEntry {
  id: string;
  figure: string;
  measure: string;
  publisher: string | null;
  address: string | null;
  date: string | null;
  confidence: string;
  derivedFrom: string[];
  /** How many inputs cite it. */
  inputs: number;
}

export interface SourceListing {
  model: string;
  file: string;
  inputs: SourcedInput[];
  counts: { inputs: number; sourced: number; assumptionOnly: number; uncited: number; reported: number; derived: number; assumedFromSource: number; covered: number; mismatch: number };
  /** The register the citations resolve to, and the entries cited (by inputs, targets, scenarios, caveats or actuals). */
  register: { file: string; entries: CitedEntry[] } | null;
}

const samePath = (a: (string | number)[], b: (string | number)[]) => a.length === b.length && a.every((p, i) => String(p) === String(b[i]));

function allCitedIds(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) node.forEach((n) => allCitedIds(n, into));
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "source" && typeof v === "string") for (const id of citedIds(v).ids) into.add(id);
      else allCitedIds(v, into);
    }
  }
}

/**
 * Every input of a model with the citation that covers it, flagging those with neither
 * a source nor an assumption — the same rule `burnrate check --strict` enforces — and,
 * with a register, what each citation resolves to and whether the value is the cited
 * figure, derived from it, or an assumption it informs.
 */
export function listSources(loaded: LoadedModel, register: SourceRegister | null = null): SourceListing {
  const uncited = new Set(uncitedInputs(loaded));
  const analysis = analyseInputs(loaded, register);
  const inputs: SourcedInput[] = loaded.inputs.map((input) => {
    const c = input.citation;
    const isUncited = uncited.has(input);
    const source = c?.source ?? null;
    const assumption = c?.assumption ?? null;
    const a = analysis.get(input)!;
    return {
      path: pathToString(input.path),
      value: input.value,
      kind: isUncited ? "none" : source && assumption ? "both" : source ? "source" : "assumption",
      source: isUncited ? null : source,
      assumption: isUncited ? null : assumption,
      derivation: isUncited ? null : (c?.derivation ?? null),
      citedOn: isUncited || !c ? null : samePath(c.from, input.path) ? "value" : pathToString(c.from),
      uncited: isUncited,
      position: loaded.source.valuePosition(input.path) ?? null,
      ids: a.ids,
      unknownIds: a.unknownIds,
      status: register ? a.status : null,
      figure: a.figure,
    };
  });
  const count = (s: CitationStatus) => inputs.filter((i) => i.status === s).length;
  const sourced = inputs.filter((i) => i.kind === "source" || i.kind === "both").length;
  const assumptionOnly = inputs.filter((i) => i.kind === "assumption").length;
  let cited: SourceListing["register"] = null;
  if (register) {
    const ids = new Set<string>();
    allCitedIds(loaded.source.data, ids);
    const perEntry = new Map<string, number>();
    for (const i of inputs) for (const id of i.ids) perEntry.set(id, (perEntry.get(id) ?? 0) + 1);
    const entries: CitedEntry[] = [...register.entries.values()]
      .filter((e) => ids.has(e.id))
      .map((e) => ({ id: e.id, figure: e.figure, measure: e.measure, publisher: e.publisher ?? null, address: e.address ?? null, date: e.date ?? null, confidence: e.confidence, derivedFrom: e.derivedFrom, inputs: perEntry.get(e.id) ?? 0 }));
    cited = { file: register.file, entries };
  }
  return {
    model: loaded.model.meta.company,
    file: loaded.file,
    inputs,
    counts: {
      inputs: inputs.length,
      sourced,
      assumptionOnly,
      uncited: inputs.filter((i) => i.uncited).length,
      reported: count("reported"),
      derived: count("derived"),
      assumedFromSource: count("assumed-from-source"),
      covered: count("covered"),
      mismatch: count("mismatch"),
    },
    register: cited,
  };
}
