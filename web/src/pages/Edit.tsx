import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { parseDocument, isMap, isScalar, type Node as YamlNode } from "yaml";
import type { EditorView } from "@codemirror/view";
import { evaluation, text, setText, problems, saveVersion, versions, restoreVersion, savedVersion, dirty, editInput, modelId } from "../store.js";
import { api } from "../api.js";
import { t, int, dateTime, issueText, lang } from "../i18n.js";
import { IssueList, CitationMark } from "../components.js";
import { createEditor, replaceDoc, jumpTo } from "../editor.js";
import { diffLines, type DiffLine } from "../diff.js";
import type { CitedValue } from "../../../src/browser.js";

interface Field {
  path: (string | number)[];
  key: string;
  kind: "number" | "month" | "text";
  value: string;
  range: [number, number];
  group: string;
}

const MONTH = /^\d{4}-\d{2}$/;

/** The common inputs, with where each value is written in the text (so an edit changes only that value). */
function collectFields(source: string): Field[] {
  const doc = parseDocument(source, { keepSourceTokens: false });
  const fields: Field[] = [];
  const add = (path: (string | number)[], group: string) => {
    let node = doc.getIn(path, true) as YamlNode | undefined;
    if (node && isMap(node) && node.has("value")) node = node.get("value", true) as YamlNode;
    if (!node || !isScalar(node) || !node.range) return;
    const v = node.value;
    const kind = typeof v === "number" ? "number" : typeof v === "string" && MONTH.test(v) ? "month" : typeof v === "string" ? "text" : null;
    if (!kind) return;
    fields.push({ path, key: path.join("."), kind, value: String(v), range: [node.range[0], node.range[1]], group });
  };
  const data = doc.toJS() as Record<string, any>;
  if (!data || typeof data !== "object") return fields;
  for (const k of ["company", "start", "end", "months", "cashFloor"]) if (data.meta?.[k] !== undefined) add(["meta", k], "meta");
  add(["openingBalance", "cash"], "meta");
  for (const [name, round] of Object.entries<any>(data.financing?.equity ?? {})) for (const k of ["month", "amount", "preMoney"]) if (round?.[k] !== undefined) add(["financing", "equity", name, k], "equity");
  for (const [name, tr] of Object.entries<any>(data.financing?.debt ?? {})) {
    for (const k of ["openingBalance", "rate", "spread", "maturity", "upfrontFee"]) if (tr?.[k] !== undefined) add(["financing", "debt", name, k], "debt");
    (tr?.draws ?? []).forEach((_: unknown, i: number) => (add(["financing", "debt", name, "draws", i, "month"], "debt"), add(["financing", "debt", name, "draws", i, "amount"], "debt")));
  }
  for (const [name, d] of Object.entries<any>(data.drivers ?? {})) {
    if (typeof d === "number" || (d && typeof d === "object" && "value" in d && Object.keys(d).every((k) => ["value", "source", "assumption", "note"].includes(k)))) add(["drivers", name], "drivers");
    else if (d && typeof d === "object" && "constant" in d) add(["drivers", name, "constant"], "drivers");
    else if (d && typeof d === "object" && d.yearly) for (const y of Object.keys(d.yearly)) add(["drivers", name, "yearly", y], "drivers");
    else if (d && typeof d === "object" && d.growth) for (const k of ["start", "annualRate", "monthlyRate"]) if (d.growth[k] !== undefined) add(["drivers", name, "growth", k], "drivers");
  }
  for (const [name, line] of Object.entries<any>(data.lines ?? {})) if (typeof line?.value === "number" || (line?.value && typeof line.value === "object")) add(["lines", name, "value"], "lines");
  return fields;
}

