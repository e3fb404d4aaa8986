import type { LoadedModel } from "./load.js";
import type { CitedValue } from "./citations.js";

/** Inputs with neither a source nor an assumption covering them. */
export function uncitedInputs(loaded: LoadedModel): CitedValue[] {
  return loaded.inputs.filter((i) => !i.citation || (!i.citation.source && !i.citation.assumption));
}
