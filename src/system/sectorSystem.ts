import { formatMonth, serialToMonth } from "../model/months.js";
import type { LoadedSystem } from "./load.js";
import { compileSystem, rateShift } from "./compile.js";
import { runSystem } from "./run.js";
import { simulateSystem } from "./simulateSystem.js";
import { systemSector, type SystemSectorResult } from "./sector.js";

export interface SystemSectorOptions {
  /** Monte Carlo paths for the odds (0: none); the odds at +100 bp use the same seed (same draws). */
  paths?: number;
  seed?: number;
  threads?: number | "auto";
  /** Basis points of the rate shock (default 100). */
  bp?: number;
}

/** `burnrate system sector`: the system projected as is and at +100 bp, with the odds of both when paths > 0. */
export async function sectorOfSystem(loaded: LoadedSystem, options: SystemSectorOptions = {}): Promise<SystemSectorResult> {
  const bp = options.bp ?? 100;
  const compiled = compileSystem(loaded);
  const base = runSystem(loaded, compiled, { sector: true });
  const shift = rateShift(compiled, bp);
  const shocked = shift ? runSystem(loaded, compiled, { sector: true, shift }) : null;
  const paths = options.paths ?? 0;
  const odds =
    paths > 0
      ? {
          base: await simulateSystem(loaded, { paths, seed: options.seed ?? 1, threads: options.threads ?? 1, attribution: false }),
          shocked: shift ? await simulateSystem(loaded, { paths, seed: options.seed ?? 1, threads: options.threads ?? 1, attribution: false, rateShockBp: bp }) : null,
        }
      : null;
  const shockFrom = loaded.system.sector?.shockFrom;
  const from = shift ? (shockFrom ?? formatMonth(serialToMonth(compiled.startSerial))) : null;
  return systemSector(base, shocked, odds, { unit: loaded.system.system.unit, bp, from });
}
