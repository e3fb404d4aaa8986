import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Document, Lexer, visit, type YAMLMap, type YAMLSeq } from "yaml";
import { parseSourceText, parseSourceTextWithYamlPackage, MAX_NESTING_DEPTH, MAX_NUMBER, MAX_YAML_TOKENS } from "./source.js";
import { DECLINED, FAST_PATH_MAX_CHARS, fastSourceData } from "./sourceFastPath.js";
import { ModelError, type IssuePath } from "./issues.js";

/**
 * Model files are read by js-yaml where its fast path can vouch for the answer, by the yaml
 * package otherwise (source.ts). What a user must not notice: any difference. For every text
 * the fast path either declines or gives exactly the yaml package's data (numbers by
 * Object.is, keys in the same order, the same prototypes and property kinds), and a file the
 * yaml package refuses is never answered by the fast path, so its issues stay the same.
 */
const root = join(import.meta.dirname, "..", "..");

/** The first difference between two plain data trees, or null when they are identical. */
function difference(a: unknown, b: unknown, at = "$"): string | null {
  if (typeof a !== typeof b) return `${at}: ${typeof a} vs ${typeof b}`;
  if (typeof a === "number") return Object.is(a, b) ? null : `${at}: ${a} vs ${b as number}`;
  if (a === null || b === null || typeof a !== "object") return a === b ? null : `${at}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${at}: different prototypes`;
  const keysA = Reflect.ownKeys(a);
  const keysB = Reflect.ownKeys(b as object);
  if (keysA.length !== keysB.length || keysA.some((k, i) => k !== keysB[i])) return `${at}: keys ${keysA.map(String).join(",")} vs ${keysB.map(String).join(",")}`;
  for (const key of keysA) {
    const da = Object.getOwnPropertyDescriptor(a, key)!;
    const db = Object.getOwnPropertyDescriptor(b, key)!;
    if (da.enumerable !== db.enumerable || da.writable !== db.writable || da.configurable !== db.configurable || "get" in da !== "get" in db) return `${at}.${String(key)}: property kinds differ`;
    const inner = difference((a as Record<PropertyKey, unknown>)[key], (b as Record<PropertyKey, unknown>)[key], `${at}.${String(key)}`);
    if (inner) return inner;
  }
  return null;
}

type Outcome = "fast" | "declined" | "declined (refused)" | `MISMATCH: ${string}`;

/** What the fast path did with a text, judged against the yaml package. */
function outcome(text: string): Outcome {
  const fast = fastSourceData(text);
  let reference: unknown;
  try {
    reference = parseSourceTextWithYamlPackage(text, "m.yaml").data;
  } catch (error) {
    if (!(error instanceof ModelError)) throw error;
    return fast === DECLINED ? "declined (refused)" : `MISMATCH: the yaml package refuses the file (${error.issues[0].message.slice(0, 120)}) but the fast path read it`;
  }
  if (fast === DECLINED) return "declined";
  const diff = difference(fast, reference);
  return diff ? `MISMATCH: ${diff}` : "fast";
}

/** Issues (with positions) or data, as a user of parseSourceText sees them. */
function seen(read: (text: string, file: string) => { data: unknown }, text: string): unknown {
  try {
    return { data: read(text, "m.yaml").data };
  } catch (error) {
    if (error instanceof ModelError) return { issues: error.issues };
    throw error;
  }
}

