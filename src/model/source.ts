import { LineCounter, parseDocument, isMap, isSeq, isScalar, isPair, type Node as YamlNode } from "yaml";
import type { IssuePath, ModelIssue, SourcePosition } from "./issues.js";
import { ModelError } from "./issues.js";

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

export function parseSourceText(text: string, file: string): SourceText {
  const issues: ModelIssue[] = [];
  if (text.length > MAX_MODEL_BYTES) {
    throw new ModelError([
      {
        code: "file_too_large",
        path: [],
        severity: "error",
        message: `the file is ${(text.length / 1024 / 1024).toFixed(1)} MB; a model file may be at most ${MAX_MODEL_BYTES / 1024 / 1024} MB — split data series out or check that this is the right file`,
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
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: false });
  const at = (offset: number): SourcePosition => {
    const lp = lineCounter.linePos(offset);
    return { file, line: lp.line, col: lp.col };
  };
  for (const err of doc.errors) {
    issues.push({
      code: "yaml_syntax",
      path: [],
      severity: "error",
      message: `YAML syntax error: ${err.message.split("\n")[0]}`,
      position: at(err.pos[0]),
    });
  }
  if (issues.length > 0) throw new ModelError(issues);

  const keyPositions = new Map<string, number>();
  const valuePositions = new Map<string, number>();
  const walk = (node: unknown, path: IssuePath): void => {
    if (isMap(node)) {
      for (const item of node.items) {
        if (!isPair(item)) continue;
        const keyNode = item.key as YamlNode | null;
        const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
        const childPath = [...path, key];
        if (keyNode && (keyNode as YamlNode).range) keyPositions.set(pathKey(childPath), (keyNode as YamlNode).range![0]);
        const valueNode = item.value as YamlNode | null;
        if (valueNode && valueNode.range) valuePositions.set(pathKey(childPath), valueNode.range[0]);
        else if (keyNode && (keyNode as YamlNode).range) valuePositions.set(pathKey(childPath), (keyNode as YamlNode).range![0]);
        walk(valueNode, childPath);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        const childPath = [...path, index];
        const n = item as YamlNode;
        if (n && n.range) {
          keyPositions.set(pathKey(childPath), n.range[0]);
          valuePositions.set(pathKey(childPath), n.range[0]);
        }
        walk(item, childPath);
      });
    }
  };
  walk(doc.contents, []);
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
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new ModelError([
      {
        code: "yaml_syntax",
        path: [],
        severity: "error",
        message: `YAML could not be read: ${(error as Error).message}`,
        position: at(0),
      },
    ]);
  }
  return {
    file,
    data,
    keyPosition: (path) => lookup(keyPositions, path),
    valuePosition: (path) => lookup(valuePositions, path),
  };
}
