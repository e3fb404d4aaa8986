import { COLLECTION_STYLE, constructFromEvents, defineMappingTag, defineScalarTag, EVENT_ID, NOT_RESOLVED, parseEvents, Schema, SCALAR_STYLE, seqTag, strTag, type Event } from "js-yaml";
import { Document, isScalar, type ScalarTag } from "yaml";
import { isReservedName } from "./names.js";
import { MAX_KEY_LENGTH, MAX_NESTING_DEPTH, MAX_NUMBER, MAX_YAML_TOKENS, YAML_OPTIONS } from "./sourceLimits.js";

/**
 * The fast way to a model file's data: js-yaml reads it (three to four times faster cold than
 * the yaml package's document, with far less garbage), but only where the answer is the one
 * the yaml package gives (source.ts, the reference). Anything this path cannot vouch for — a
 * problem to report, a construct the two libraries read differently, something not checked
 * here — makes it decline, and the caller reads the file with the yaml package as before:
 * declining is always correct, only slower.
 *
 * Why the data are the same when this path answers:
 * - plain scalars are resolved by the yaml package's own core-schema tags (its tests and
 *   resolvers, in its order, with its document options), so `1_000`, `0o17`, `017`, `1.`,
 *   `.NaN`, `~`, `TRUE`, `yes`, `2025-01`, `-0` come out exactly as yaml makes them; quoted
 *   and block scalars are strings in both;
 * - mappings are plain objects with the keys as yaml's toJS writes them (`String(key)`), in
 *   the text's order; lists are arrays;
 * - what yaml reports is declined: the keys it refuses (reserved, too long, non-scalar, null,
 *   repeated), numbers beyond MAX_NUMBER, nesting at the limit, several documents, and any
 *   file js-yaml itself refuses; so are anchors, aliases, tags, directives and document
 *   markers (never in a model);
 * - where the two libraries' syntax rules were seen to differ (sourceFastPath.test.ts
 *   generates texts and damages them to find such places), the construct is declined:
 *   explicit (`? `) keys and implicit keys whose `:` is not on their line or more than 1,000
 *   characters on, quoted scalars over several lines or followed by text, explicit block
 *   indentation, comments in brackets or at column 0 before a value or item, and characters
 *   that either library treats specially (tabs, controls, lone carriage returns…);
 * - files large enough to reach MAX_YAML_TOKENS are declined unread (the yaml lexer emits at
 *   most four tokens per character), so the token limit and its message stay the slow path's.
 */

/** Returned when the fast path cannot vouch for its answer. */
export const DECLINED: unique symbol = Symbol("declined");

/**
 * The largest text this path reads: the yaml lexer emits at most four tokens per character of
 * text (each token is text, or one of its zero-width markers, of which at most three follow a
 * character), so no text of this length reaches MAX_YAML_TOKENS. Larger files — none that
 * burnrate ships is a fifth of this — are read by the yaml package, which counts its tokens.
 */
export const FAST_PATH_MAX_CHARS = Math.floor(MAX_YAML_TOKENS / 4) - 1;

/**
 * Characters whose reading differs between the libraries or that yaml reports (controls, a
 * byte-order mark, NEL and the Unicode line separators, lone surrogates, tabs, a carriage
 * return not ending a line): rare in a model file, so any of them sends the file to the
 * yaml package. (Windows line ends are read alike.)
 */
const DOUBTFUL_CHARACTERS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\t]|\r(?!\n)|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Document markers and directives at a line's start: js-yaml skips an empty document that
 * yaml counts (`...` then content is two documents to yaml, one to js-yaml).
 */
const DOCUMENT_MARKERS = /^(?:---|\.\.\.)(?:[ \n]|$)|^%/m;
/**
 * A block scalar's explicit indentation (`|2`, `>-1`): js-yaml counts it from another
 * column than yaml at the top level. (A line ending so in a quoted string is declined too.)
 */
