import { FinanceError, finiteResult, requireFinite } from "./errors.js";

/**
 * SLN(cost, salvage, life) — straight-line depreciation of an asset for one period.
 *
 * Definition (Excel): (cost − salvage) / life, the same charge in every period. Amounts
 * are values of the asset, not cash flows, so no sign convention applies: a cost above
 * the salvage value gives a positive depreciation charge.
 *
 * @example sln(30000, 7500, 10) // 2250
 * @throws FinanceError DIV0 when life is 0 (Excel's #DIV/0!), VALUE for a non-finite argument.
 */
export function sln(cost: number, salvage: number, life: number): number {
  const fn = "SLN";
  requireFinite(fn, "cost", cost);
  requireFinite(fn, "salvage", salvage);
  requireFinite(fn, "life", life);
  if (life === 0) {
    throw new FinanceError("DIV0", `${fn}: life must not be 0; give the number of periods the asset is depreciated over`);
  }
  return finiteResult(fn, (cost - salvage) / life, "cost, salvage and life are too far apart in scale");
}
