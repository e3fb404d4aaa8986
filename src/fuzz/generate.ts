import fc from "fast-check";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { arbitraryModelFile } from "../testing/arbitraryModel.js";

/**
 * Fuzz cases: model files as a hostile or careless user would write them. Two sources —
 * generated models (fast-check arbitraries) and mutations of the shipped models (delete,
 * duplicate or retype keys, hostile names, huge and special numbers, long formulas, deep
 * nesting, scenario overrides, sampled inputs out of range) — and, on top, damage to the
 * text itself (control characters, truncation, duplicated lines). Case `i` of seed `s` is a
 * pure function of (s, i): any failure is replayed with `--seed s --case i`.
 */
export interface FuzzCase {
  seed: number;
  index: number;
  /** What was done, for the report. */
  description: string;
  text: string;
  file: string;
  /** A scenario to run as well (one the case added or mutated), if any. */
  scenario: string | null;
}

/** The shipped models, as text, keyed by name (the worker reads them once). */
export type ShippedModels = Record<string, string>;

const HOSTILE_NAMES = ["__proto__", "constructor", "prototype", "toString", "valueOf", "hasOwnProperty", "isPrototypeOf", "a\u001b[2Jb", "x\u202ey", "line\nbreak", "", " ", "a.b", "1abc", "名前", "k".repeat(300), "🙂", "$ref"];
const SPECIAL_NUMBERS = [1e308, -1e308, 5e-324, -0, 1e15, 1e20, -1e20, Number.MAX_SAFE_INTEGER, 0.1 + 0.2, Infinity, -Infinity, NaN, 2 ** 53 + 1, -1, 0];
const RETYPES: unknown[] = [null, true, false, "text", "", [], {}, [1, 2], { a: 1 }, 0, -1, "2025-13", "1e3", "0x10", "  ", [[[]]], "=1+1"];
const MONTHS = ["1999-01", "2024-12", "2025-00", "2025-13", "2099-12", "9999-12", "0000-01", "2025-1", "2025-06"];
const FORMULA_ATOMS = ["t", "month", "year", "days", "hours", "1", "0", "-1", "1e308", "0.5", "prev(x)", "toString", "constructor", "__proto__", "x", "y", "unknown"];
const FORMULA_OPS = [" + ", " - ", " * ", " / ", " ^ ", " % ", " < ", " == ", " && ", " || ", " ? 1 : "];

type Json = unknown;

/** Every path to a node in plain data, with the node. */
function nodes(data: Json): { path: (string | number)[]; value: Json }[] {
  const out: { path: (string | number)[]; value: Json }[] = [];
  const stack: { path: (string | number)[]; value: Json }[] = [{ path: [], value: data }];
  while (stack.length > 0 && out.length < 20_000) {
    const n = stack.pop()!;
    out.push(n);
    if (Array.isArray(n.value)) n.value.forEach((v, i) => stack.push({ path: [...n.path, i], value: v }));
    else if (n.value !== null && typeof n.value === "object") for (const [k, v] of Object.entries(n.value)) stack.push({ path: [...n.path, k], value: v });
  }
  return out;
}

function parentOf(data: Json, path: (string | number)[]): Record<string | number, Json> | null {
  let node = data as Record<string | number, Json>;
  for (const part of path.slice(0, -1)) {
    if (node === null || typeof node !== "object") return null;
    node = node[part] as Record<string | number, Json>;
  }
  return node !== null && typeof node === "object" ? node : null;
}

/** Sets an own property even for names such as `__proto__` (so that the YAML has that key). */
function setOwn(target: Record<string | number, Json>, key: string | number, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Renames a key in place, keeping the order of the others. */
function renameKey(target: Record<string, Json>, from: string, to: string): void {
  const entries = Object.entries(target);
  for (const k of Object.keys(target)) delete target[k];
  for (const [k, v] of entries) setOwn(target, k === from ? to : k, v);
}

interface Mutation {
  kind: "delete" | "retype" | "rename" | "number" | "formula" | "nest" | "override" | "month" | "uncertain" | "blowup" | "scenarioName";
  pick: number;
  arg: number;
  arg2: number;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom("delete", "retype", "rename", "number", "formula", "nest", "override", "month", "uncertain", "blowup", "scenarioName"),
  pick: fc.nat(),
  arg: fc.nat(),
  arg2: fc.nat(),
});

