import type { LoadedModel } from "../model/load.js";
import { uncitedInputs } from "../model/sources.js";
import { pathToString, type SourcePosition } from "../model/issues.js";

/** One input of a model and what covers it. */
export interface SourcedInput {
  /** Dotted path of the input, e.g. drivers.sofr.yearly.2025. */
  path: string;
  value: number | string;
  /** source: a `source`; assumption: only an `assumption`; both; none: neither (uncited). */
  kind: "source" | "assumption" | "both" | "none";
  source: string | null;
  assumption: string | null;
  /**
   * Where the citation is written: "value" when on the number itself (`{value, source}`),
   * else the dotted path of the enclosing object that carries it ("" = the top of the file).
   * null when uncited.
   */
  citedOn: string | null;
  uncited: boolean;
  position: SourcePosition | null;
}

export interface SourceListing {
  model: string;
  file: string;
  inputs: SourcedInput[];
  counts: { inputs: number; sourced: number; assumptionOnly: number; uncited: number };
}

const samePath = (a: (string | number)[], b: (string | number)[]) => a.length === b.length && a.every((p, i) => String(p) === String(b[i]));

/**
 * Every input of a model with the citation that covers it, flagging those with neither
 * a source nor an assumption — the same rule `burnrate check --strict` enforces.
 */
export function listSources(loaded: LoadedModel): SourceListing {
  const uncited = new Set(uncitedInputs(loaded));
  const inputs: SourcedInput[] = loaded.inputs.map((input) => {
    const c = input.citation;
    const isUncited = uncited.has(input);
    const source = c?.source ?? null;
    const assumption = c?.assumption ?? null;
    return {
      path: pathToString(input.path),
      value: input.value,
      kind: isUncited ? "none" : source && assumption ? "both" : source ? "source" : "assumption",
      source: isUncited ? null : source,
      assumption: isUncited ? null : assumption,
      citedOn: isUncited || !c ? null : samePath(c.from, input.path) ? "value" : pathToString(c.from),
      uncited: isUncited,
      position: loaded.source.valuePosition(input.path) ?? null,
    };
  });
  const sourced = inputs.filter((i) => i.kind === "source" || i.kind === "both").length;
  const assumptionOnly = inputs.filter((i) => i.kind === "assumption").length;
  return {
    model: loaded.model.meta.company,
    file: loaded.file,
    inputs,
    counts: { inputs: inputs.length, sourced, assumptionOnly, uncited: inputs.filter((i) => i.uncited).length },
  };
}