/** Plain scalars as a file may spell them (put into the text unquoted). */
const RAW_SCALARS = [
  "1_000", "0o17", "0O17", "0x1F", "0x1f", "0X1F", "-0x1F", "017", "+1", "-1", "+0", "-0", "0", "00", "0.0", "-0.0", "+0.0", ".5", "-.5", "+.5", "1.", "-1.", "1.0", "1.50",
  "1e3", "1E3", "1.e3", "1e+3", "1e-3", ".5e3", "-1.5E-3", "1e400", "-1e400", "1e-400", "9007199254740993", "123456789012345678901234567890", "1e15", "1000000000000000", "1000000000000001", "-1e15", "1e16", "0.1", "3.14159", "1_000.5", "1,000",
  ".inf", ".Inf", ".INF", "-.inf", "+.inf", ".iNf", "inf", ".NaN", ".nan", ".NAN", "-.nan", "nan", "NaN",
  "~", "null", "Null", "NULL", "nUll", "true", "True", "TRUE", "tRUE", "false", "False", "FALSE", "yes", "Yes", "no", "on", "off", "y", "n",
  "2025-01", "2025-01-01", "2025-01-01T10:00:00Z", "12:30", "0b101", "-", "a-b", "a b", "a  b",
  "a * b", "price * 3", "x & y", "a *b", "&anchor value", "*alias", "&x", "!!str 12", "!!int 12", "! 12", "!custom x", "@foo", "`x`", "%x", "a: b", "a:b", "a #b", "a# b", "a,b", "a[0]", "{x}", "[x]",
  '"1_000"', "'0o17'", '"quoted"', "'single'", "'it''s'", '"\\x41\\u00e9\\U0001F600"', '"\\0\\a\\b\\t\\n\\v\\f\\r\\e\\ \\"\\/\\\\\\N\\_\\L\\P"', '"tab\\there"', '"a\\\n\n  b"', '"a\\\nb"', '"bad \\q escape"', "''", '""', "'a\n  b'", '"a\n\n  b"', "multi\n  line plain", "é", "名前", "🙂",
];
/** Keys as a file may spell them. */
const RAW_KEYS = [
  "a", "b", "price", "costShare", "2025", "2026", "1_000", "0x1F", "017", "-0", "0", "1.0", "1.5", ".inf", ".nan", "~", "null", "", "true", "True", "yes", "1e20", "1e400",
  '"quoted key"', "'single'", '"2025"', '""', "a b", '"a: b"', "é", "__proto__", '"__proto__"', "constructor", "prototype", "toString", "hasOwnProperty", "<<", "k".repeat(256), "k".repeat(257), "? x", "[a]", "{a: 1}", "&k a", "*k", "!!str 1",
];
/** Strings the yaml package writes itself (quoted, folded, block scalars as its options say). */
const STRINGS = ["line 1\nline 2\n", "line 1\nline 2", "trailing\n\n", " leading space", "a\n\n b\n  c\n\n\n", "\n\nleading lines", "  indented\nsecond", "a\n \nb", "spaces at the end  \n", "a\\\nb", "x".repeat(90), "a long sentence that the writer folds over several lines when its width is small", "#not a comment", "- not a list", "key: value", "", " ", "\\", "é🙂"];

type Tree = string | number | boolean | null | Tree[] | { [key: string]: Tree };

/**
 * Random nested data whose keys and some leaves are placeholders: yaml's stringify lays the
 * structure out (block, flow, mixed), then the placeholders become the raw texts above.
 */
const { node: tree } = fc.letrec<{ node: Tree; leaf: Tree; list: Tree[]; map: { [key: string]: Tree } }>((tie) => ({
  node: fc.oneof({ depthSize: "small", withCrossShrink: true }, tie("leaf"), tie("list"), tie("map")),
  leaf: fc.oneof(
    { weight: 5, arbitrary: fc.nat(RAW_SCALARS.length - 1).map((i) => `zzv${i}zz`) },
    { weight: 1, arbitrary: fc.constantFrom(...STRINGS) },
    { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.string()) },
  ),
  list: fc.array(tie("node"), { maxLength: 4 }),
  map: fc.array(fc.tuple(fc.nat(RAW_KEYS.length - 1), tie("node")), { maxLength: 5 }).map((pairs) => Object.fromEntries(pairs.map(([k, v], j) => [`zzk${k}x${j}zz`, v]))),
}));
/** How the text is laid out: stringify's options, which collections are written in brackets (the rest in blocks, as in the shipped models) and the line ends. */
const layout = fc.record({
  options: fc.record({
    collectionStyle: fc.constantFrom("any", "block", "flow") as fc.Arbitrary<"any" | "block" | "flow">,
    indent: fc.constantFrom(2, 4),
    indentSeq: fc.boolean(),
    flowCollectionPadding: fc.boolean(),
    lineWidth: fc.constantFrom(0, 20, 80),
    defaultStringType: fc.constantFrom("PLAIN", "QUOTE_DOUBLE", "QUOTE_SINGLE", "BLOCK_LITERAL", "BLOCK_FOLDED") as fc.Arbitrary<"PLAIN">,
    blockQuote: fc.constantFrom(true, false, "folded", "literal") as fc.Arbitrary<boolean>,
  }),
  inBrackets: fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
  lineEnd: fc.constantFrom("\n", "\n", "\r\n"),
});
/** Comments at the end of some lines and on lines of their own. */
const comments = fc.array(fc.tuple(fc.nat(), fc.constantFrom(" # note", "  #: x", "\n# whole line", "\n  # indented", "\n")), { maxLength: 3 });
/** Damage to the text: a YAML-significant piece put in or a few characters taken out. */
const DAMAGE = [" ", "\n", ":", ": ", "- ", "#", " #", "'", '"', "[", "]", "{", "}", ",", "? ", "&a ", "*a", "!", "|", ">-", "\\", "---\n", "...\n", "\t", "\r\n", "\r", "\n  ", "\n- ", "a: b\n", "<<: ", "\u00a0", "\ufeff", "\u0085"];
const damage = fc.array(fc.tuple(fc.nat(), fc.oneof(fc.constantFrom(...DAMAGE), fc.nat(3))), { maxLength: 3 });

