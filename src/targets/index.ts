/**
 * Calibration targets (reported figures a model should reproduce), the listing of
 * every input's source, and side-by-side comparison of runs. Plain data in, plain
 * data out; the `verify`, `sources` and `compare` commands only format it.
 */
export { evaluateTargets, derivedValue, type TargetReport, type TargetOutcome, type TargetValueKind, type TargetTally } from "./evaluate.js";
export { readTargets, checkTargets, parseTargets, checkTargetsAgainstHorizon, appliesTo, DEFAULT_TOLERANCE, type Target, type Tolerance } from "./validate.js";
export { targetSchema, toleranceSchema, COMPARE_OPS, TARGET_KINDS, type CompareOp, type TargetKind, type RawTarget } from "./schema.js";
export { METRIC_CATALOGUE, METRIC_NAMES, DERIVED_NAMES, HORIZON_FIELDS, metricInfo, isMonthValued, type MetricInfo } from "./catalogue.js";
export { parsePeriod, PERIOD_HELP, type PeriodSpan } from "./period.js";
export { compareRuns, YEARLY_MEASURES, SUMMARY_MEASURES, MEASURE_LABEL, MEASURE_KIND, type CompareInput, type Comparison, type ComparedRun, type YearlyBlock, type SummaryRow, type YearlyMeasure, type SummaryMeasure, type MeasureKind } from "./compare.js";
export { listSources, type SourceListing, type SourcedInput, type CitedEntry } from "./sources.js";
