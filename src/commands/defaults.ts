/**
 * Command defaults with no dependencies, so that the command line can show them in its
 * help (and parse options) without loading the commands themselves.
 */
export const DEFAULT_DISCOUNT_RATE = 0.1;
export const TERMINALS = ["book", "none"] as const;
export const DEFAULT_SENSITIVITY_METRIC = "runwayMonths";
export const DEFAULT_SIMULATION_PATHS = 10_000;
export const DEFAULT_SIMULATION_SEED = 1;
