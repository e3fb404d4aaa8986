import type { z } from "zod";
import type { IssuePath, ModelIssue } from "./issues.js";
import { didYouMean } from "./suggest.js";

type AnySchema = z.core.$ZodType;

function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  for (;;) {
    const def = s._zod.def as unknown as { type: string; innerType?: AnySchema; in?: AnySchema };
    if ((def.type === "default" || def.type === "optional" || def.type === "nullable" || def.type === "prefault" || def.type === "catch") && def.innerType) s = def.innerType;
    else if (def.type === "pipe" && def.in) s = def.in;
    else return s;
  }
}

/** The schemas that can stand at a path (several where a union allows several shapes). */
function schemasAt(root: AnySchema, path: IssuePath): AnySchema[] {
  let current: AnySchema[] = [root];
  for (const part of path) {
    const next: AnySchema[] = [];
    for (const schema of current) {
      const s = unwrap(schema);
      const def = s._zod.def as unknown as { type: string; shape?: Record<string, AnySchema>; valueType?: AnySchema; element?: AnySchema; options?: AnySchema[] };
      const candidates = def.type === "union" ? def.options!.map(unwrap) : [s];
      for (const c of candidates) {
        const cdef = c._zod.def as unknown as typeof def;
        if (cdef.type === "object" && cdef.shape && typeof part === "string" && Object.hasOwn(cdef.shape, part)) next.push(cdef.shape[part]);
        else if (cdef.type === "record" && cdef.valueType) next.push(cdef.valueType);
        else if (cdef.type === "array" && cdef.element) next.push(cdef.element);
      }
    }
    current = next;
  }
  return current;
}

/** Keys allowed on the object at a path (all shapes of a union together). */
export function allowedKeysAt(root: AnySchema, path: IssuePath): string[] {
  const keys = new Set<string>();
  for (const schema of schemasAt(root, path)) {
    const s = unwrap(schema);
    const def = s._zod.def as unknown as { type: string; shape?: Record<string, AnySchema>; options?: AnySchema[] };
    const candidates = def.type === "union" ? def.options!.map(unwrap) : [s];
    for (const c of candidates) {
      const cdef = c._zod.def as unknown as typeof def;
      if (cdef.type === "object" && cdef.shape) for (const k of Object.keys(cdef.shape)) keys.add(k);
    }
  }
  return [...keys];
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `text ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value)}`;
  return `${typeof value} ${String(value)}`;
}

function valueAt(data: unknown, path: IssuePath): unknown {
  let node: unknown = data;
  for (const part of path) {
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string | number, unknown>)[part as string];
  }
  return node;
}

/** The schema's own checks (refine messages in schema.ts), as a rule name translations can key on. */
const REFINE_RULES: [RegExp, string][] = [
  [/finite number/, "finite"],
  [/number ≥ 0/, "nonNegative"],
  [/number > 0/, "positive"],
  [/fraction between 0 and 1/, "fraction"],
  [/^PUE/, "pue"],
  [/months ≥ 0/, "monthCount"],
];

const EXPECTED_WORDS: Record<string, string> = {
  number: "a number",
  string: "text",
  boolean: "true or false",
  object: "a mapping (key: value lines)",
  array: "a list",
  int: "a whole number",
};