function randomFormula(arg: number, arg2: number, names: string[]): string {
  const shape = arg % 6;
  const atoms = [...FORMULA_ATOMS, ...names.slice(0, 20)];
  const atom = (k: number) => atoms[k % atoms.length];
  switch (shape) {
    case 0: // a long chain
      return Array.from({ length: 50 + (arg2 % 3000) }, (_, i) => atom(arg + i)).join(FORMULA_OPS[arg2 % FORMULA_OPS.length].trim() === "?" ? " + " : FORMULA_OPS[arg2 % FORMULA_OPS.length]);
    case 1: // deep parentheses
      return "(".repeat(arg2 % 400) + atom(arg) + ")".repeat(arg2 % 400);
    case 2: // unbalanced or junk
      return ["(", ")", "((1)", "1 +", "* 2", "if(1,2)", "max()", "prev(1)", 'after("2025")', "a[0]", "x.y", "1 ? 2", "this", "new Date()", "`x`", "eval('1')"][arg2 % 16];
    case 3: // random tokens
      return Array.from({ length: 1 + (arg2 % 40) }, (_, i) => (i % 2 === 0 ? atom(arg + i * 7) : FORMULA_OPS[(arg + i) % FORMULA_OPS.length])).join("");
    case 4: // many unary operators
      return "-".repeat(arg2 % 300) + atom(arg);
    default: // a very long formula
      return "1+".repeat(1000 + (arg2 % 20_000)) + "1";
  }
}

