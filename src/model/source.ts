import { Composer, Lexer, LineCounter, Parser, YAMLParseError, isMap, isSeq, isScalar, isPair, type Document, type Node as YamlNode, type Pair, type YAMLMap } from "yaml";
import type { IssuePath, ModelIssue, SourcePosition } from "./issues.js";
import { ModelError } from "./issues.js";
import { isReservedName, RESERVED_NAME_HINT } from "./names.js";
import { MAX_ALIAS_COUNT, MAX_KEY_LENGTH, MAX_MODEL_BYTES, MAX_NESTING_DEPTH, MAX_NUMBER, MAX_YAML_TOKENS, YAML_OPTIONS } from "./sourceLimits.js";
import { DECLINED, fastSourceData } from "./sourceFastPath.js";

export { MAX_ALIAS_COUNT, MAX_KEY_LENGTH, MAX_MODEL_BYTES, MAX_NESTING_DEPTH, MAX_NUMBER, MAX_YAML_TOKENS } from "./sourceLimits.js";

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

/** A key's name as the data has it (`toJS` makes every key a string; a missing key is "null"). */
function keyName(keyNode: YamlNode | null): string {
  return isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
}

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

/**
 * Reads a model file (YAML or JSON) into plain data, refusing what no model may hold (see
 * sourceLimits.ts) with positioned issues. The data come from js-yaml where its fast path
 * can vouch that they are the yaml package's (sourceFastPath.ts); otherwise, and for every
 * file with a problem to report, the yaml package reads the file as the reference. Positions
 * are looked up in the yaml package's syntax tree, built when a message first asks for one.
 */
export function parseSourceText(text: string, file: string): SourceText {
  refuseEmptyOrHuge(text, file);
  const data = fastSourceData(text);
  if (data === DECLINED) return parseSourceTextWithYamlPackage(text, file);
  let positions: YamlPackageSource | undefined;
  // The fast path answered only for a file the yaml package reads without an issue, so
  // this never throws.
  const tree = () => (positions ??= yamlPackageSource(text, file));
  return { file, data, keyPosition: (path) => tree().keyPosition(path), valuePosition: (path) => tree().valuePosition(path) };
}

/** parseSourceText by the yaml package alone (the reference the fast path must equal). */
export function parseSourceTextWithYamlPackage(text: string, file: string): SourceText {
  refuseEmptyOrHuge(text, file);
  const source = yamlPackageSource(text, file);
  return { file, data: source.data(), keyPosition: source.keyPosition, valuePosition: source.valuePosition };
}

function refuseEmptyOrHuge(text: string, file: string): void {
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
}

interface YamlPackageSource {
  keyPosition(path: IssuePath): SourcePosition;
  valuePosition(path: IssuePath): SourcePosition;
  /** The plain data (`toJS`), built on demand. */
  data(): unknown;
}