/** A deeper search than the suite's: FAST_PATH_RUNS=100000 FAST_PATH_SEED=1 npx vitest run src/model/sourceFastPath.test.ts */
const DEEPER = { runs: Number(process.env.FAST_PATH_RUNS) || undefined, seed: Number(process.env.FAST_PATH_SEED) || undefined, timeout: process.env.FAST_PATH_RUNS ? 3_600_000 : undefined };

function writeText(data: Tree, { options, inBrackets, lineEnd }: { options: Record<string, unknown>; inBrackets: boolean[]; lineEnd: string }, notes: [number, string][], cuts: [number, string | number][]): string {
  const doc = new Document(data);
  let collection = 0;
  const style = (_: unknown, node: YAMLMap | YAMLSeq) => {
    node.flow = inBrackets[collection++ % inBrackets.length];
  };
  if (options.collectionStyle === "any") visit(doc, { Map: style, Seq: style });
  let text = doc.toString(options).replace(/zz([vk])(\d+)(?:x\d+)?zz/g, (_, kind: string, i: string) => (kind === "v" ? RAW_SCALARS : RAW_KEYS)[Number(i)]);
  const lines = text.split("\n");
  for (const [at, note] of notes) lines[at % lines.length] += note;
  text = lines.join(lineEnd);
  for (const [at, piece] of cuts) {
    const i = at % (text.length + 1);
    text = typeof piece === "string" ? text.slice(0, i) + piece + text.slice(i) : text.slice(0, i) + text.slice(i + piece + 1);
  }
  return text;
}

describe("model files give the same data whether js-yaml or the yaml package reads them", () => {
  it("property: generated YAML texts (tricky scalars and keys, block and flow, comments) are read as the yaml package reads them, or left to it", () => {
    const tally: Record<string, number> = {};
    fc.assert(
      fc.property(tree, layout, comments, (data, options, notes) => {
        const text = writeText(data, options, notes, []);
        if (text.trim() === "") return;
        const result = outcome(text);
        tally[result] = (tally[result] ?? 0) + 1;
        expect(result, text).not.toMatch(/^MISMATCH/);
      }),
      { numRuns: DEEPER.runs ?? 1500, seed: DEEPER.seed ?? 15 },
    );
    // Not vacuous: most texts take the fast path, and some the yaml package refuses.
    expect(tally.fast).toBeGreaterThan((DEEPER.runs ?? 1500) / 3);
    expect(tally["declined (refused)"]).toBeGreaterThan((DEEPER.runs ?? 1500) / 30);
  }, DEEPER.timeout);

  it("property: damaged texts too, and a file the yaml package refuses keeps its issues and positions", () => {
    let refused = 0;
    fc.assert(
      fc.property(tree, layout, comments, damage, (data, options, notes, cuts) => {
        const text = writeText(data, options, notes, cuts);
        if (text.trim() === "") return;
        const result = outcome(text);
        expect(result, text).not.toMatch(/^MISMATCH/);
        if (result === "declined (refused)") {
          refused++;
          expect(seen(parseSourceText, text)).toEqual(seen(parseSourceTextWithYamlPackage, text));
        }
      }),
      { numRuns: DEEPER.runs ?? 1500, seed: DEEPER.seed ?? 16 },
    );
    expect(refused).toBeGreaterThan((DEEPER.runs ?? 1500) / 15);
  }, DEEPER.timeout);

  it("the shipped models, fixtures and documented examples give identical data both ways, and the shipped models take the fast path", () => {
    const texts: [string, string][] = [];
    for (const dir of ["models", "models/actuals", "sources", "test/fixtures", "test/fixtures/actuals", "test/fixtures/export", "test/fixtures/gpu", "test/fixtures/hardening", "test/fixtures/system", "test/fixtures/targets", "test/fixtures/uncertainty"]) {
      for (const f of readdirSync(join(root, dir))) if (f.endsWith(".yaml")) texts.push([`${dir}/${f}`, readFileSync(join(root, dir, f), "utf8")]);
    }
    for (const f of ["README.md", ...readdirSync(join(root, "docs")).map((d) => `docs/${d}`)]) {
      if (!f.endsWith(".md")) continue;
      const blocks = readFileSync(join(root, f), "utf8").matchAll(/^```ya?ml\n([\s\S]*?)^```/gm);
      for (const [, block] of blocks) texts.push([`${f} example`, block]);
    }
    expect(texts.length).toBeGreaterThan(30);
    for (const [name, text] of texts) {
      if (text.trim() === "") continue;
      expect(outcome(text), name).not.toMatch(/^MISMATCH/);
      if (/^models\/[^/]+\.yaml$/.test(name)) expect(outcome(text), name).toBe("fast");
    }
  });

  it("positions on a fast load are the yaml package's, for every key and value of a model", () => {
    const text = readFileSync(join(root, "models", "gpu-cloud-example.yaml"), "utf8");
    const fast = parseSourceText(text, "m.yaml");
    const reference = parseSourceTextWithYamlPackage(text, "m.yaml");
    const paths: IssuePath[] = [[], ["nothing", "here"], ["lines", "missing"]];
    const stack: [unknown, IssuePath][] = [[reference.data, []]];
    while (stack.length > 0) {
      const [node, path] = stack.pop()!;
      paths.push(path);
      if (node !== null && typeof node === "object") for (const [k, v] of Object.entries(node)) stack.push([v, [...path, Array.isArray(node) ? Number(k) : k]]);
    }
    expect(paths.length).toBeGreaterThan(200);
    for (const path of paths) {
      expect(fast.keyPosition(path)).toEqual(reference.keyPosition(path));
      expect(fast.valuePosition(path)).toEqual(reference.valuePosition(path));
    }
  });
});

