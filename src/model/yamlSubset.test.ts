import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { parseDocument } from "yaml";
import { OUTSIDE, readYamlSubset } from "./yamlSubset.js";
import { parseSourceText, MAX_KEY_LENGTH, MAX_NESTING_DEPTH, MAX_NUMBER } from "./source.js";

/**
 * The subset reader is a shortcut for the yaml package: whatever text it accepts, the yaml
 * package must read without a problem, to the same data (same keys in the same order, numbers
 * bit for bit: -0, NaN, exponents, hex). Anything else it must leave to the yaml package.
 */
const OPTIONS = { prettyErrors: false, uniqueKeys: false, merge: false } as const;
const LIMITS = { maxDepth: MAX_NESTING_DEPTH, maxKeyLength: MAX_KEY_LENGTH, maxNumber: MAX_NUMBER };

/** Why the subset reader's answer differs from the yaml package's, or null when it does not. */
function disagreement(text: string): string | null {
  const subset = readYamlSubset(text, LIMITS, OPTIONS);
  if (subset === OUTSIDE) return null;
  const doc = parseDocument(text, OPTIONS);
  if (doc.errors.length > 0) return `accepted a text the yaml package rejects: ${doc.errors[0].message}`;
  const full = doc.toJS();
  // isDeepStrictEqual tells -0 from 0 and NaN from anything else; JSON compares the key order.
  if (!isDeepStrictEqual(subset, full) || JSON.stringify(subset) !== JSON.stringify(full)) return `different data: ${JSON.stringify(subset)} vs ${JSON.stringify(full)}`;
  return null;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? yamlFiles(path) : name.endsWith(".yaml") ? [path] : [];
  });
}

const root = join(import.meta.dirname, "..", "..");

