import type { LoadedModel } from "../model/load.js";
import { parseActualsText } from "../actuals/text.js";
import type { ActualsSet } from "../actuals/index.js";
import { readModelText } from "./loadFile.js";

/** Reads an actuals file (YAML, JSON or CSV by its extension) for a model. */
export function loadActualsFile(path: string, loaded: LoadedModel): ActualsSet {
  return parseActualsText(readModelText(path), path, loaded);
}
