import type { Cohort, Model } from "./schema.js";
import { parseMonth, monthSerial } from "./months.js";

export const UNIT_SCALE: Record<Model["meta"]["unit"], number> = {
  units: 1,
  thousands: 1e3,
  millions: 1e6,
  billions: 1e9,
};

/** A cohort's cost in the model unit (unit costs are written in whole currency units). */
export function cohortCost(cohort: Cohort, unit: Model["meta"]["unit"]): number {
  return (cohort.count * cohort.unitCost) / UNIT_SCALE[unit];
}

export function cohortSalvage(cohort: Cohort, unit: Model["meta"]["unit"]): number {
  return (cohort.count * cohort.salvagePerUnit) / UNIT_SCALE[unit];
}

/**
 * Net book value at the model's start of a cohort bought before it: straight-line
 * from the in-service month, a full month's depreciation in the in-service month; zero
 * once retired (its service ended before the start). Cohorts bought in the horizon are
 * worth nothing at the start (their capex comes later).
 */
export function cohortNetBookValueAtStart(cohort: Cohort, startSerial: number, unit: Model["meta"]["unit"]): number {
  const purchase = monthSerial(parseMonth(cohort.purchase)!);
  if (purchase >= startSerial) return 0;
  const inService = cohort.inService ? monthSerial(parseMonth(cohort.inService)!) : purchase;
  const cost = cohortCost(cohort, unit);
  const salvage = cohortSalvage(cohort, unit);
  if (startSerial - inService >= (cohort.serviceLifeMonths ?? cohort.lifeMonths)) return 0;
  const monthsDepreciated = Math.min(cohort.lifeMonths, Math.max(0, startSerial - inService));
  return cost - ((cost - salvage) * monthsDepreciated) / cohort.lifeMonths;
}