/** Converts zod's issues into ours, with positions, one per problem, and "did you mean". */
export function fromZodIssues(root: AnySchema, issues: z.core.$ZodIssue[], data: unknown, prefix: IssuePath = []): ModelIssue[] {
  const out: ModelIssue[] = [];
  const push = (issue: Omit<ModelIssue, "severity">) => out.push({ ...issue, path: [...prefix, ...issue.path], severity: "error" });
  const convert = (issue: z.core.$ZodIssue, basePath: IssuePath): void => {
    const path: IssuePath = [...basePath, ...(issue.path as (string | number)[])];
    switch (issue.code) {
      case "unrecognized_keys": {
        const allowed = allowedKeysAt(root, path);
        for (const key of issue.keys) {
          const suggestion = didYouMean(key, allowed);
          push({
            code: "unknown_key",
            path: [...path, key],
            message: `unknown key "${key}"${suggestion ? ` — did you mean "${suggestion}"?` : allowed.length ? `; allowed here: ${allowed.filter((k) => !["source", "assumption", "derivation", "note"].includes(k)).join(", ")}` : ""}`,
            params: { key, suggestion },
          });
        }
        return;
      }
      case "invalid_union": {
        // Report the shape the user most likely meant: the branch with the fewest problems.
        const branches = (issue as unknown as { errors: z.core.$ZodIssue[][] }).errors;
        if (!branches || branches.length === 0) break;
        const value = valueAt(data, path);
        // A misspelt defining key (`grwoth:`) points at the branch that key defines.
        const presentKeys = value && typeof value === "object" && !Array.isArray(value) ? Object.keys(value) : [];
        const scored = branches.map((b) => {
          const wrongShape = b.some((i) => i.code === "invalid_type" && (i.path as unknown[]).length === 0);
          const missing = b.filter((i) => i.code === "invalid_type" && (i.path as unknown[]).length === 1).map((i) => String(i.path[0]));
          const misspelt = missing.some((m) => presentKeys.some((k) => !missing.includes(k) && didYouMean(k, [m]) === m));
          return { b, score: b.length + (wrongShape ? 100 : 0) - (misspelt ? 0.5 : 0) };
        });
        scored.sort((a, b) => a.score - b.score);
        if (scored[0].score >= 100) {
          push({ code: "invalid_type", path, message: `${describeValue(value)} is not allowed here; see \`burnrate schema\` for the shapes this key takes`, params: { variant: "shape" } });
          return;
        }
        for (const inner of scored[0].b) convert(inner, path);
        return;
      }
      case "invalid_type": {
        const value = valueAt(data, path);
        const expected = EXPECTED_WORDS[issue.expected] ?? issue.expected;
        if (value === undefined) {
          push({ code: "missing_key", path, message: `required key "${path[path.length - 1]}" is missing (expected ${expected})`, params: { expected, expectedType: issue.expected, key: String(path[path.length - 1]) } });
        } else {
          push({ code: "invalid_type", path, message: `expected ${expected}, got ${describeValue(value)}`, params: { expected, expectedType: issue.expected } });
        }
        return;
      }
      case "invalid_value": {
        const values = (issue as unknown as { values: unknown[] }).values ?? [];
        const value = valueAt(data, path);
        const suggestion = typeof value === "string" ? didYouMean(value, values.map(String)) : undefined;
        push({ code: "invalid_value", path, message: `${describeValue(value)} is not one of: ${values.join(", ")}${suggestion ? ` — did you mean "${suggestion}"?` : ""}`, params: { value: String(value), values: values.map(String), suggestion } });
        return;
      }
      case "invalid_format": {
        const value = valueAt(data, path);
        push({ code: "invalid_format", path, message: `${issue.message.startsWith("expected") ? issue.message : "wrong format"}, got ${describeValue(value)}`, params: { value: String(value), variant: issue.message.includes("YYYY-MM") ? "month" : undefined } });
        return;
      }
      case "too_small":
      case "too_big": {
        const value = valueAt(data, path);
        const bound = (issue as unknown as { minimum?: number; maximum?: number }).minimum ?? (issue as unknown as { maximum?: number }).maximum;
        const what = Array.isArray(value) ? "items" : "";
        push({ code: issue.code, path, message: `${issue.code === "too_small" ? "at least" : "at most"} ${bound}${what ? " " + what : ""} expected, got ${Array.isArray(value) ? value.length : describeValue(value)}`, params: { bound } });
        return;
      }
      case "invalid_key": {
        const keyIssues = (issue as unknown as { issues: z.core.$ZodIssue[] }).issues ?? [];
        const key = path[path.length - 1];
        const keyRule = /identifier/.test(keyIssues[0]?.message ?? "") ? "identifier" : /year/.test(keyIssues[0]?.message ?? "") ? "year" : undefined;
        push({ code: "invalid_key", path, message: `key "${String(key)}": ${keyIssues[0]?.message ?? issue.message}`, params: { key: String(key), variant: keyRule } });
        return;
      }
      default:
        break;
    }
    const value = valueAt(data, path);
    push({ code: issue.code ?? "invalid", path, message: `${issue.message}${value !== undefined && typeof value !== "object" ? `, got ${describeValue(value)}` : ""}`, params: { value: value === undefined || typeof value === "object" ? "" : String(value), variant: REFINE_RULES.find(([re]) => re.test(issue.message))?.[1] } });
  };
  for (const issue of issues) convert(issue, []);
  // "unknown key compny — did you mean company?" already says company is missing.
  const suggested = new Set(out.filter((i) => i.code === "unknown_key" && i.params?.suggestion).map((i) => [...i.path.slice(0, -1), i.params!.suggestion].join("\u0000")));
  return out.filter((i) => !(i.code === "missing_key" && suggested.has(i.path.join("\u0000"))));
}
