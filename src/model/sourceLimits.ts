/**
 * The limits every model file meets, wherever it comes from (a file, a browser), and the yaml
 * package's options: shared by the reader (source.ts) and its fast path (sourceFastPath.ts).
 */

/** Files above this size are refused before parsing: a model is a page or two of YAML. */
export const MAX_MODEL_BYTES = 5 * 1024 * 1024;

/** Deepest nesting of mappings and lists a model file may have (real models use about 6). */
export const MAX_NESTING_DEPTH = 64;
/** Longest key (a name) a model file may use, in characters. */
export const MAX_KEY_LENGTH = 256;
/**
 * Most YAML tokens (keys, values, punctuation, line breaks) a file may have: the yaml
 * package needs about two seconds of CPU per million, so this bounds the time any file can
 * take (the shipped models have about 10,000).
 */
export const MAX_YAML_TOKENS = 500_000;
/**
 * Largest number a model file may hold (in absolute value). burnrate keeps the balance sheet
 * to 1e-6 of the unit, which double precision cannot do for amounts much above this; no
 * company needs more in any unit (a trillion dollars is 1e12 in `units`).
 */
export const MAX_NUMBER = 1e15;
/** Most YAML alias expansions (`*name`) a file may use: aliases cannot blow a small file up. */
export const MAX_ALIAS_COUNT = 100;

/** How the yaml package reads a model file (source.ts): duplicate keys and merge keys are burnrate's to judge. */
export const YAML_OPTIONS = { prettyErrors: false, uniqueKeys: false, merge: false } as const;
