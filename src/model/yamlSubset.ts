import { Document, isScalar } from "yaml";
import { isReservedName } from "./names.js";

/**
 * A direct reader for the part of YAML that model files are written in: block mappings and
 * sequences, one-line plain and quoted scalars, flow collections ([…], {…}) over one or more
 * lines, comments. It gives the same data as the yaml package's parseDocument(…).toJS() —
 * plain scalars resolve through the yaml package's own core-schema tags — in a single pass
 * over the text without building tokens, a syntax tree and nodes: about a tenth of the CPU
 * on a cold start, where the yaml package's code still runs in the interpreter and its
 * allocations keep the garbage collector busy (a third of `burnrate run`).
 *
 * It gives up (returns OUTSIDE) at the first thing outside that subset or anything the full
 * reader would report (a duplicate or reserved key, a number out of range, deep nesting):
 * the caller then reads the text with the yaml package, which reports the problem with its
 * position. So a text it accepts is one the yaml package reads without error, to the same data;
 * every rule below is stricter than YAML's, never looser.
 */
export const OUTSIDE: unique symbol = Symbol("outside the YAML subset");

/** Limits the caller checks on the full reader's tree; this reader gives up before any of them. */
export interface SubsetLimits {
  maxDepth: number;
  maxKeyLength: number;
  maxNumber: number;
}

const SPACE = 32;
/** Characters that cannot appear anywhere: tabs, carriage returns, other control and Unicode line characters (YAML treats some of them specially). */
const UNSUPPORTED_CHARACTER = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/;
/** A key this reader accepts: a name-like plain scalar directly followed by `:` and a space or the end of the line. */
const KEY = /[A-Za-z0-9_$][A-Za-z0-9_$\-./+]*:(?= |$)/y;
/** Characters a plain scalar cannot start with in this subset (YAML indicators). */
const INDICATOR = new Set([..."#,[]{}&*!|>'\"%@`?:"]);
/** Characters that end a plain scalar inside a flow collection (or make this reader give up: `:`). */
const FLOW_STOP = /[,[\]{}:]| #/g;
const FLOW_COLON_END = new Set([..." ,[]{}"]);
/** A colon that a plain scalar in block context may not hold in this subset. */
const MAPPING_COLON = /:(?:[ ,[\]{}]|$)/;

/** The escapes of double-quoted scalars this reader takes (as YAML reads them); others are left to the full reader. */
const DOUBLE_QUOTE_ESCAPES = new Map([
  ['"', '"'],
  ["\\", "\\"],
  ["/", "/"],
  ["n", "\n"],
  ["t", "\t"],
]);

/** Thrown inside the reader; caught by readYamlSubset. */
class Outside {}
const outside = new Outside();
function giveUp(): never {
  throw outside;
}

let coreTags: Document["schema"]["tags"] | null = null;
let resolveOptions: Document["options"] | null = null;

/**
 * A plain scalar's value as the yaml package composes it with these options: the first
 * core-schema tag whose test matches resolves it, otherwise it is a string.
 */
function resolvePlain(text: string, atKey: boolean, documentOptions: object): unknown {
  if (!coreTags) {
    const document = new Document(undefined, documentOptions);
    coreTags = document.schema.tags;
    resolveOptions = document.options;
  }
  const tag = coreTags.find((t) => (t.default === true || (atKey && t.default === "key")) && t.test?.test(text));
  if (!tag || !tag.resolve) return text;
  let failed = false;
  const resolve = tag.resolve as (value: string, onError: (message: string) => void, options: object) => unknown;
  const resolved = resolve(text, () => (failed = true), resolveOptions!);
  if (failed) giveUp();
  return isScalar(resolved) ? resolved.value : resolved;
}

function indentOf(line: string): number {
  let i = 0;
  while (line.charCodeAt(i) === SPACE) i++;
  return i;
}

/** True for a `-` entry indicator at column `col` (followed by a space or the end of the line). */
function isDash(line: string, col: number): boolean {
  return line.charCodeAt(col) === 45 && (col + 1 === line.length || line.charCodeAt(col + 1) === SPACE);
}

/** Only spaces, or spaces then a comment, from `col` on. */
function restIsEmpty(line: string, col: number): boolean {
  let i = col;
  while (line.charCodeAt(i) === SPACE) i++;
  return i === line.length || (line[i] === "#" && i > col);
}

/** The text without the spaces that end it (only spaces: other white space is content in YAML). */
function trimSpaces(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === SPACE) end--;
  return text.slice(0, end);
}

/**
 * The data of `text`, or OUTSIDE when the text is not entirely in the subset or the full
 * reader would find a problem. `documentOptions` are those the full reader composes with.
 */