/** The file's syntax tree by the yaml package, checked: throws ModelError with every issue. */
function yamlPackageSource(text: string, file: string): YamlPackageSource {
  const issues: ModelIssue[] = [];
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
  // as they reach its parser, stopping at the first collection too deep or the first token
  // too many — before the syntax tree is composed. (One lexing pass: a separate scan first
  // lexed every file twice, a tenth of `burnrate run`.)
  let doc: Document.Parsed;
  try {
    doc = withoutYamlDebugSwitches(() => parseYaml(text, lineCounter));
  } catch (error) {
    if (error instanceof TokenLimit) {
      // Line index so far ends before the offender: count the lines up to the offset.
      let line = 1;
      let lineStart = 0;
      for (let i = text.indexOf("\n"); i >= 0 && i < error.offset; i = text.indexOf("\n", i + 1)) {
        line++;
        lineStart = i + 1;
      }
      const position = { file, line, col: error.offset - lineStart + 1 };
      throw new ModelError([
        error.problem === "deep"
          ? { ...tooDeep(0), position }
          : { code: "too_many_values", path: [], severity: "error", message: `the file has more than ${MAX_YAML_TOKENS.toLocaleString("en-US")} YAML tokens (keys, values and punctuation) by here; a model needs far fewer — check that this is the right file`, params: { max: MAX_YAML_TOKENS }, position },
      ]);
    }
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
  // keys no model may use and numbers out of range. Positions are looked up in the tree only
  // when a message needs one (most loads need none).
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
        const key = keyName(keyNode);
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
        stack.push({ node: item.value, path: [...path, key], depth: depth + 1 });
      }
    } else {
      node.items.forEach((item, index) => stack.push({ node: item, path: [...path, index], depth: depth + 1 }));
    }
  }
  if (issues.length > 0) throw new ModelError(issues);
  const rootOffset = (doc.contents as YamlNode | null)?.range?.[0] ?? 0;

  // A mapping's pairs by key name, built when a lookup first goes through it (every key is
  // unique and a plain name here: the walk above threw otherwise).
  const pairsOf = new WeakMap<object, Map<string, Pair>>();
  const pairNamed = (map: YAMLMap, name: string): Pair | undefined => {
    let pairs = pairsOf.get(map);
    if (!pairs) {
      pairs = new Map();
      for (const item of map.items) if (isPair(item)) pairs.set(keyName(item.key as YamlNode | null), item);
      pairsOf.set(map, pairs);
    }
    return pairs.get(name);
  };
  /**
   * The position of a key (or list item), or of its value, found by walking the tree along
   * the path; where the path leaves the text (e.g. a missing key), the nearest enclosing
   * key or item that is there.
   */
  const lookup = (path: IssuePath, of: "key" | "value"): SourcePosition => {
    let node: unknown = doc.contents;
    let found = rootOffset;
    for (const segment of path) {
      let offset: number | undefined;
      if (isMap(node)) {
        const pair = pairNamed(node, String(segment));
        if (!pair) break;
        const keyNode = pair.key as YamlNode | null;
        const valueNode = pair.value as YamlNode | null;
        offset = of === "key" ? keyNode?.range?.[0] : (valueNode?.range?.[0] ?? keyNode?.range?.[0]);
        node = valueNode;
      } else if (isSeq(node)) {
        const index = Number(segment);
        if (!(Number.isInteger(index) && index >= 0 && index < node.items.length && String(index) === String(segment))) break;
        const item = node.items[index] as YamlNode | null;
        offset = item?.range?.[0];
        node = item;
      } else break;
      if (offset !== undefined) found = offset;
    }
    return at(found);
  };

  const data = (): unknown => {
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
    return data;
  };
  return {
    data,
    keyPosition: (path) => lookup(path, "key"),
    valuePosition: (path) => lookup(path, "value"),
  };
}

/** Thrown while lexing: the first offset at which a flow collection nests too deep, or the token limit is passed. */
class TokenLimit extends Error {
  constructor(
    readonly problem: "deep" | "large",
    readonly offset: number,
  ) {
    super(problem);
  }
}

/**
 * `parseDocument(text, { lineCounter, ...YAML_OPTIONS })` with each lexical token checked
 * before the parser takes it (the yaml package's way to use its parser with your own lexer
 * loop: Lexer → Parser.next/end → Composer): a flow collection (`[` or `{`) deeper than
 * MAX_NESTING_DEPTH or more than MAX_YAML_TOKENS tokens throws TokenLimit. Linear in the
 * text up to the offender; quotes, comments and block scalars are read as YAML reads them.
 */
function parseYaml(text: string, lineCounter: LineCounter): Document.Parsed {
  const parser = new Parser(lineCounter.addNewLine);
  function* tokens() {
    let depth = 0;
    let offset = 0;
    let count = 0;
    lineCounter.addNewLine(0);
    for (const token of new Lexer().lex(text)) {
      if (token === "[" || token === "{") {
        if (++depth > MAX_NESTING_DEPTH) throw new TokenLimit("deep", offset);
      } else if (token === "]" || token === "}") depth = Math.max(0, depth - 1);
      if (++count > MAX_YAML_TOKENS) throw new TokenLimit("large", offset);
      // The lexer adds one-character control tokens (document start, scalar…) that are not text.
      if (!(token.length === 1 && token.charCodeAt(0) < 0x20 && token !== "\n" && token !== "\r" && token !== "\t")) offset += token.length;
      yield* parser.next(token);
    }
    yield* parser.end();
  }
  let doc: Document.Parsed | null = null;
  for (const next of new Composer({ lineCounter, ...YAML_OPTIONS }).compose(tokens(), true, text.length)) {
    if (!doc) doc = next;
    else {
      doc.errors.push(new YAMLParseError(next.range.slice(0, 2) as [number, number], "MULTIPLE_DOCS", "Source contains multiple documents; please use YAML.parseAllDocuments()"));
      break;
    }
  }
  // compose(…, forceDoc = true) yields a document even for an empty stream.
  return doc!;
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
