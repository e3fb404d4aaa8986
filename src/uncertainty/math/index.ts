/**
 * Pure math kernels for the Monte Carlo engine (browser- and worker-safe:
 * no Node APIs). See each module for design notes.
 */

export { RandomStream } from "./rng.js";

export {
  DISTRIBUTION_KINDS,
  DistributionError,
  FROM_QUANTILES_KINDS,
  fromQuantiles,
  lognormalParamsFromMeanSd,
  makeDistribution,
} from "./distributions.js";
export type {
  BernoulliSpec,
  BetaSpec,
  DiscreteSpec,
  Distribution,
  DistributionErrorCode,
  DistributionKind,
  DistributionSpec,
  FromQuantilesKind,
  FromQuantilesOptions,
  LognormalMomentsSpec,
  LognormalSpec,
  NormalSpec,
  PertSpec,
  QuantileInput,
  QuantilePoint,
  Support,
  TriangularSpec,
  Truncation,
  UniformSpec,
} from "./distributions.js";

export { latinHypercube, randomPermutation } from "./lhs.js";
export type { LatinHypercubeOptions } from "./lhs.js";

export { imanConover, pearsonNormalFromSpearman, spearmanFromPearsonNormal } from "./imanConover.js";
export type { ImanConoverOptions } from "./imanConover.js";

export { isPositiveSemidefinite, minEigenvalue, nearestCorrelation, validateCorrelation } from "./nearestCorrelation.js";
export type {
  CorrelationChange,
  CorrelationProblem,
  CorrelationProblemCode,
  NearestCorrelationOptions,
  NearestCorrelationResult,
} from "./nearestCorrelation.js";
export type { MatrixInput } from "./linalg.js";

export { Moments, RankSketch, compactSortedRun, lowerQuantileIndex, predictRankErrorBound, selectRanks, sortFloat64, DEFAULT_SKETCH_K } from "./sketch.js";
export type { CompactedRun, SerializedMoments, SerializedRankSketch } from "./sketch.js";

export {
  chiSquareTest,
  kolmogorovSurvival,
  ksCriticalValue,
  ksPValue,
  ksStatistic,
  ksTest,
  pearson,
  ranks,
  spearman,
  spearmanMatrix,
} from "./stats.js";
export type { ChiSquareResult, KsTestResult } from "./stats.js";

export {
  inverseRegularizedBeta,
  inverseRegularizedBetaUpper,
  lnBeta,
  lnGamma,
  normalCdf,
  normalPdf,
  normalQuantile,
  normalSf,
  regularizedBeta,
  regularizedGammaP,
  regularizedGammaQ,
} from "./special.js";
