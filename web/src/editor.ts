import { EditorView, basicSetup } from "codemirror";
import { EditorState } from "@codemirror/state";
import { yaml } from "@codemirror/lang-yaml";
import { linter, lintGutter, type Diagnostic } from "@codemirror/lint";
import { autocompletion, type CompletionContext, type CompletionResult, type Completion } from "@codemirror/autocomplete";
import { fullModelJsonSchema, type ModelIssue } from "../../src/browser.js";

type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  description?: string;
  required?: string[];
  $defs?: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
};

let rootSchema: JsonSchema | null = null;
function schema(): JsonSchema {
  return (rootSchema ??= fullModelJsonSchema() as JsonSchema);
}

function deref(s: JsonSchema): JsonSchema {
  let node = s;
  for (let i = 0; node.$ref && i < 20; i++) {
    const name = node.$ref.replace(/^#\/(\$defs|definitions)\//, "");
    node = schema().$defs?.[name] ?? schema().definitions?.[name] ?? {};
  }
  return node;
}

/** Every shape a schema allows (through $ref, anyOf, oneOf, allOf). */
function branches(s: JsonSchema): JsonSchema[] {
  const d = deref(s);
  const alts = [...(d.anyOf ?? []), ...(d.oneOf ?? []), ...(d.allOf ?? [])];
  return alts.length ? [d, ...alts.flatMap(branches)] : [d];
}

function childSchemas(s: JsonSchema, key: string | number): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const b of branches(s)) {
    if (typeof key === "number") {
      if (b.items) out.push(b.items);
      continue;
    }
    if (b.properties?.[key]) out.push(b.properties[key]);
    else if (b.additionalProperties && typeof b.additionalProperties === "object") out.push(b.additionalProperties);
  }
  return out;
}

export function schemasAt(path: (string | number)[]): JsonSchema[] {
  let current = [schema()];
  for (const part of path) current = current.flatMap((s) => childSchemas(s, part));
  return current;
}

