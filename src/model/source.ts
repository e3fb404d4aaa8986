import { Lexer, LineCounter, parseDocument, isMap, isSeq, isScalar, isPair, type Node as YamlNode } from "yaml";
import type { IssuePath, ModelIssue, SourcePosition } from "./issues.js";
import { ModelError } from "./issues.js";
import { isReservedName, RESERVED_NAME_HINT } from "./names.js";

/** Files above this size are refused before parsing: a model is a page or two of YAML. */
export const MAX_MODEL_BYTES = 5 * 1024 * 1024;

/**
 * A parsed model file: the plain data plus a way back from a key's path to its
 * line and column, so that every later check can point at the text.
 */
export interface SourceText {
  file: string;
  data: unknown;
  /** Position of the key (for object members) or of the item (for list items). */
  keyPosition(path: IssuePath): SourcePosition | undefined;
  /** Position of the value at a path. */
  valuePosition(path: IssuePath): SourcePosition | undefined;
}

function pathKey(path: IssuePath): string {
  return path.map(String).join("\u0000");
}

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

/**
 * The yaml package prints its tokens to standard output when LOG_TOKENS or LOG_STREAM is
 * set in the environment (a debugging switch of the library). burnrate's output must not
 * depend on a dependency's switches, so they are hidden while a file is parsed.
 */
const YAML_DEBUG_SWITCHES = ["LOG_TOKENS", "LOG_STREAM"] as const;

function withoutYamlDebugSwitches<T>(parse: () => T): T {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  if (!env || !YAML_DEBUG_SWITCHES.some((k) => env[k] !== undefined)) return parse();
  const saved = YAML_DEBUG_SWITCHES.map((k) => [k, env[k]] as const);
  for (const k of YAML_DEBUG_SWITCHES) delete env[k];
  try {
    return parse();
  } finally {
    for (const [k, v] of saved) if (v !== undefined) env[k] = v;
  }
}

function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError || (error instanceof Error && /call stack/i.test(error.message));
}