function FormView() {
  const e = evaluation.value!;
  const state = useRef<{ text: string; fields: Field[] }>({ text: "", fields: [] });
  if (state.current.text !== text.value) state.current = { text: text.value, fields: collectFields(text.value) };
  const [, force] = useState(0);
  const fields = state.current.fields;
  const cite = (path: (string | number)[]): CitedValue | undefined => e.loaded.inputs.find((i) => i.path.join(".") === path.join("."));
  const change = (field: Field, raw: string) => {
    const cur = state.current;
    let replacement = raw.trim();
    let value: number | null = null;
    if (field.kind === "number") {
      value = Number(replacement);
      if (replacement === "" || !Number.isFinite(value)) return;
    } else if (field.kind === "month") {
      if (!MONTH.test(replacement)) return;
    } else replacement = JSON.stringify(raw);
    const [from, to] = field.range;
    const next = cur.text.slice(0, from) + replacement + cur.text.slice(to);
    const delta = replacement.length - (to - from);
    for (const f of cur.fields) {
      if (f === field) f.range = [from, from + replacement.length];
      else if (f.range[0] >= to) f.range = [f.range[0] + delta, f.range[1] + delta];
    }
    field.value = field.kind === "text" ? raw : replacement;
    cur.text = next;
    if (value !== null) editInput(field.key, value, next);
    else setText(next, "form");
    force((n) => n + 1);
  };
  const groups = ["meta", "equity", "debt", "drivers", "lines"] as const;
  return (
    <div class="form-view" data-testid="form-view">
      {groups.map((g) => {
        const list = fields.filter((f) => f.group === g);
        if (!list.length) return null;
        return (
          <details open={g === "meta" || g === "equity"} class="card">
            <summary><h2 class="inline-h">{t(`edit.groups.${g}`)}</h2> <span class="muted">({int(list.length)})</span></summary>
            <div class="fields">
              {list.map((f) => {
                const id = `f-${f.key.replace(/[^A-Za-z0-9_-]/g, "_")}`;
                return (
                  <div class="field">
                    <label for={id} dir="ltr">{f.key}</label>
                    <div class="field-input">
                      {f.kind === "number" ? (
                        <input id={id} data-path={f.key} dir="ltr" type="number" step="any" value={f.value} onInput={(ev) => change(f, (ev.target as HTMLInputElement).value)} />
                      ) : (
                        <input id={id} data-path={f.key} dir="ltr" type="text" value={f.value} onInput={(ev) => change(f, (ev.target as HTMLInputElement).value)} />
                      )}
                      <CitationMark citation={cite(f.path)?.citation} label={f.key} />
                    </div>
                  </div>
                );
              })}
            </div>
          </details>
        );
      })}
    </div>
  );
}

