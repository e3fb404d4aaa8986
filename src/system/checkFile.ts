import type { CheckReport } from "../commands/check.js";
import { checkSystem } from "./check.js";
import { companyReader } from "./node.js";
import "./index.js";

/** `burnrate check` on a system file read from disk (company models relative to it). */
export function checkSystemFile(model: { text: string; file: string }, options: { strict?: boolean } = {}): CheckReport {
  return checkSystem(model.text, model.file, companyReader(model.file), options);
}
