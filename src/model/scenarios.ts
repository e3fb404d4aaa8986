import type { IssuePath, ModelIssue } from "./issues.js";

export interface RawOverride {
  path: string;
  set?: unknown;
  add?: number;
  multiply?: number;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function clone<T>(value: T): T {
  return structuredClone(value);
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
    const scenario: unknown = scenarios[current];
    if (!isPlainObject(scenario)) {
      const known = Object.keys(scenarios);
      const isRoot = chain.length === 0;
      return {
        issue: {
          code: "unknown_scenario",
          path: isRoot ? [] : ["scenarios", chain[chain.length - 1], "extends"],
          severity: "error",
          message: `no scenario named "${current}"${known.length ? `; the model has: ${known.join(", ")}` : "; the model defines no scenarios"}`,
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

/**
 * Applies a scenario's overrides to the raw model data (after `{value, source}`
 * wrappers are unwrapped, before validation, so an override can change anything a
 * user could have written). `multiply` and `add` on an object or list apply to
 * every number beneath it, e.g. `multiply: 0.5` on `drivers.revenue.yearly`.
 */
export function applyOverrides(data: unknown, overrides: RawOverride[], overridePath: (index: number) => IssuePath): { data: unknown; issues: Omit<ModelIssue, "position">[] } {
  const root = clone(data);
  const issues: Omit<ModelIssue, "position">[] = [];
  overrides.forEach((override, index) => {
    const parts = splitPath(override.path);
    const at = overridePath(index);
    const ops = ["set", "add", "multiply"].filter((op) => (override as unknown as Record<string, unknown>)[op] !== undefined);
    if (ops.length !== 1) {
      issues.push({ code: "override_operation", path: at, severity: "error", message: `an override needs exactly one of set, add or multiply (found ${ops.length === 0 ? "none" : ops.join(", ")})` });
      return;
    }
    if (parts.length === 0) {
      issues.push({ code: "override_path", path: [...at, "path"], severity: "error", message: "the override's path is empty" });
      return;
    }
    let parent: unknown = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const next = getChild(parent, parts[i]);
      if (next === undefined) {
        issues.push(unknownPath(override.path, parts.slice(0, i + 1).join("."), parent, [...at, "path"]));
        return;
      }
      parent = next;
    }
    const last = parts[parts.length - 1];
    const current = getChild(parent, last);
    if (override.set !== undefined) {
      if (!isPlainObject(parent) && !Array.isArray(parent)) {
        issues.push(unknownPath(override.path, parts.slice(0, -1).join("."), parent, [...at, "path"]));
        return;
      }
      if (Array.isArray(parent)) {
        const i = Number(last);
        if (!Number.isInteger(i) || i < 0 || i > parent.length) {
          issues.push(unknownPath(override.path, override.path, parent, [...at, "path"]));
          return;
        }
        parent[i] = override.set;
      } else parent[last] = override.set;
      return;
    }
    if (current === undefined) {
      issues.push(unknownPath(override.path, override.path, parent, [...at, "path"]));
      return;
    }
    const op = override.add !== undefined ? (v: number) => v + override.add! : (v: number) => v * override.multiply!;
    let touched = 0;
    const apply = (node: unknown): unknown => {
      if (typeof node === "number") {
        touched++;
        return op(node);
      }
      if (Array.isArray(node)) return node.map(apply);
      if (isPlainObject(node)) {
        for (const key of Object.keys(node)) if (!["source", "assumption", "derivation", "note", "description"].includes(key)) node[key] = apply(node[key]);
        return node;
      }
      return node;
    };
    const updated = apply(current);
    if (touched === 0) {
      issues.push({ code: "override_not_numeric", path: [...at, "path"], severity: "error", message: `${override.add !== undefined ? "add" : "multiply"} needs a number at ${override.path}, which holds ${JSON.stringify(current)}; use set instead` });
      return;
    }
    if (Array.isArray(parent)) parent[Number(last)] = updated;
    else (parent as Record<string, unknown>)[last] = updated;
  });
  return { data: root, issues };
}

function getChild(node: unknown, key: string): unknown {
  if (Array.isArray(node)) {
    const i = Number(key);
    return Number.isInteger(i) ? node[i] : undefined;
  }
  if (isPlainObject(node)) return node[key];
  return undefined;
}

function unknownPath(full: string, missing: string, parent: unknown, at: IssuePath): Omit<ModelIssue, "position"> {
  const options = isPlainObject(parent) ? Object.keys(parent) : Array.isArray(parent) ? [`0…${parent.length - 1}`] : [];
  return {
    code: "override_unknown_path",
    path: at,
    severity: "error",
    message: `the override's path ${full} does not exist in the model (nothing at ${missing})${options.length ? `; there: ${options.slice(0, 12).join(", ")}` : ""}`,
    params: { path: full },
  };
}