export function readYamlSubset(text: string, limits: SubsetLimits, documentOptions: object): unknown {
  if (UNSUPPORTED_CHARACTER.test(text)) return OUTSIDE;
  const lines = text.split("\n");
  for (const line of lines) {
    // Document markers and directives.
    if (line.startsWith("---") || line.startsWith("...") || line.startsWith("%")) return OUTSIDE;
  }
  let row = 0;

  /** The first line at or after `from` that is neither blank nor a comment. */
  const significant = (from: number): number => {
    let r = from;
    while (r < lines.length) {
      const line = lines[r];
      const i = indentOf(line);
      if (i < line.length && line[i] !== "#") return r;
      r++;
    }
    return r;
  };

  const checkNumber = (value: unknown): unknown => {
    if (typeof value === "number" && Math.abs(value) > limits.maxNumber && Number.isFinite(value)) giveUp();
    return value;
  };

  const keyOf = (line: string, col: number): { key: string; end: number } | null => {
    KEY.lastIndex = col;
    if (!KEY.test(line)) return null;
    const end = KEY.lastIndex - 1;
    const resolved = resolvePlain(line.slice(col, end), true, documentOptions);
    // The full reader names a key by String(value) in its checks and in the data alike,
    // except null (named "null" in checks, "" in data): left to it.
    if (resolved === null || typeof resolved === "object") giveUp();
    const key = String(resolved);
    if (isReservedName(key) || key.length > limits.maxKeyLength) giveUp();
    return { key, end };
  };

  const put = (map: Record<string, unknown>, seen: Set<string>, key: string, value: unknown): void => {
    if (seen.has(key)) giveUp();
    seen.add(key);
    // As the yaml package's toJS sets a key (addPairToJSMap).
    if (key in map) Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
    else map[key] = value;
  };

  /** A quoted scalar that ends on its line: [value, column after the closing quote]. */
  const quoted = (line: string, col: number): [string, number] => {
    if (line[col] === '"') {
      let value = "";
      let from = col + 1;
      for (;;) {
        const close = line.indexOf('"', from);
        if (close < 0) giveUp();
        const escape = line.indexOf("\\", from);
        if (escape < 0 || escape > close) return [value + line.slice(from, close), close + 1];
        const escaped = DOUBLE_QUOTE_ESCAPES.get(line[escape + 1]);
        if (escaped === undefined) giveUp();
        value += line.slice(from, escape) + escaped;
        from = escape + 2;
      }
    }
    let from = col + 1;
    for (;;) {
      const close = line.indexOf("'", from);
      if (close < 0) giveUp();
      if (line[close + 1] === "'") {
        from = close + 2;
        continue;
      }
      return [line.slice(col + 1, close).replaceAll("''", "'"), close + 1];
    }
  };

  /**
   * A flow collection starting at (row, col); its continuation lines must be indented more
   * than the block node it belongs to (`blockIndent`). Returns [value, column after it] with
   * `row` on its last line.
   */
  const flowCollection = (col: number, blockIndent: number, depth: number): [unknown, number] => {
    if (depth >= limits.maxDepth) giveUp();
    let line = lines[row];
    let i = col;
    const skip = (): void => {
      for (;;) {
        while (line.charCodeAt(i) === SPACE) i++;
        if (i < line.length && !(line[i] === "#" && (i === 0 || line.charCodeAt(i - 1) === SPACE))) return;
        row++;
        if (row >= lines.length) giveUp();
        line = lines[row];
        i = 0;
        const indent = indentOf(line);
        if (indent < line.length && indent <= blockIndent) giveUp();
      }
    };
    const value = (): unknown => {
      const c = line[i];
      if (c === "[" || c === "{") {
        const [v, end] = flowCollection(i, blockIndent, depth + 1);
        line = lines[row];
        i = end;
        return v;
      }
      if (c === '"' || c === "'") {
        const [v, end] = quoted(line, i);
        i = end;
        return v;
      }
      if (INDICATOR.has(c) || (c === "-" && (i + 1 === line.length || line.charCodeAt(i + 1) === SPACE))) giveUp();
      // A plain scalar in a flow collection ends at a flow indicator, at ` #`, or at a `:`
      // followed by a space or a flow indicator (this reader then gives up); a `:` followed
      // by anything else is part of it (https://…).
      FLOW_STOP.lastIndex = i;
      let stop = FLOW_STOP.exec(line);
      while (stop && stop[0] === ":" && stop.index + 1 < line.length && !FLOW_COLON_END.has(line[stop.index + 1])) stop = FLOW_STOP.exec(line);
      const end = stop ? stop.index : line.length;
      if (stop && stop[0] === ":") giveUp();
      const v = checkNumber(resolvePlain(trimSpaces(line.slice(i, end)), false, documentOptions));
      i = end;
      return v;
    };
    const close = line[i] === "[" ? "]" : "}";
    const isMap = close === "}";
    const result: unknown[] | Record<string, unknown> = isMap ? {} : [];
    const seen = new Set<string>();
    i++;
    skip();
    if (line[i] === close) return [result, i + 1];
    for (;;) {
      if (isMap) {
        const key = keyOf(line, i);
        if (!key || line.charCodeAt(key.end + 1) !== SPACE) giveUp();
        i = key.end + 1;
        skip();
        put(result as Record<string, unknown>, seen, key.key, value());
      } else (result as unknown[]).push(value());
      skip();
      if (line[i] === close) return [result, i + 1];
      if (line[i] !== ",") giveUp();
      i++;
      skip();
      // A trailing comma is YAML, but left to the full reader.
      if (line[i] === close) giveUp();
    }
  };

  /**
   * A value that starts on the line (flow collection, quoted or plain scalar) at `col`, in a
   * block node at indentation `blockIndent`. Leaves `row` on the next significant line, which
   * must not be indented more than the block node (a continued plain scalar, or an error).
   */
  const inlineValue = (col: number, blockIndent: number, depth: number): unknown => {
    const line = lines[row];
    const c = line[col];
    let value: unknown;
    if (c === "[" || c === "{" || c === '"' || c === "'") {
      const [v, end] = c === "[" || c === "{" ? flowCollection(col, blockIndent, depth) : quoted(line, col);
      if (!restIsEmpty(lines[row], end)) giveUp();
      value = v;
    } else {
      if (INDICATOR.has(c) || (c === "-" && (col + 1 === line.length || line.charCodeAt(col + 1) === SPACE))) giveUp();
      const comment = line.indexOf(" #", col);
      const text = trimSpaces(comment < 0 ? line.slice(col) : line.slice(col, comment));
      // `: ` would start a mapping on the value's line (a YAML error); `:` before a flow
      // indicator is read differently by YAML versions: both left to the full reader.
      if (MAPPING_COLON.test(text)) giveUp();
      value = checkNumber(resolvePlain(text, false, documentOptions));
    }
    row = significant(row + 1);
    if (row < lines.length && indentOf(lines[row]) > blockIndent) giveUp();
    return value;
  };

  /** The node whose first line is `row`, indented `indent`: a sequence or a mapping. */
  const blockNode = (indent: number, depth: number): unknown => {
    const line = lines[row];
    if (isDash(line, indent)) return blockSequence(indent, depth);
    if (keyOf(line, indent)) return blockMapping(indent, depth);
    return giveUp();
  };

  /** What follows an entry's indicator with nothing after it on its line: a nested node, or null. */
  const nestedOrNull = (indent: number, depth: number, sequenceAtSameIndent: boolean): unknown => {
    row = significant(row + 1);
    if (row >= lines.length) return null;
    const next = indentOf(lines[row]);
    if (next > indent) return blockNode(next, depth);
    if (sequenceAtSameIndent && next === indent && isDash(lines[row], indent)) return blockSequence(indent, depth);
    return null;
  };

  const blockSequence = (indent: number, depth: number): unknown[] => {
    if (depth >= limits.maxDepth) giveUp();
    const items: unknown[] = [];
    for (;;) {
      const line = lines[row];
      let col = indent + 1;
      while (line.charCodeAt(col) === SPACE) col++;
      if (restIsEmpty(line, indent + 1)) items.push(nestedOrNull(indent, depth + 1, false));
      else if (isDash(line, col)) giveUp();
      else if (keyOf(line, col)) items.push(blockMapping(col, depth + 1));
      else items.push(inlineValue(col, indent, depth + 1));
      if (row >= lines.length) return items;
      const next = indentOf(lines[row]);
      if (next > indent) giveUp();
      if (next < indent || !isDash(lines[row], indent)) return items;
    }
  };

  const blockMapping = (indent: number, depth: number): Record<string, unknown> => {
    if (depth >= limits.maxDepth) giveUp();
    const map: Record<string, unknown> = {};
    const seen = new Set<string>();
    for (;;) {
      const line = lines[row];
      const key = keyOf(line, indent);
      if (!key) giveUp();
      const after = key.end + 1;
      let col = after;
      while (line.charCodeAt(col) === SPACE) col++;
      const value = restIsEmpty(line, after) ? nestedOrNull(indent, depth + 1, true) : inlineValue(col, indent, depth + 1);
      put(map, seen, key.key, value);
      if (row >= lines.length) return map;
      const next = indentOf(lines[row]);
      if (next > indent) giveUp();
      if (next < indent) return map;
      // A `-` entry at the keys' indentation after a complete entry is a YAML error.
      if (isDash(lines[row], indent)) giveUp();
    }
  };

  try {
    row = significant(0);
    if (row >= lines.length || indentOf(lines[row]) !== 0) return OUTSIDE;
    const data = blockNode(0, 0);
    if (row < lines.length) return OUTSIDE;
    return data;
  } catch (error) {
    if (error === outside) return OUTSIDE;
    throw error;
  }
}