/** The key path of the line the cursor is on, from the indentation of the lines above. */
export function pathAt(state: EditorState, pos: number): { path: (string | number)[]; key: string | null; inValue: boolean; from: number } {
  const line = state.doc.lineAt(pos);
  const before = line.text.slice(0, pos - line.from);
  const keyValue = /^(\s*(?:-\s+)?)([A-Za-z0-9_.-]+):\s+(\S*)$/.exec(before);
  const keyOnly = /^(\s*(?:-\s+)?)([A-Za-z0-9_-]*)$/.exec(before);
  const lead = keyValue ? keyValue[1] : keyOnly ? keyOnly[1] : /^\s*(?:-\s+)?/.exec(line.text)![0];
  let indent = lead.length;
  const path: (string | number)[] = [];
  // A key written right after "- " on the cursor's own line is the first key of a list item.
  if (/-\s+$/.test(lead)) {
    path.unshift(0);
    indent = lead.length - /-\s+$/.exec(lead)![0].length;
  }
  for (let n = line.number - 1; n >= 1 && indent > 0; n--) {
    const text = state.doc.line(n).text;
    if (!text.trim() || /^\s*#/.test(text)) continue;
    const m = /^(\s*)(-\s+)?(?:([A-Za-z0-9_.-]+):(.*))?/.exec(text)!;
    const own = m[1].length;
    const keyCol = own + (m[2]?.length ?? 0);
    const isParentKey = m[3] !== undefined && /^\s*(#.*)?$/.test(m[4] ?? "");
    if (keyCol < indent && isParentKey) {
      path.unshift(m[3]);
      if (m[2]) path.unshift(0);
      indent = own;
    } else if (m[2] && keyCol <= indent && own < indent) {
      // A sibling key on the list item's first line: the item is the parent.
      path.unshift(0);
      indent = own;
    }
  }
  if (keyValue) return { path, key: keyValue[2], inValue: true, from: pos - keyValue[3].length };
  const word = keyOnly ? keyOnly[2] : "";
  return { path, key: null, inValue: false, from: pos - word.length };
}

function completeFromSchema(context: CompletionContext): CompletionResult | null {
  const where = pathAt(context.state, context.pos);
  if (where.inValue && where.key) {
    const options: Completion[] = [];
    for (const s of schemasAt([...where.path, where.key]).flatMap(branches)) {
      for (const v of s.enum ?? []) options.push({ label: String(v), type: "enum" });
      if (s.const !== undefined) options.push({ label: String(s.const), type: "enum" });
      if (s.type === "boolean") options.push({ label: "true", type: "keyword" }, { label: "false", type: "keyword" });
    }
    if (options.length === 0) return null;
    return { from: where.from, options: dedupe(options), validFor: /^[\w-]*$/ };
  }
  if (!context.explicit && where.from === context.pos) return null;
  const keys = new Map<string, Completion>();
  for (const s of schemasAt(where.path).flatMap(branches)) {
    for (const [name, prop] of Object.entries(s.properties ?? {})) {
      if (!keys.has(name)) keys.set(name, { label: name, type: "property", apply: `${name}: `, info: deref(prop).description ?? prop.description, boost: s.required?.includes(name) ? 1 : 0 });
    }
  }
  if (keys.size === 0) return null;
  return { from: where.from, options: [...keys.values()], validFor: /^[\w-]*$/ };
}

function dedupe(options: Completion[]): Completion[] {
  const seen = new Set<string>();
  return options.filter((o) => (seen.has(o.label) ? false : (seen.add(o.label), true)));
}

function toDiagnostic(state: EditorState, issue: ModelIssue, message: string): Diagnostic {
  const doc = state.doc;
  const lineNo = Math.min(Math.max(issue.position?.line ?? 1, 1), doc.lines);
  const line = doc.line(lineNo);
  const from = Math.min(line.from + Math.max((issue.position?.col ?? 1) - 1, 0), line.to);
  const rest = line.text.slice(from - line.from);
  const token = /^[^\s,#\]}]+/.exec(rest)?.[0].length ?? 0;
  return { from, to: Math.max(from + token, Math.min(from + 1, line.to)), severity: issue.severity === "warning" ? "warning" : "error", message };
}

export interface EditorOptions {
  parent: HTMLElement;
  doc: string;
  /** Called (debounced by the linter) with the text; returns the issues found in it. */
  check: (text: string) => ModelIssue[];
  message: (issue: ModelIssue) => string;
  label: string;
  rtl: boolean;
}

export function createEditor(options: EditorOptions): EditorView {
  const lint = linter(
    (view) => {
      const issues = options.check(view.state.doc.toString());
      return issues.filter((i) => i.position).map((i) => toDiagnostic(view.state, i, options.message(i)));
    },
    { delay: 120 },
  );
  const view = new EditorView({
    parent: options.parent,
    state: EditorState.create({
      doc: options.doc,
      extensions: [
        basicSetup,
        yaml(),
        lintGutter(),
        lint,
        autocompletion({ override: [completeFromSchema], activateOnTyping: true }),
        EditorView.contentAttributes.of({ "aria-label": options.label, dir: "ltr" }),
        EditorView.theme({ "&": { height: "100%", fontSize: "13px" }, ".cm-scroller": { fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace' } }),
      ],
    }),
  });
  // The scroller is a region a keyboard user must be able to reach and scroll.
  view.scrollDOM.tabIndex = 0;
  view.scrollDOM.setAttribute("aria-label", options.label);
  return view;
}

/** Replaces the document without losing the cursor's line when possible. */
export function replaceDoc(view: EditorView, text: string): void {
  const current = view.state.doc.toString();
  if (current === text) return;
  view.dispatch({ changes: { from: 0, to: current.length, insert: text } });
}

export function jumpTo(view: EditorView, line: number, col: number): void {
  const l = view.state.doc.line(Math.min(Math.max(line, 1), view.state.doc.lines));
  const pos = Math.min(l.from + Math.max(col - 1, 0), l.to);
  view.dispatch({ selection: { anchor: pos }, effects: EditorView.scrollIntoView(pos, { y: "center" }) });
  view.focus();
}