function History() {
  const [shown, setShown] = useState<{ version: number; hunks: DiffLine[][] } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const showDiff = async (version: number) => {
    try {
      const doc = await api.getVersion(modelId.value!, version);
      setShown({ version, hunks: diffLines(doc.text, text.value) });
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const restore = async (version: number) => {
    setBusy(true);
    setError(null);
    try {
      await restoreVersion(version);
      setShown(null);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="history-title">
      <h2 id="history-title">{t("edit.history")}</h2>
      {error && <div class="banner error" role="alert">{error}</div>}
      <ol class="versions" reversed data-testid="versions">
        {[...versions.value].sort((a, b) => b.version - a.version).map((v) => (
          <li>
            <span class="vno">{t("models.version", { v: int(v.version) })}</span> <span class="muted">{dateTime(v.createdAt)}</span> <span dir="auto">{v.message}</span>
            {v.version === savedVersion.value && <span class="badge">{t("edit.current")}</span>}
            <span class="row-actions">
              <button type="button" class="small" onClick={() => void showDiff(v.version)}>{t("edit.diff")}</button>
              <button type="button" class="small" disabled={busy} onClick={() => void restore(v.version)} data-testid={`restore-${v.version}`}>{t("edit.restore")}</button>
            </span>
          </li>
        ))}
      </ol>
      {shown && (
        <div class="diff" data-testid="diff">
          <h3>{t("edit.diffTitle", { v: int(shown.version) })}</h3>
          {shown.hunks.length === 0 && <p class="muted">{t("edit.noDiff")}</p>}
          {shown.hunks.map((h) => (
            <pre dir="ltr" class="hunk">
              {h.map((l) => <div class={`dl ${l.kind === "+" ? "add" : l.kind === "-" ? "del" : ""}`}><span class="ln">{l.oldNo ?? ""}</span><span class="ln">{l.newNo ?? ""}</span><span class="mark" aria-label={l.kind === "+" ? t("edit.added") : l.kind === "-" ? t("edit.removed") : undefined}>{l.kind}</span>{l.text}</div>)}
            </pre>
          ))}
        </div>
      )}
    </section>
  );
}

export function EditPage() {
  const [mode, setMode] = useState<"yaml" | "form">("yaml");
  const box = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const [message, setMessage] = useState("");
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  useEffect(() => {
    if (mode !== "yaml" || !box.current) return;
    view.current = createEditor({
      parent: box.current,
      doc: text.value,
      check: (next) => {
        setText(next);
        return problems.value;
      },
      message: (issue) => issueText(issue),
      label: t("edit.editorLabel"),
      rtl: lang.value === "ar",
    });
    return () => {
      view.current?.destroy();
      view.current = null;
    };
  }, [mode]);
  useEffect(() => {
    if (view.current) replaceDoc(view.current, text.value);
  }, [text.value]);
  const save = async (ev: Event) => {
    ev.preventDefault();
    setSaving(true);
    setSaveError(null);
    try {
      await saveVersion(message.trim() || t("edit.defaultMessage"));
      setMessage("");
    } catch (err) {
      const e = err as { issues?: { code: string; message: string; params?: Record<string, unknown> }[]; message: string };
      setSaveError(e.issues?.length ? e.issues.map((i) => issueText(i)).join("\n") : e.message);
    } finally {
      setSaving(false);
    }
  };
  const errors = problems.value.filter((p) => p.severity === "error");
  return (
    <>
      <h1>{t("edit.title", { company: evaluation.value!.result.model })}</h1>
      <div class="tabs" role="tablist" aria-label={t("edit.mode")}>
        <button type="button" role="tab" aria-selected={mode === "yaml"} onClick={() => setMode("yaml")}>{t("edit.yaml")}</button>
        <button type="button" role="tab" aria-selected={mode === "form"} onClick={() => setMode("form")} data-testid="tab-form">{t("edit.form")}</button>
      </div>
      <form class="savebar card" onSubmit={save}>
        <label class="inline grow">
          <span>{t("edit.message")}</span>
          <input type="text" value={message} onInput={(ev) => setMessage((ev.target as HTMLInputElement).value)} placeholder={t("edit.messagePlaceholder")} data-testid="save-message" />
        </label>
        <button type="submit" class="primary" disabled={saving || !dirty.value || errors.length > 0} data-testid="save">{t("edit.save")}</button>
        <span class="muted" role="status">{dirty.value ? t("edit.unsaved") : t("edit.saved", { v: int(savedVersion.value ?? 0) })}</span>
        {errors.length > 0 && <span class="bad">{t("edit.fixFirst", { n: int(errors.length) })}</span>}
      </form>
      {saveError && <div class="banner error" role="alert" style={{ whiteSpace: "pre-line" }}>{saveError}</div>}
      {mode === "yaml" ? (
        <div class="editor-layout">
          <div class="editor" ref={box} dir="ltr" data-testid="editor" />
          <section aria-labelledby="problems-title" class="problems" tabIndex={0}>
            <h2 id="problems-title">{t("edit.problems")} {problems.value.length > 0 && <span class="badge">{int(problems.value.length)}</span>}</h2>
            {problems.value.length === 0 ? <p class="muted">{t("edit.noProblems")}</p> : <IssueList issues={problems.value} onJump={(i) => view.current && i.position && jumpTo(view.current, i.position.line, i.position.col)} />}
          </section>
        </div>
      ) : (
        <FormView />
      )}
      <History />
    </>
  );
}