function applyMutation(data: Record<string, Json>, m: Mutation, log: string[], size: FuzzSize): string | null {
  const all = nodes(data).filter((n) => n.path.length > 0);
  if (all.length === 0) return null;
  const target = all[m.pick % all.length];
  const parent = parentOf(data, target.path);
  const key = target.path[target.path.length - 1];
  const where = target.path.join(".");
  const driverNames = Object.keys((data.drivers as Record<string, Json>) ?? {});
  switch (m.kind) {
    case "delete":
      if (parent) {
        if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else delete parent[key];
        log.push(`delete ${where}`);
      }
      return null;
    case "retype": {
      const value = RETYPES[m.arg % RETYPES.length];
      if (parent) setOwn(parent, key, structuredClone(value));
      log.push(`retype ${where} to ${JSON.stringify(value)}`);
      return null;
    }
    case "rename": {
      const objects = all.filter((n) => n.value !== null && typeof n.value === "object" && !Array.isArray(n.value) && Object.keys(n.value).length > 0);
      if (objects.length === 0) return null;
      const obj = objects[m.arg % objects.length];
      const keys = Object.keys(obj.value as object);
      const from = keys[m.arg2 % keys.length];
      const to = HOSTILE_NAMES[(m.pick >>> 3) % HOSTILE_NAMES.length];
      if (keys.includes(to)) return null;
      renameKey(obj.value as Record<string, Json>, from, to);
      log.push(`rename ${[...obj.path, from].join(".")} to ${JSON.stringify(to.length > 20 ? to.slice(0, 20) + "…" : to)}`);
      return null;
    }
    case "number": {
      const numbers = all.filter((n) => typeof n.value === "number");
      if (numbers.length === 0) return null;
      const n = numbers[m.arg % numbers.length];
      const value = SPECIAL_NUMBERS[m.arg2 % SPECIAL_NUMBERS.length];
      const p = parentOf(data, n.path);
      if (p) setOwn(p, n.path[n.path.length - 1], value);
      log.push(`set ${n.path.join(".")} to ${value}`);
      return null;
    }
    case "formula": {
      const formula = randomFormula(m.arg, m.arg2, driverNames);
      const candidates = all.filter((n) => (n.path[0] === "drivers" && n.path.length === 2) || (n.path[0] === "lines" && n.path[2] === "value") || n.path[n.path.length - 1] === "powerPrice");
      const n = candidates.length ? candidates[m.pick % candidates.length] : target;
      const p = parentOf(data, n.path);
      if (p) setOwn(p, n.path[n.path.length - 1], formula);
      log.push(`formula at ${n.path.join(".")} (${formula.length} chars)`);
      return null;
    }
    case "nest": {
      const depth = 2 + (m.arg % 80);
      let value: Json = target.value;
      for (let i = 0; i < depth; i++) value = m.arg2 % 2 === 0 ? [value] : { a: value };
      if (parent) setOwn(parent, key, value);
      log.push(`nest ${where} ${depth} deep`);
      return null;
    }
    case "override": {
      const segments = [...new Set(all.slice(0, 400).flatMap((n) => n.path.map(String)))];
      const pick = (k: number) => (k % 5 === 0 ? HOSTILE_NAMES[k % HOSTILE_NAMES.length] : segments[k % segments.length]);
      const path = m.arg % 3 === 0 ? target.path.join(".") : Array.from({ length: 1 + (m.arg2 % 5) }, (_, i) => pick(m.arg + i * 31)).join(".");
      const op = ["set", "add", "multiply"][m.arg2 % 3];
      const value = op === "set" ? RETYPES.concat(SPECIAL_NUMBERS)[m.pick % (RETYPES.length + SPECIAL_NUMBERS.length)] : SPECIAL_NUMBERS[m.pick % SPECIAL_NUMBERS.length];
      const scenarios = (data.scenarios !== null && typeof data.scenarios === "object" && !Array.isArray(data.scenarios) ? data.scenarios : (data.scenarios = {})) as Record<string, Json>;
      setOwn(scenarios, "fuzz", { overrides: [{ path, [op]: value }], ...(m.pick % 4 === 0 && Object.keys(scenarios).length ? { extends: Object.keys(scenarios)[0] } : {}) });
      log.push(`scenario fuzz: ${op} ${path.length > 60 ? path.slice(0, 60) + "…" : path} = ${String(value)}`);
      return "fuzz";
    }
    case "month": {
      const months = all.filter((n) => typeof n.value === "string" && /^\d{4}-\d{2}$/.test(n.value));
      if (months.length === 0) return null;
      const n = months[m.arg % months.length];
      const p = parentOf(data, n.path);
      const value = MONTHS[m.arg2 % MONTHS.length];
      if (p) setOwn(p, n.path[n.path.length - 1], value);
      log.push(`month ${n.path.join(".")} = ${value}`);
      return null;
    }
    case "uncertain": {
      const numbers = all.filter((n) => typeof n.value === "number" || (typeof n.value === "string" && /^\d{4}-\d{2}$/.test(n.value)));
      if (numbers.length === 0) return null;
      const n = numbers[m.arg % numbers.length];
      const kinds = [
        { distribution: "normal", mean: 0, sd: 1e6 },
        { distribution: "uniform", min: -100, max: 100 },
        { distribution: "discrete", values: [-24, 0, 24], probabilities: [0.3, 0.4, 0.3] },
        { distribution: "lognormal", mean: 1, sd: 50 },
        { distribution: "triangular", min: -1e308, mode: 0, max: 1e308 },
        { distribution: "bernoulli", p: 0.5 },
        { distribution: "beta", alpha: 0.01, beta: 0.01 },
        { distribution: "pert", min: 0, mode: 0, max: 0 },
      ];
      const spec = kinds[m.arg2 % kinds.length];
      const uncertain = (data.uncertain !== null && typeof data.uncertain === "object" && !Array.isArray(data.uncertain) ? data.uncertain : (data.uncertain = {})) as Record<string, Json>;
      setOwn(uncertain, `fuzz${m.pick % 5}`, { path: n.path.join("."), ...spec, ...(m.pick % 3 === 0 ? { apply: ["set", "add", "multiply"][m.pick % 3] } : {}) });
      log.push(`uncertain ${n.path.join(".")} ~ ${spec.distribution}`);
      return null;
    }
    case "blowup": {
      const objects = all.filter((n) => n.value !== null && typeof n.value === "object" && !Array.isArray(n.value) && n.path.length === 1);
      if (objects.length === 0) return null;
      const obj = objects[m.arg % objects.length].value as Record<string, Json>;
      const keys = Object.keys(obj);
      if (keys.length === 0) return null;
      const copies = 10 + (m.arg2 % (size === "full" ? 800 : 40));
      const template = obj[keys[m.pick % keys.length]];
      for (let i = 0; i < copies; i++) setOwn(obj, `copy${i}`, structuredClone(template));
      log.push(`${copies} copies in ${objects[m.arg % objects.length].path.join(".")}`);
      return null;
    }
    case "scenarioName": {
      const scenarios = data.scenarios;
      if (scenarios === null || typeof scenarios !== "object" || Array.isArray(scenarios)) return null;
      const names = Object.keys(scenarios);
      if (names.length === 0) return null;
      return names[m.arg % names.length];
    }
  }
}

