import type { IssuePath, ModelIssue } from "./issues.js";
import { hasOwnName, isReservedName, ownValue, RESERVED_NAME_HINT } from "./names.js";

export interface RawOverride {
  path: string;
  set?: unknown;
  add?: number;
  multiply?: number;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The chain of scenarios to apply, base first (`extends` resolved), or a problem. */
export function scenarioChain(
  scenarios: Record<string, unknown>,
  name: string,
): { chain: string[] } | { issue: Omit<ModelIssue, "position"> } {
  const chain: string[] = [];
  let current: string | undefined = name;
  while (current !== undefined) {
    if (chain.includes(current)) {
      return {
        issue: {
          code: "scenario_cycle",
          path: ["scenarios", current, "extends"],
          severity: "error",
          message: `scenarios extend each other in a circle: ${[...chain, current].join(" → ")}`,
        },
      };
    }
    const scenario: unknown = ownValue(scenarios, current);
    if (!isPlainObject(scenario)) {
      const known = Object.keys(scenarios);
      const isRoot = chain.length === 0;
      return {
        issue: {
          code: "unknown_scenario",
          path: isRoot ? [] : ["scenarios", chain[chain.length - 1], "extends"],
          severity: "error",
          message: `no scenario named "${shorten(current)}"${known.length ? `; the model has: ${known.slice(0, 20).join(", ")}${known.length > 20 ? `, … (${known.length} in all)` : ""}` : "; the model defines no scenarios"}`,
          params: { name: current, known },
        },
      };
    }
    chain.unshift(current);
    current = typeof scenario.extends === "string" ? scenario.extends : undefined;
  }
  return { chain };
}

function splitPath(path: string): string[] {
  return path.split(".").filter((p) => p.length > 0);
}

/** Keys of a model's data never rewritten by a scenario's numbers (citations and prose). */
const TEXT_KEYS = new Set(["source", "assumption", "derivation", "note", "description"]);

const ARRAY_INDEX = /^(0|[1-9]\d*)$/;

function shorten(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * Applies a scenario's overrides to the raw model data (after `{value, source}`
 * wrappers are unwrapped, before validation, so an override can change anything a
 * user could have written). `multiply` and `add` on an object or list apply to
 * every number beneath it, e.g. `multiply: 0.5` on `drivers.revenue.yearly`.
 *
 * The data is never changed in place: objects on an override's path are copied when it
 * first passes through them, everything else is shared. The cost is that of the paths
 * written, not of the file (a file with a thousand scenarios checks in linear time).
 */
export function applyOverrides(data: unknown, overrides: RawOverride[], overridePath: (index: number) => IssuePath): { data: unknown; issues: Omit<ModelIssue, "position">[] } {
  const copies = new WeakSet<object>();
  const own = <T>(node: T): T => {
    if (node === null || typeof node !== "object" || copies.has(node as object)) return node;
    const copy = (Array.isArray(node) ? node.slice() : { ...(node as object) }) as T;
    copies.add(copy as object);
    return copy;
  };
  const root = own(data);
  const issues: Omit<ModelIssue, "position">[] = [];
  overrides.forEach((override, index) => {
    const parts = splitPath(override.path);
    const at = overridePath(index);
    const ops = ["set", "add", "multiply"].filter((op) => hasOwnName(override, op) && (override as unknown as Record<string, unknown>)[op] !== undefined);
    if (ops.length !== 1) {
      issues.push({ code: "override_operation", path: at, severity: "error", message: `an override needs exactly one of set, add or multiply (found ${ops.length === 0 ? "none" : ops.join(", ")})` });
      return;
    }
    if (parts.length === 0) {
      issues.push({ code: "override_path", path: [...at, "path"], severity: "error", message: "the override's path is empty" });
      return;
    }
    const reserved = parts.find(isReservedName);
    if (reserved !== undefined) {
      issues.push({ code: "reserved_override_path", path: [...at, "path"], severity: "error", message: `the override's path ${shorten(override.path)} goes through "${reserved}": ${RESERVED_NAME_HINT}`, params: { name: reserved } });
      return;
    }
    if (parts[0] === "scenarios") {
      issues.push({ code: "override_path", path: [...at, "path"], severity: "error", message: "a scenario cannot change scenarios; use `extends` to build on another scenario" });
      return;
    }
    let parent: unknown = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const next = getChild(parent, parts[i]);
      if (next === undefined || next === null || typeof next !== "object") {
        issues.push(unknownPath(override.path, parts.slice(0, i + 1).join("."), next === undefined ? parent : next, [...at, "path"]));
        return;
      }
      const copy = own(next);
      setChild(parent, parts[i], copy);
      parent = copy;
    }
    const last = parts[parts.length - 1];
    if (override.set !== undefined) {
      if (Array.isArray(parent)) {
        const i = ARRAY_INDEX.test(last) ? Number(last) : -1;
        if (i < 0 || i > parent.length) {
          issues.push(unknownPath(override.path, override.path, parent, [...at, "path"]));
          return;
        }
        parent[i] = override.set;
      } else if (isPlainObject(parent)) parent[last] = override.set;
      else {
        issues.push(unknownPath(override.path, parts.slice(0, -1).join("."), parent, [...at, "path"]));
        return;
      }
      return;
    }
    const current = getChild(parent, last);
    if (current === undefined) {
      issues.push(unknownPath(override.path, override.path, parent, [...at, "path"]));
      return;
    }
    const amount = override.add !== undefined ? override.add : override.multiply!;
    const op = override.add !== undefined ? (v: number) => v + amount : (v: number) => v * amount;
    let touched = 0;
    // A new tree beneath the path (never the shared original), without recursion.
    const apply = (node: unknown): unknown => {
      if (typeof node === "number") {
        touched++;
        return op(node);
      }
      if (node === null || typeof node !== "object") return node;
      const top = Array.isArray(node) ? node.slice() : { ...(node as Record<string, unknown>) };
      const stack: (unknown[] | Record<string, unknown>)[] = [top];
      while (stack.length > 0) {
        const container = stack.pop()!;
        const keys = Array.isArray(container) ? container.map((_, i) => i) : Object.keys(container);
        for (const key of keys) {
          if (!Array.isArray(container) && TEXT_KEYS.has(key as string)) continue;
          const child = (container as Record<string | number, unknown>)[key];
          if (typeof child === "number") {
            touched++;
            (container as Record<string | number, unknown>)[key] = op(child);
          } else if (child !== null && typeof child === "object") {
            const copy = Array.isArray(child) ? child.slice() : { ...(child as Record<string, unknown>) };
            (container as Record<string | number, unknown>)[key] = copy;
            stack.push(copy);
          }
        }
      }
      return top;
    };
    const updated = apply(current);
    if (touched === 0) {
      issues.push({ code: "override_not_numeric", path: [...at, "path"], severity: "error", message: `${override.add !== undefined ? "add" : "multiply"} needs a number at ${shorten(override.path)}, which holds ${shorten(JSON.stringify(current) ?? String(current))}; use set instead` });
      return;
    }
    setChild(parent, last, updated);
  });
  return { data: root, issues };
}

function getChild(node: unknown, key: string): unknown {
  if (Array.isArray(node)) return ARRAY_INDEX.test(key) ? node[Number(key)] : undefined;
  if (isPlainObject(node)) return ownValue(node, key);
  return undefined;
}

function setChild(node: unknown, key: string, value: unknown): void {
  if (Array.isArray(node)) node[Number(key)] = value;
  else (node as Record<string, unknown>)[key] = value;
}

function unknownPath(full: string, missing: string, parent: unknown, at: IssuePath): Omit<ModelIssue, "position"> {
  const options = isPlainObject(parent) ? Object.keys(parent) : Array.isArray(parent) ? (parent.length ? [`0…${parent.length - 1}`] : []) : [];
  return {
    code: "override_unknown_path",
    path: at,
    severity: "error",
    message: `the override's path ${shorten(full)} does not exist in the model (nothing at ${shorten(missing)})${options.length ? `; there: ${options.slice(0, 12).map((o) => shorten(o, 40)).join(", ")}` : ""}`,
    params: { path: full },
  };
}
