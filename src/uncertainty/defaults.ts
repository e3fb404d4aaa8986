/**
 * Defaults of the Monte Carlo analyses, apart from the code that uses them: the command
 * line shows them in its help without loading the uncertainty stack.
 */
export const DEFAULT_GLOBAL_PATHS = 2000;
export const DEFAULT_SEED = 1;
export const DEFAULT_SOLVE_PATHS = 2000;
