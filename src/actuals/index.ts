/**
 * Watching: reported figures against the plan (variance, flags, what the miss does to
 * the forward metrics) and the plan rolled forward from the reported balances.
 */
export { actualSchema, actualsFileSchema, actualsListSchema, type RawActual } from "./schema.js";
export { parseActuals, checkActualsSection, DEFAULT_THRESHOLD, type Actual, type ActualsSet, type ActualMeasure } from "./read.js";
export { compareActuals, forwardMetrics, type ActualsReport, type ActualOutcome, type ForwardMetrics, type CashEffect, type Reforecast, type ReforecastAdjustment, type Direction } from "./report.js";