const BLOCK_INDENTATION_INDICATOR = /[|>](?:[1-9][+-]?|[+-][1-9])[ ]*(?:#.*)?$/m;

/** The yaml package's own implicit tags for plain scalars, in the order it tries them. */
const YAML_DOCUMENT = new Document(undefined, YAML_OPTIONS);
const YAML_CORE_TAGS = YAML_DOCUMENT.schema.tags.filter((tag): tag is ScalarTag & { test: RegExp } => !tag.collection && tag.default === true && tag.test instanceof RegExp);
if (YAML_DOCUMENT.schema.tags.some((tag) => tag.default === "key")) throw new Error("source fast path: the yaml schema has key-only tags (merge keys?), which this path does not resolve");
const YAML_RESOLVE_OPTIONS = YAML_DOCUMENT.options;

/**
 * Set while js-yaml constructs the data when something in them must be left to the yaml
 * package (a key or number it reports): noted rather than thrown, because js-yaml turns an
 * error into a message with a snippet of the text, which costs more than reading on.
 */
let mustDecline = false;
const decline = (): undefined => {
  mustDecline = true;
  return undefined;
};

/**
 * A plain scalar as the yaml package resolves it (compose-scalar.ts, findScalarTagByTest):
 * the first default tag whose test matches, else a string. Numbers beyond MAX_NUMBER (which
 * the reference reports) decline, keys included (conservative: yaml reports only values).
 */
const yamlCorePlainScalar = defineScalarTag<unknown>("tag:burnrate,2026:yaml-core-plain-scalar", {
  implicit: true,
  resolve: (source) => {
    for (const tag of YAML_CORE_TAGS) {
      if (!tag.test.test(source)) continue;
      const resolved = tag.resolve(source, decline, YAML_RESOLVE_OPTIONS);
      const value = isScalar(resolved) ? resolved.value : resolved;
      if (typeof value === "number" && Number.isFinite(value) && Math.abs(value) > MAX_NUMBER) decline();
      return value;
    }
    return NOT_RESOLVED;
  },
  identify: () => false,
});

const isKeyValue = (key: unknown): key is string | number | boolean => typeof key === "string" || typeof key === "number" || typeof key === "boolean";

/**
 * Mappings as yaml's toJS builds them: a plain object, each key `String(key)`, an own
 * enumerable property in the text's order. A key yaml would report or treat specially
 * (non-scalar, null, reserved, too long, `<<`, repeated) declines.
 */
const plainObjectMap = defineMappingTag<Record<string, unknown>>("tag:yaml.org,2002:map", {
  create: () => ({}),
  addPair: (map, key, value) => {
    if (!isKeyValue(key)) return decline() ?? "";
    const name = String(key);
    if (name.length > MAX_KEY_LENGTH || isReservedName(name) || name === "<<" || Object.hasOwn(map, name)) return decline() ?? "";
    // An own data property even for inherited names such as toString (yaml defines those;
    // assignment makes the same property, `__proto__` being refused above).
    map[name] = value;
    return "";
  },
  // Repeated keys are found by addPair (js-yaml would throw on them here).
  has: () => false,
  keys: (map) => Object.keys(map),
  get: (map, key) => map[String(key)],
  identify: () => false,
});

const SCHEMA = new Schema([strTag, seqTag, plainObjectMap, yamlCorePlainScalar]);

const NO_RANGE = -1;
/** What may follow a closing quote (NaN: the end of the text). */
const QUOTE_FOLLOWERS = new Set([NaN, 10 /* \n */, 13 /* \r */, 32 /*   */, 44 /* , */, 58 /* : */, 93 /* ] */, 125 /* } */]);
const isLineBreak = (code: number) => code === 10 || code === 13;

/**
 * Whether the events hold only what this path reads as yaml does: one document without
 * markers or directives, no anchors, aliases or tags, collections nested less than
 * MAX_NESTING_DEPTH deep, and implicit keys on one line with their `:` close by.
 */
function eventsAreReadable(text: string, events: Event[]): boolean {
  let documents = 0;
  // Per open collection: whether it is a mapping, how many children it has had (a
  // mapping's even children are keys) and whether it is written in brackets.
  const isMapping: boolean[] = [];
  const children: number[] = [];
  const bracketed: boolean[] = [];
  // Where the text since the last node (or bracket) begins: what lies between nodes is
  // indicators, separators and comments. yaml reports or misreads some comments that
  // js-yaml reads: a comment line at column 0 in nested brackets, or one at column 0
  // (after an empty line) between an indicator and its node (`-`, a blank line, `# c`, then
  // the item). So a comment in brackets declines, and so does a comment at column 0
  // before a mapping's value or a list's item (there are none in the shipped models).
  let inBrackets = 0;
  let since = 0;
  const comment = (until: number, atLineStart: boolean) => {
    for (let i = since; i < until; i++) if (text.charCodeAt(i) === 35 /* # */ && (!atLineStart || isLineBreak(text.charCodeAt(i - 1)))) return true;
    return false;
  };
  for (const event of events) {
    const start = event.type === EVENT_ID.SCALAR ? event.valueStart : event.type === EVENT_ID.SEQUENCE || event.type === EVENT_ID.MAPPING ? event.start : NO_RANGE;
    if (start !== NO_RANGE) {
      const depth = isMapping.length;
      const atKey = depth > 0 && isMapping[depth - 1] && children[depth - 1] % 2 === 0;
      if (inBrackets > 0 ? comment(start, false) : depth > 0 && !atKey && comment(start, true)) return false;
    }
    switch (event.type) {
      case EVENT_ID.DOCUMENT:
        if (++documents > 1 || event.explicitStart || event.explicitEnd || event.directives.length > 0) return false;
        break;
      case EVENT_ID.ALIAS:
        return false;
      case EVENT_ID.POP:
        isMapping.pop();
        children.pop();
        if (bracketed.pop()) {
          // This collection's closing bracket is the first one since its last node (a
          // bracket in a comment comes after the comment, which declines).
          let close = since;
          while (close < text.length && text.charCodeAt(close) !== 93 /* ] */ && text.charCodeAt(close) !== 125 /* } */) close++;
          if (comment(close, false)) return false;
          since = close + 1;
          inBrackets--;
        }
        break;
      case EVENT_ID.SEQUENCE:
      case EVENT_ID.MAPPING:
        if (event.anchorStart !== NO_RANGE || event.tagStart !== NO_RANGE) return false;
        if (isMapping.length > 0) children[children.length - 1]++;
        // The reference refuses a collection at depth MAX_NESTING_DEPTH (the root is at 0).
        if (isMapping.length >= MAX_NESTING_DEPTH) return false;
        isMapping.push(event.type === EVENT_ID.MAPPING);
        children.push(0);
        // A pair in a list (`[a: 1]`) is a mapping without brackets of its own.
        bracketed.push(event.style === COLLECTION_STYLE.FLOW && (text.charCodeAt(event.start) === 91 /* [ */ || text.charCodeAt(event.start) === 123 /* { */));
        if (bracketed[bracketed.length - 1]) inBrackets++;
        since = event.start + (bracketed[bracketed.length - 1] ? 1 : 0);
        break;
      case EVENT_ID.SCALAR: {
        if (event.anchorStart !== NO_RANGE || event.tagStart !== NO_RANGE) return false;
        const quote = event.style === SCALAR_STYLE.SINGLE_QUOTED || event.style === SCALAR_STYLE.DOUBLE_QUOTED ? 1 : 0;
        if (event.valueStart !== NO_RANGE) since = event.valueEnd + quote;
        // A quoted scalar over several lines: the libraries fold an escaped line break
        // followed by an empty line differently (none in a shipped file).
        if (quote === 1 && !event.fast) for (let i = event.valueStart; i < event.valueEnd; i++) if (isLineBreak(text.charCodeAt(i))) return false;
        // js-yaml reads on after a closing quote (`""2025"": 1`) where yaml wants a separator.
        if (quote === 1 && !QUOTE_FOLLOWERS.has(text.charCodeAt(event.valueEnd + 1))) return false;
        const depth = isMapping.length;
        if (depth === 0) break;
        const isKey = isMapping[depth - 1] && children[depth - 1] % 2 === 0;
        children[depth - 1]++;
        if (!isKey || event.valueStart === NO_RANGE) break;
        // yaml wants an implicit key on one line with its `:` at most 1,024 characters from
        // its start; an explicit (`? `) key is declined with them.
        for (let i = event.valueStart; i < event.valueEnd; i++) if (isLineBreak(text.charCodeAt(i))) return false;
        let before = event.valueStart - quote - 1;
        while (text.charCodeAt(before) === 32) before--;
        if (text.charCodeAt(before) === 63 /* ? */) return false;
        let after = event.valueEnd + quote;
        while (text.charCodeAt(after) === 32) after++;
        if (text.charCodeAt(after) !== 58 /* : */ && text.charCodeAt(after) !== 44 /* , */ && text.charCodeAt(after) !== 125 /* } */) return false;
        if (after - event.valueStart > 1000) return false;
        break;
      }
    }
  }
  return documents === 1;
}

/**
 * The file's data as the yaml package would give them, or DECLINED. Never throws: a file
 * js-yaml refuses, or one too deep for its recursion, is declined.
 */
export function fastSourceData(text: string): unknown {
  if (text.length > FAST_PATH_MAX_CHARS || DOUBTFUL_CHARACTERS.test(text) || DOCUMENT_MARKERS.test(text) || BLOCK_INDENTATION_INDICATOR.test(text)) return DECLINED;
  try {
    // maxDepth bounds js-yaml's recursion (a few calls per level) on hostile nesting; the
    // exact limit is eventsAreReadable's.
    const events = parseEvents(text, { maxDepth: MAX_NESTING_DEPTH + 8 });
    if (!eventsAreReadable(text, events)) return DECLINED;
    mustDecline = false;
    const documents = constructFromEvents(events, { source: text, schema: SCHEMA, maxAliases: 0 });
    return documents.length === 1 && !mustDecline ? documents[0] : DECLINED;
  } catch {
    return DECLINED;
  }
}