export function parseSourceText(text: string, file: string): SourceText {
  const issues: ModelIssue[] = [];
  if (text.length > MAX_MODEL_BYTES) {
    throw new ModelError([
      {
        code: "file_too_large",
        path: [],
        severity: "error",
        message: `the file is over ${MAX_MODEL_BYTES / 1024 / 1024} MB; a model file may be at most ${MAX_MODEL_BYTES / 1024 / 1024} MB — split data series out or check that this is the right file`,
        position: { file, line: 1, col: 1 },
      },
    ]);
  }
  if (text.trim().length === 0) {
    throw new ModelError([
      {
        code: "empty_file",
        path: [],
        severity: "error",
        message: "the file is empty; a model needs at least `meta`, `openingBalance` and some `lines` (see `burnrate schema`)",
        position: { file, line: 1, col: 1 },
      },
    ]);
  }
  const lineCounter = new LineCounter();
  const at = (offset: number): SourcePosition => {
    const lp = lineCounter.linePos(offset);
    return { file, line: lp.line, col: lp.col };
  };
  const tooDeep = (offset: number): ModelIssue => ({
    code: "too_deep",
    path: [],
    severity: "error",
    message: `the file nests mappings or lists more than ${MAX_NESTING_DEPTH} levels deep; a model needs far fewer — check the brackets and indentation here`,
    params: { max: MAX_NESTING_DEPTH },
    position: at(offset),
  });
  // The yaml package builds deeply nested flow collections ([[[[…) with work that grows
  // faster than the text, and needs seconds for a million tokens: its own tokens are counted
  // first, stopping at the first collection too deep or the first token too many.
  const scan = prescan(text);
  if (scan) {
    // Before parsing there is no line index yet: count the lines up to the offset.
    let line = 1;
    let lineStart = 0;
    for (let i = text.indexOf("\n"); i >= 0 && i < scan.offset; i = text.indexOf("\n", i + 1)) {
      line++;
      lineStart = i + 1;
    }
    const position = { file, line, col: scan.offset - lineStart + 1 };
    throw new ModelError([
      scan.problem === "deep"
        ? { ...tooDeep(0), position }
        : { code: "too_many_values", path: [], severity: "error", message: `the file has more than ${MAX_YAML_TOKENS.toLocaleString("en-US")} YAML tokens (keys, values and punctuation) by here; a model needs far fewer — check that this is the right file`, params: { max: MAX_YAML_TOKENS }, position },
    ]);
  }
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = withoutYamlDebugSwitches(() => parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, merge: false }));
  } catch (error) {
    if (isStackOverflow(error)) throw new ModelError([tooDeep(0)]);
    throw error;
  }
  for (const err of doc.errors) {
    if (/call stack/i.test(err.message)) {
      issues.push(tooDeep(err.pos[0]));
      continue;
    }
    issues.push({
      code: "yaml_syntax",
      path: [],
      severity: "error",
      message: `YAML syntax error: ${err.message.split("\n")[0]}`,
      position: at(err.pos[0]),
    });
  }
  if (issues.length > 0) throw new ModelError(issues);

  // One pass over the syntax tree, without recursion (a file's nesting is the user's): the
  // position of every key and value, and the keys no model may use.
  const keyPositions = new Map<string, number>();
  const valuePositions = new Map<string, number>();
  const stack: { node: unknown; path: IssuePath; depth: number }[] = [{ node: doc.contents, path: [], depth: 0 }];
  while (stack.length > 0) {
    const { node, path, depth } = stack.pop()!;
    if (isScalar(node) && typeof node.value === "number" && Math.abs(node.value) > MAX_NUMBER && Number.isFinite(node.value)) {
      issues.push({ code: "number_too_large", path, severity: "error", message: `${node.value} is larger than ${MAX_NUMBER.toExponential()} in absolute value, beyond what burnrate computes to 1e-6 of the unit; write amounts in a larger unit (meta.unit) or check the number`, params: { value: node.value, max: MAX_NUMBER }, position: at(node.range?.[0] ?? 0) });
      continue;
    }
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth >= MAX_NESTING_DEPTH) {
      issues.push(tooDeep((node as YamlNode).range?.[0] ?? 0));
      break;
    }
    if (isMap(node)) {
      // Duplicate keys are found here, in linear time (the yaml package's own check compares
      // every key with every other: quadratic in a mapping's size).
      const seen = new Set<string>();
      for (const item of node.items) {
        if (!isPair(item)) continue;
        const keyNode = item.key as YamlNode | null;
        const keyOffset = keyNode?.range?.[0] ?? (node as YamlNode).range?.[0] ?? 0;
        if (keyNode !== null && !isScalar(keyNode)) {
          issues.push({ code: "invalid_key", path, severity: "error", message: "a key must be a name (plain text), not a mapping or a list", position: at(keyOffset) });
          continue;
        }
        const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
        if (isReservedName(key)) {
          issues.push({ code: "reserved_key", path: [...path, key], severity: "error", message: `"${key}" cannot be used as a key: ${RESERVED_NAME_HINT}`, params: { name: key }, position: at(keyOffset) });
          continue;
        }
        if (key.length > MAX_KEY_LENGTH) {
          issues.push({ code: "key_too_long", path, severity: "error", message: `a key of ${key.length.toLocaleString("en-US")} characters; keys are names of at most ${MAX_KEY_LENGTH} characters`, params: { length: key.length, max: MAX_KEY_LENGTH }, position: at(keyOffset) });
          continue;
        }
        if (seen.has(key)) {
          issues.push({ code: "duplicate_key", path: [...path, key], severity: "error", message: `the key "${key}" appears twice in this mapping; keep one`, params: { name: key }, position: at(keyOffset) });
          continue;
        }
        seen.add(key);
        const childPath = [...path, key];
        if (keyNode && keyNode.range) keyPositions.set(pathKey(childPath), keyNode.range[0]);
        const valueNode = item.value as YamlNode | null;
        if (valueNode && valueNode.range) valuePositions.set(pathKey(childPath), valueNode.range[0]);
        else if (keyNode && keyNode.range) valuePositions.set(pathKey(childPath), keyNode.range[0]);
        stack.push({ node: valueNode, path: childPath, depth: depth + 1 });
      }
    } else {
      node.items.forEach((item, index) => {
        const childPath = [...path, index];
        const n = item as YamlNode;
        if (n && n.range) {
          keyPositions.set(pathKey(childPath), n.range[0]);
          valuePositions.set(pathKey(childPath), n.range[0]);
        }
        stack.push({ node: item, path: childPath, depth: depth + 1 });
      });
    }
  }
  if (issues.length > 0) throw new ModelError(issues);
  const rootOffset = (doc.contents as YamlNode | null)?.range?.[0] ?? 0;

  const lookup = (map: Map<string, number>, path: IssuePath): SourcePosition | undefined => {
    // Fall back to the nearest enclosing key that exists in the text (e.g. a missing key
    // is reported at its parent).
    for (let len = path.length; len >= 0; len--) {
      const offset = map.get(pathKey(path.slice(0, len)));
      if (offset !== undefined) return at(offset);
      if (len === 0) return at(rootOffset);
    }
    return undefined;
  };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new ModelError([
      isStackOverflow(error)
        ? tooDeep(0)
        : {
            code: "yaml_syntax",
            path: [],
            severity: "error",
            message: `YAML could not be read: ${(error as Error).message}`,
            position: at(0),
          },
    ]);
  }
  if (nestingDepth(data) > MAX_NESTING_DEPTH) throw new ModelError([tooDeep(0)]);
  return {
    file,
    data,
    keyPosition: (path) => lookup(keyPositions, path),
    valuePosition: (path) => lookup(valuePositions, path),
  };
}

/**
 * The first offset at which a flow collection (`[` or `{`) nests deeper than the limit, or
 * the file has more tokens than MAX_YAML_TOKENS; null when neither. Uses the yaml package's
 * lexer, so quotes, comments and block scalars are read as YAML reads them; linear in the
 * text, and it stops at the first offender.
 */
function prescan(text: string): { problem: "deep" | "large"; offset: number } | null {
  let depth = 0;
  let offset = 0;
  let tokens = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === "[" || token === "{") {
      if (++depth > MAX_NESTING_DEPTH) return { problem: "deep", offset };
    } else if (token === "]" || token === "}") depth = Math.max(0, depth - 1);
    if (++tokens > MAX_YAML_TOKENS) return { problem: "large", offset };
    // The lexer adds one-character control tokens (document start, scalar…) that are not text.
    if (!(token.length === 1 && token.charCodeAt(0) < 0x20 && token !== "\n" && token !== "\r" && token !== "\t")) offset += token.length;
  }
  return null;
}

/** Depth of nested objects and lists in plain data, without recursion (aliases can deepen a tree). */
export function nestingDepth(data: unknown, limit = MAX_NESTING_DEPTH + 1): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[data, 0]];
  let visited = 0;
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    if (depth + 1 > deepest) deepest = depth + 1;
    if (deepest >= limit || ++visited > 10_000_000) return deepest;
    for (const child of Object.values(node)) if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
  }
  return deepest;
}