describe("the fast path leaves the limits to the yaml package's reading", () => {
  const nested = (levels: number) => "a:\n" + Array.from({ length: levels - 1 }, (_, i) => "  ".repeat(i + 1) + "b:\n").join("") + "  ".repeat(levels) + "c: 1\n";
  it("a file nested to the limit is read fast; one level deeper is declined and refused as before", () => {
    expect(outcome(nested(MAX_NESTING_DEPTH - 1))).toBe("fast");
    expect(outcome(nested(MAX_NESTING_DEPTH))).toBe("declined (refused)");
    const flow = (levels: number) => "a: " + "[".repeat(levels) + "]".repeat(levels) + "\n";
    expect(outcome(flow(MAX_NESTING_DEPTH - 1))).toBe("fast");
    expect(outcome(flow(MAX_NESTING_DEPTH))).toBe("declined (refused)");
    expect(outcome(flow(10_000))).toBe("declined (refused)");
  });
  it("numbers beyond the limit, reserved, long and duplicate keys, aliases and several documents are declined", () => {
    for (const text of [`a: ${MAX_NUMBER * 10}\n`, "__proto__: 1\n", `${"k".repeat(257)}: 1\n`, "a: 1\na: 2\n", "a: 1\n1_000: 2\n'1_000': 3\n", "a: &x 1\nb: *x\n", "a: 1\n---\nb: 2\n", "? [a]\n: 1\n", "~: 1\n"]) {
      expect(fastSourceData(text), text).toBe(DECLINED);
    }
    expect(outcome(`a: ${MAX_NUMBER}\nb: -${MAX_NUMBER}\nc: .inf\n`)).toBe("fast");
  });
  it("a text long enough to reach the token limit is left to the yaml package, which counts its tokens (at most four per character)", () => {
    const count = (text: string) => {
      let n = 0;
      for (const token of new Lexer().lex(text)) if (token !== undefined) n++;
      return n;
    };
    for (const unit of [">", "- |\n", "|\n", "[a,b]", "-\n", ",", "a:\n", "...\n", "{\n", "- - a\n", "? |\n", "! |\n"]) {
      for (const text of [unit, unit.repeat(1000)]) expect(count(text), JSON.stringify(text)).toBeLessThanOrEqual(4 * text.length);
    }
    expect(4 * FAST_PATH_MAX_CHARS).toBeLessThan(MAX_YAML_TOKENS);
    const large = `list: [${Array(FAST_PATH_MAX_CHARS).fill("1").join(",")}]\n`;
    expect(fastSourceData(large)).toBe(DECLINED);
  });
});
