import type { Projection } from "../engine/project.js";
import type { RangeProblem } from "../engine/extensions.js";
import { gpuData } from "./compile.js";

/**
 * Utilization written as a formula must stay a share (0–1), as a constant must: a value
 * outside is refused (a simulation path with one is invalid) instead of being clamped.
 */
export function gpuRangeProblem(proj: Projection): RangeProblem | null {
  const gpu = gpuData(proj.compiled);
  const util = gpu?.utilization;
  if (!util) return null;
  for (let t = 0; t < util.length; t++) {
    const u = util[t];
    if (!(u >= 0 && u <= 1)) {
      const period = proj.compiled.calendar.labels[t];
      return { lineItem: "revenue", period, message: `utilization is ${u} in ${period}; it is the share of uncontracted GPU-hours sold and must be between 0 and 1 — burnrate does not clamp it; use clamp(…, 0, 1) in the formula if that is what you mean` };
    }
  }
  return null;
}