describe("the YAML subset reader (a faster way to read model files)", () => {
  it("reads every shipped model, the source register and every test model as the yaml package does", () => {
    const files = [...yamlFiles(join(root, "models")), ...yamlFiles(join(root, "sources")), ...yamlFiles(join(root, "test", "fixtures"))];
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) expect(disagreement(readFileSync(file, "utf8")), file).toBeNull();
    // The shipped files are what `burnrate run` reads: they stay inside the subset.
    for (const file of [...yamlFiles(join(root, "models")), join(root, "sources", "register.yaml")]) {
      expect(readYamlSubset(readFileSync(file, "utf8"), LIMITS, OPTIONS), file).not.toBe(OUTSIDE);
    }
  });

  /** Scalars YAML reads in surprising ways (core schema: null, booleans, octal, hex, exponents, infinities), and text around them. */
  const commonScalar = fc.constantFrom("1", "-2.5", "0", "1e3", "text", "two words", "2025-01", "null", "true", "'it''s'", '"q: x"', '"a\\"b"', "[1, 2]", "{ value: 1, what: \"x\" }", "[a, https://x.y/?p=1]", "x # c", "é—≈");
  const trickyScalar = fc.constantFrom(
    "1", "-0", "+1", "012", "0o17", "0x1F", "1e3", "-1.5E-2", "1.", ".5", "1_000", ".inf", "-.Inf", ".nan", "1e400", "2e15", "-2e15", "999999999999999", "12345678901234567890",
    "null", "Null", "~", "true", "True", "FALSE", "yes", "on", "2025-01", "2025-01-01", "a b", "a#b", "a #b", "a: b", "a:b", "a:", "https://x.y/?p=1", "-x", "- x", "-", "?x", ":x",
    "'q''s'", "'it s'", "''", '"x"', '"a\\"b"', '"a\\\\b"', '"a\\nb"', '"\\u0041"', '"\\x41"', '""', '"a', "'a", "a'b", 'a"b', "[]", "{}", "[1, 2]", "[1, 2,]", "[a, [b, c]]", "{a: 1, b: [2]}", "{a: 1, a: 2}",
    "{a:1}", "[a: 1]", "{ value: 1, what: \"x\" }", "&a 1", "*a", "!!str 1", "|", ">", "@x", "`x", "%x", "a,b", "a]", "x  ", "x # c", "é—≈", "\u00a0x",
  );
  const scalar = fc.oneof({ arbitrary: commonScalar, weight: 8 }, { arbitrary: trickyScalar, weight: 1 });
  const commonKey = fc.constantFrom("a", "b", "c", "key", "x1", "S000-04", "revenue2025", "d.e");
  const trickyKey = fc.constantFrom("a", "b", "key", "x1", "S000-04", "2025", "1.50", "0x10", "true", "null", "~", "constructor", "toString", "__proto__", "a b", "a.b", "k/v", "$x", "_", "é", "-k", "'q'", '"q"', "k".repeat(257));
  const key = fc.oneof({ arbitrary: commonKey, weight: 8 }, { arbitrary: trickyKey, weight: 1 });

  /** A random value tree written out as block YAML with random but valid-looking indentation. */
  const tree: fc.Arbitrary<string[]> = fc.letrec<{ node: string[] }>((tie) => ({
    node: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      scalar.map((s) => [s]),
      // Keys mostly distinct (a duplicate is among the tricky keys' cases: "1.50" and "1.5", "~" and "null" …).
      fc.uniqueArray(fc.tuple(key, tie("node"), fc.constantFrom(2, 2, 2, 4, 1)), { minLength: 1, maxLength: 4, selector: (entry) => entry[0] }).map((entries) =>
        entries.flatMap(([k, v, indent]) => (v.length === 1 && !v[0].startsWith("-") ? [`${k}: ${v[0]}`] : [`${k}:`, ...v.map((l) => " ".repeat(indent) + l)])),
      ),
      fc.array(fc.tuple(tie("node"), fc.boolean()), { minLength: 1, maxLength: 4 }).map((items) =>
        items.flatMap(([v, compact]) => (v.length === 1 ? [`- ${v[0]}`] : compact && !v[0].startsWith("-") ? [`- ${v[0]}`, ...v.slice(1).map((l) => `  ${l}`)] : ["-", ...v.map((l) => `  ${l}`)])),
      ),
    ),
  })).node;

  /** Small edits that YAML may read differently: a character inserted or a line's indentation changed. */
  const edit = fc.tuple(fc.nat(), fc.constantFrom(" ", "  ", "\n", "#", " #", ":", ": ", "-", "- ", ",", "[", "]", "{", "}", "'", '"', "\\", "\t", "\r", "---\n", "&a ", "*a", "?", "!")).map(([at, s]) => (text: string) => {
    const i = at % (text.length + 1);
    return text.slice(0, i) + s + text.slice(i);
  });

  it("never accepts a text the yaml package reads differently or rejects (generated texts and edits of them)", () => {
    fc.assert(
      fc.property(tree, fc.array(edit, { maxLength: 3 }), fc.constantFrom("", "\n", "\n\n# end\n"), (lines, edits, end) => {
        let text = lines.join("\n") + end;
        for (const e of edits) text = e(text);
        const why = disagreement(text);
        if (why) throw new Error(`${why}\n--- text ---\n${text}`);
      }),
      { numRuns: 5000 },
    );
  });

  it("accepts the generated texts often enough for the property above to test it", () => {
    const accepted = fc.sample(tree, { numRuns: 500, seed: 1 }).filter((lines) => readYamlSubset(lines.join("\n") + "\n", LIMITS, OPTIONS) !== OUTSIDE).length;
    expect(accepted).toBeGreaterThan(100);
  });

  it("leaves problems to the yaml package: messages and positions are those of a full read", () => {
    const text = "meta:\n  a: 1\nlines:\n  x: [1, 2]\n";
    const source = parseSourceText(text, "m.yaml");
    expect(source.data).toEqual({ meta: { a: 1 }, lines: { x: [1, 2] } });
    expect(source.valuePosition(["lines", "x", 1])).toEqual({ file: "m.yaml", line: 4, col: 10 });
    expect(source.keyPosition(["lines", "missing"])).toEqual({ file: "m.yaml", line: 3, col: 1 });
    expect(() => parseSourceText("a: 1\na: 2\n", "m.yaml")).toThrow(/appears twice/);
    expect(() => parseSourceText(`a: ${MAX_NUMBER * 2}\n`, "m.yaml")).toThrow(/larger than/);
  });
});
