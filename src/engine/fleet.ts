import type { CompiledCohort } from "./compile.js";

/**
 * A cohort's months of service, written to `into[at]` (first month) and `into[at + 1]` (last
 * month, at the end of which it is retired): from its in-service month, or the month its
 * site or hardware allows if later (`earliest`), for its service life (default: its
 * depreciation life), at least one month. One rule for the projection and for the fleet
 * series formulas read.
 */
export function serviceWindow(p: Float64Array, s: CompiledCohort["slots"], earliest: number, into: Float64Array, at: number): void {
  const inService = Math.max(Math.round(p[s.inService]), earliest);
  const serviceParam = p[s.serviceLife];
  const service = Math.max(1, Math.round(serviceParam === serviceParam ? serviceParam : p[s.lifeMonths]));
  into[at] = inService;
  into[at + 1] = inService + service - 1;
}

/**
 * When cohorts may start and sites go live, from params alone (registered by an extension
 * that has sites: see ExtensionCompileContext.fleetSchedule). `run` writes each site's
 * live month into `siteLive` and each cohort's earliest month into `earliest`.
 */
export interface FleetSchedule {
  sites: { name: string; powerMw: number }[];
  /** Params `run` reads (for a simulation's dependency tracking). */
  slots: number[];
  run(p: Float64Array, siteLive: Float64Array, earliest: Float64Array): void;
}

/**
 * Fills the series a fleet function of a formula reads (formula.ts FLEET_SERIES_FUNCTIONS):
 * units in service or capacity of one cohort or of the fleet, a site's live flag or its MW
 * once live, or every site's. The same service months as the projection (serviceWindow),
 * computed from params in the driver stage, so any formula can read them.
 */
export function fleetSeriesFill(
  fn: string,
  name: string | null,
  ctx: { cohorts: CompiledCohort[]; schedule: FleetSchedule | null; hours: Float64Array; params: () => Float64Array; out: Float64Array },
): { fill: () => void; slots: number[] } {
  const { cohorts, schedule, hours, params, out } = ctx;
  const H = out.length;
  const ofCohorts = fn === "fleetUnits" || fn === "fleetCapacity";
  const ks = !ofCohorts ? [] : name === null ? cohorts.map((_, k) => k) : [cohorts.findIndex((c) => c.name === name)].filter((k) => k >= 0);
  const sites = schedule?.sites ?? [];
  const ss = ofCohorts ? [] : name === null ? sites.map((_, s) => s) : [sites.findIndex((s) => s.name === name)].filter((s) => s >= 0);
  const windows = new Float64Array(2 * cohorts.length);
  const siteLive = new Float64Array(sites.length);
  const earliest = new Float64Array(cohorts.length).fill(-Infinity);
  const slots = [...(schedule?.slots ?? []), ...ks.flatMap((k) => { const s = cohorts[k].slots; return [s.count, s.capacity, s.inService, s.serviceLife, s.lifeMonths]; }), ...ss.map((s) => sites[s].powerMw)];
  const fill = () => {
    const p = params();
    if (schedule) schedule.run(p, siteLive, earliest);
    out.fill(0);
    for (const k of ks) {
      const s = cohorts[k].slots;
      serviceWindow(p, s, earliest[k], windows, 2 * k);
      const from = Math.max(0, windows[2 * k]);
      const to = Math.min(H - 1, windows[2 * k + 1]);
      if (fn === "fleetUnits") for (let t = from; t <= to; t++) out[t] += p[s.count];
      else {
        // As the projection's capacity: (count × capacity per unit-hour) × hours.
        const perHour = p[s.count] * p[s.capacity];
        for (let t = from; t <= to; t++) out[t] += perHour * hours[t];
      }
    }
    for (const s of ss) {
      const v = fn === "siteLive" ? 1 : p[sites[s].powerMw];
      for (let t = Math.max(0, siteLive[s]); t < H; t++) out[t] += v;
    }
  };
  return { fill, slots: [...new Set(slots)] };
}