/** Damage to the text itself, after it is written. */
function damageText(text: string, kind: number, arg: number, log: string[]): string {
  const lines = text.split("\n");
  const i = arg % Math.max(1, lines.length);
  switch (kind % 7) {
    case 0:
      log.push(`text: truncated at ${arg % text.length}`);
      return text.slice(0, arg % Math.max(1, text.length));
    case 1:
      log.push(`text: line ${i + 1} duplicated`);
      lines.splice(i, 0, lines[i]);
      return lines.join("\n");
    case 2: {
      const ch = ["\u001b[2J", "\u0000", "\r", "\t", "\u202e", "\u009b", "\uFEFF", "\uD800"][arg % 8];
      log.push(`text: control character at line ${i + 1}`);
      lines[i] = lines[i].slice(0, arg % (lines[i].length + 1)) + ch + lines[i].slice(arg % (lines[i].length + 1));
      return lines.join("\n");
    }
    case 3:
      log.push(`text: tabs for indentation at line ${i + 1}`);
      lines[i] = lines[i].replace(/^ +/, "\t");
      return lines.join("\n");
    case 4:
      log.push("text: an alias bomb appended");
      return text + "\nbomb0: &b0 [1,1,1,1,1,1,1,1,1,1]\n" + Array.from({ length: 8 }, (_, k) => `bomb${k + 1}: &b${k + 1} [${Array(10).fill(`*b${k}`).join(",")}]`).join("\n") + "\n";
    case 5:
      log.push(`text: ${100 + (arg % 5000)} levels of [ at line ${i + 1}`);
      lines.splice(i, 0, "deep: " + "[".repeat(100 + (arg % 5000)));
      return lines.join("\n");
    default:
      log.push(`text: anchors and an alias at line ${i + 1}`);
      return text.replace(/^(\w+):/m, "$1: &anchor").concat("\ncopy: *anchor\n");
  }
}

const caseArb = (shippedNames: string[]) =>
  fc.record({
    source: fc.oneof({ weight: 3, arbitrary: fc.constant("generated" as const) }, { weight: 2, arbitrary: fc.constantFrom(...shippedNames) }),
    generated: arbitraryModelFile(),
    mutations: fc.array(mutationArb, { minLength: 0, maxLength: 4 }),
    json: fc.boolean(),
    // Damage to the text on about one case in seven: most cases should get past the parser.
    damage: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.record({ kind: fc.nat(), arg: fc.nat() }) }),
    pickScenario: fc.nat(),
  });

/** Seed of case `index` in a run with `seed`: each case reproducible on its own. */
export function caseSeed(seed: number, index: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ index, 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

const parsedShipped = new Map<string, Record<string, Json>>();

/**
 * How large the cases' copied sections get: "full" (up to 809 copies of a section: files of
 * megabytes, the size limits' territory) or "small" (up to 49: the CI slice, where a case
 * costs tens of milliseconds). The source model and the mutations drawn are the same in both;
 * a later mutation may pick a different target among the copies.
 */
export type FuzzSize = "full" | "small";

export function fuzzCase(seed: number, index: number, shipped: ShippedModels, size: FuzzSize = "full"): FuzzCase {
  const names = Object.keys(shipped);
  const [plan] = fc.sample(caseArb(names), { seed: caseSeed(seed, index), numRuns: 1 });
  const log: string[] = [];
  let data: Record<string, Json>;
  if (plan.source === "generated") {
    data = plan.generated;
    log.push("generated model");
  } else {
    if (!parsedShipped.has(plan.source)) parsedShipped.set(plan.source, parseYaml(shipped[plan.source]) as Record<string, Json>);
    data = structuredClone(parsedShipped.get(plan.source)!);
    log.push(`models/${plan.source}.yaml`);
  }
  let scenario: string | null = null;
  for (const m of plan.mutations) scenario = applyMutation(data, m, log, size) ?? scenario;
  if (scenario === null && data.scenarios && typeof data.scenarios === "object" && !Array.isArray(data.scenarios)) {
    const list = Object.keys(data.scenarios);
    if (list.length && plan.pickScenario % 3 === 0) scenario = list[plan.pickScenario % list.length];
  }
  let text = plan.json ? JSON.stringify(data, null, 1) : stringifyYaml(data, { aliasDuplicateObjects: false, lineWidth: 0 });
  if (plan.json) log.push("as JSON");
  if (plan.damage) text = damageText(text, plan.damage.kind, plan.damage.arg, log);
  return { seed, index, description: log.join("; "), text, file: `case-${seed}-${index}.${plan.json ? "json" : "yaml"}`, scenario };
}
