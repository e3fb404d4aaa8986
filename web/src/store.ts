import { signal, computed, batch } from "@preact/signals";
import { loadModelText, loadModelSource, projectModel, checkTargets, checkUncertainty, compileModel, evaluate, buildResult, gpuReport, checkProjection, ModelError, EngineError, type LoadedModel, type ModelRunResult, type ModelIssue, type SimulationResult, type SensitivityReport, type CompiledModel } from "../../src/browser.js";
import { api, ApiError, type ModelSummary, type ModelVersion, type JobState, type JobKind } from "./api.js";

/** One evaluation of the model being looked at, with how long it took. */
export interface Evaluation {
  loaded: LoadedModel;
  compiled: CompiledModel;
  /** The inputs as the page holds them (the compiled model's, with form edits applied). */
  params: Float64Array;
  result: ModelRunResult;
  /** Milliseconds for parse + validate + compile + project + roll-up, measured with performance.now(). */
  ms: number;
}

export const models = signal<ModelSummary[] | null>(null);
export const modelsError = signal<string | null>(null);

/** The model open in the workspace. */
export const modelId = signal<string | null>(null);
export const modelName = signal<string>("");
export const savedVersion = signal<number | null>(null);
export const savedText = signal<string>("");
/** The text as edited (the engine reruns on every change). */
export const text = signal<string>("");
export const scenario = signal<string | null>(null);
export const evaluation = signal<Evaluation | null>(null);
/** Problems with the current text (empty when it loads). */
export const problems = signal<ModelIssue[]>([]);
export const engineFailure = signal<{ code: string; message: string; params?: Record<string, unknown> } | null>(null);
export const dirty = computed(() => text.value !== savedText.value);
export const versions = signal<ModelVersion[]>([]);

/** Recompute timings of this page, for the status line and the browser test. */
export const timings: { model: string; ms: number; kind: string; parts?: Record<string, number> }[] = [];
declare global {
  interface Window {
    __burnrate?: { timings: typeof timings; lastMs: number | null; recomputes: number; text: () => string; metrics: () => string };
  }
}
window.__burnrate = { timings, lastMs: null, recomputes: 0, text: () => text.value, metrics: () => JSON.stringify(evaluation.value?.result.metrics ?? null) };

/**
 * Loads, validates, compiles and projects the text in the page: the whole pipeline the
 * CLI runs, with no request. Keeps the last good evaluation when the text has errors.
 */
export function recompute(kind = "edit"): void {
  const started = performance.now();
  try {
    const loaded = loadModelText(text.value, modelName.value || "model.yaml", scenario.value ? { scenario: scenario.value } : {});
    const loadedAt = performance.now();
    const compiled = compileModel(loaded.model, loaded.extensions);
    const compiledAt = performance.now();
    const params = Float64Array.from(compiled.baseParams);
    const result = project(loaded, compiled, params);
    const ms = performance.now() - started;
    const parts = { load: loadedAt - started, compile: compiledAt - loadedAt, project: performance.now() - compiledAt };
    batch(() => {
      evaluation.value = { loaded, compiled, params, result, ms };
      problems.value = [...loaded.warnings, ...safeExtraChecks(loaded, compiled)];
      engineFailure.value = null;
    });
    evaluatedText = text.value;
    spots = null;
    timings.push({ model: modelName.value, ms, kind, parts });
    window.__burnrate!.lastMs = ms;
    window.__burnrate!.recomputes++;
  } catch (error) {
    if (error instanceof ModelError) problems.value = error.issues;
    else if (error instanceof EngineError) engineFailure.value = { code: error.code, message: error.message, params: { item: error.lineItem, period: error.period } };
    else engineFailure.value = { code: "unexpected", message: String((error as Error).message ?? error) };
  }
}

/** Projects compiled inputs into the run result (the same shape as `burnrate run --format json`). */
function project(loaded: LoadedModel, compiled: CompiledModel, params: Float64Array): ModelRunResult {
  const projection = evaluate(compiled, params);
  checkProjection(projection);
  const result: ModelRunResult = buildResult(loaded, projection);
  const gpu = gpuReport(projection);
  if (gpu) result.gpu = gpu;
  return result;
}

let fullReload: ReturnType<typeof setTimeout> | null = null;

/**
 * The first projection after a model opens runs cold (the JavaScript engine has not yet
 * optimised the month loop): project it a few more times while the page is idle, so that
 * the first edit is as fast as the later ones. Nothing is shown or recorded.
 */
function warmUp(): void {
  const run = () => {
    const e = evaluation.value;
    if (!e) return;
    try {
      for (let k = 0; k < 3; k++) project(e.loaded, e.compiled, Float64Array.from(e.params));
    } catch {
      /* the figures shown already carry any failure */
    }
  };
  if ("requestIdleCallback" in window) window.requestIdleCallback(run, { timeout: 2000 });
  else setTimeout(run, 200);
}

/**
 * A form edit of one number: the compiled model is evaluated again with that input
 * changed (no parsing, no compiling), then the text is reloaded in full when the page is idle
 * so that warnings and sources follow. Falls back to the full pipeline for inputs the
 * compiled model does not hold as a number.
 */
export function editInput(path: string, value: number, nextText: string): void {
  const current = evaluation.value;
  const slot = current?.compiled.table.slot(path);
  if (!current || slot === undefined || current.compiled.table.kinds[slot] === "month" || !Number.isFinite(value)) {
    setText(nextText, "form");
    return;
  }
  const started = performance.now();
  const params = Float64Array.from(current.params);
  params[slot] = value;
  try {
    const result = project(current.loaded, current.compiled, params);
    const ms = performance.now() - started;
    batch(() => {
      text.value = nextText;
      evaluation.value = { ...current, params, result, ms };
    });
    timings.push({ model: modelName.value, ms, kind: "input" });
    window.__burnrate!.lastMs = ms;
    window.__burnrate!.recomputes++;
  } catch {
    setText(nextText, "form");
    return;
  }
  if (fullReload) clearTimeout(fullReload);
  fullReload = setTimeout(() => {
    fullReload = null;
    recompute("reload");
  }, 800);
}

/** The checks `burnrate check` adds to loading: targets and uncertain inputs. */
function safeExtraChecks(loaded: LoadedModel, compiled: CompiledModel): ModelIssue[] {
  try {
    // The model compiled for the figures: checking the uncertain inputs does not change it.
    return [...checkTargets(loaded), ...checkUncertainty(loaded, compiled, false)];
  } catch (error) {
    if (error instanceof ModelError) return error.issues;
    return [];
  }
}

/** The same text under another scenario (Scenarios page); null when it does not load. */
export function evaluateScenario(name: string | null): ModelRunResult | null {
  const base = evaluation.value;
  if (!base) return null;
  try {
    return projectModel(name ? loadModelSource(base.loaded.source, { scenario: name }) : loadModelSource(base.loaded.source));
  } catch {
    return null;
  }
}

export function scenarioNames(): string[] {
  const e = evaluation.value;
  return e ? Object.keys(e.loaded.model.scenarios) : [];
}

export async function refreshModels(): Promise<void> {
  try {
    models.value = await api.listModels();
    modelsError.value = null;
  } catch (error) {
    modelsError.value = (error as Error).message;
  }
}

export async function openModel(id: string): Promise<void> {
  if (modelId.value === id && evaluation.value) return;
  const doc = await api.getModel(id);
  batch(() => {
    modelId.value = id;
    modelName.value = doc.name ?? id;
    savedVersion.value = doc.version ?? null;
    savedText.value = doc.text;
    text.value = doc.text;
    scenario.value = null;
    simulation.value = null;
    sensitivityReport.value = null;
    solveReport.value = null;
    evaluation.value = null;
  });
  recompute("open");
  warmUp();
  void refreshVersions();
}

export async function refreshVersions(): Promise<void> {
  if (!modelId.value) return;
  try {
    versions.value = await api.listVersions(modelId.value);
  } catch {
    versions.value = [];
  }
}

export async function saveVersion(message: string): Promise<void> {
  const id = modelId.value!;
  const saved = await api.save(id, text.value, message);
  batch(() => {
    savedText.value = text.value;
    savedVersion.value = saved.version;
  });
  await refreshVersions();
  void refreshModels();
}

export async function restoreVersion(version: number): Promise<void> {
  const id = modelId.value!;
  const restored = await api.restore(id, version);
  const doc = await api.getModel(id);
  batch(() => {
    savedText.value = doc.text;
    text.value = doc.text;
    savedVersion.value = restored.version ?? doc.version;
  });
  recompute("restore");
  await refreshVersions();
}

export function setText(next: string, kind = "edit"): void {
  if (next === text.value) return;
  if (kind === "edit" && numberEdit(text.value, next)) return;
  text.value = next;
  recompute(kind);
}

// ── Typing a number in the YAML ─────────────────────────────────────────────────────────
// Parsing and validating a large model's text takes most of a recompute (CoreWeave's 85 kB
// of YAML: ~100 ms of 150). When an edit only changes the digits of a number the compiled
// model holds as an input, the compiled model is evaluated again with that input (as a form
// edit is), and the whole text is reloaded when the typing stops.

/** The text of the last full recompute (the evaluation's source), or after number edits of it. */
let evaluatedText = "";
/** Where each input's number starts in `evaluatedText` (offset → slot), built on the first edit. */
let spots: Map<number, number> | null = null;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NUMBER_PREFIX = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/;
const isNumberChar = (c: string | undefined) => c !== undefined && /[0-9.eE+-]/.test(c);

function numberSpots(source: string, e: Evaluation): Map<number, number> {
  const lineStarts = [0];
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const found = new Map<number, number>();
  for (const input of e.loaded.inputs) {
    if (typeof input.value !== "number") continue;
    const slot = e.compiled.table.slot(input.path.join("."));
    if (slot === undefined || e.compiled.table.kinds[slot] !== "number") continue;
    const at = e.loaded.source.valuePosition([...input.path, "value"]) ?? e.loaded.source.valuePosition(input.path);
    if (!at || at.line > lineStarts.length) continue;
    const offset = lineStarts[at.line - 1] + at.col - 1;
    const token = NUMBER_PREFIX.exec(source.slice(offset, offset + 40))?.[0];
    // Only numbers written as they are used (no unit, no formula, no scenario override).
    if (token && !isNumberChar(source[offset + token.length]) && Number(token) === e.params[slot]) found.set(offset, slot);
  }
  return found;
}

/** Applies an edit that only changes one input's number; false when the text must be reloaded. */
function numberEdit(previous: string, next: string): boolean {
  const current = evaluation.value;
  if (!current || scenario.value || previous !== evaluatedText || problems.value.some((p) => p.severity === "error") || engineFailure.value) return false;
  let start = 0;
  const shortest = Math.min(previous.length, next.length);
  while (start < shortest && previous.charCodeAt(start) === next.charCodeAt(start)) start++;
  let tail = 0;
  while (tail < shortest - start && previous.charCodeAt(previous.length - 1 - tail) === next.charCodeAt(next.length - 1 - tail)) tail++;
  if (previous.slice(start, previous.length - tail).includes("\n") || next.slice(start, next.length - tail).includes("\n")) return false;
  let from = start;
  while (from > 0 && isNumberChar(next[from - 1])) from--;
  let to = next.length - tail;
  while (to < next.length && isNumberChar(next[to])) to++;
  const delta = next.length - previous.length;
  const before = previous.slice(from, to - delta);
  const after = next.slice(from, to);
  if (!NUMBER.test(before) || !NUMBER.test(after)) return false;
  spots ??= numberSpots(previous, current);
  const slot = spots.get(from);
  if (slot === undefined || Number(before) !== current.params[slot]) return false;
  const started = performance.now();
  const params = Float64Array.from(current.params);
  params[slot] = Number(after);
  let result: ModelRunResult;
  try {
    result = project(current.loaded, current.compiled, params);
  } catch {
    return false;
  }
  const ms = performance.now() - started;
  batch(() => {
    text.value = next;
    evaluation.value = { ...current, params, result, ms };
  });
  evaluatedText = next;
  if (delta !== 0) spots = new Map([...spots].map(([offset, s]) => [offset > from ? offset + delta : offset, s]));
  timings.push({ model: modelName.value, ms, kind: "number" });
  window.__burnrate!.lastMs = ms;
  window.__burnrate!.recomputes++;
  if (fullReload) clearTimeout(fullReload);
  fullReload = setTimeout(() => {
    fullReload = null;
    recompute("reload");
  }, 800);
  return true;
}

export function setScenario(next: string | null): void {
  scenario.value = next;
  recompute("scenario");
}

// ── Server jobs ───────────────────────────────────────────────────────────────────────────
export interface RunningJob {
  id: string;
  kind: JobKind;
  status: JobState["status"];
  done: number;
  total: number;
  error: JobState["error"] | null;
}
export const jobs = signal<Partial<Record<JobKind, RunningJob>>>({});
export const simulation = signal<SimulationResult | null>(null);
export const sensitivityReport = signal<SensitivityReport | null>(null);
export const solveReport = signal<unknown>(null);
const stopWatching: Partial<Record<JobKind, () => void>> = {};

/** Starts a job on the server for the saved model text and follows its progress (SSE). */
export async function startJob(kind: JobKind, options: Record<string, unknown>): Promise<void> {
  const id = modelId.value;
  if (!id) return;
  stopWatching[kind]?.();
  // A new question: the last answer no longer applies (a simulation's figures stay until replaced).
  if (kind === "solve") solveReport.value = null;
  const update = (patch: Partial<RunningJob>) => (jobs.value = { ...jobs.value, [kind]: { ...(jobs.value[kind] as RunningJob), ...patch } });
  jobs.value = { ...jobs.value, [kind]: { id: "", kind, status: "queued", done: 0, total: kind === "solve" ? 0 : Number(options.paths ?? options.n ?? 0), error: null } };
  try {
    const started = await api.startJob(kind, id, { ...options, scenario: scenario.value ?? undefined, text: dirty.value ? text.value : undefined, version: savedVersion.value ?? undefined });
    update({ id: started.id });
    stopWatching[kind] = api.watchJob(started.id, (state) => {
      update({ status: state.status, done: state.progress?.done ?? 0, total: state.progress?.total ?? jobs.value[kind]?.total ?? 0, error: state.error ?? null });
      if ((state.status === "done" || state.status === "cancelled") && state.result) acceptResult(kind, state.result);
      if (state.status !== "running" && state.status !== "queued") stopWatching[kind]?.();
    });
  } catch (error) {
    const e = error as ApiError;
    update({ status: "failed", error: { code: e.code ?? "http_error", message: e.message, params: e.params } });
  }
}

function acceptResult(kind: JobKind, result: unknown): void {
  if (kind === "simulate") simulation.value = result as SimulationResult;
  else if (kind === "sensitivity") sensitivityReport.value = result as SensitivityReport;
  else solveReport.value = result;
}

export async function cancelJob(kind: JobKind): Promise<void> {
  const job = jobs.value[kind];
  if (!job?.id) return;
  try {
    const state = await api.cancelJob(job.id);
    if (state?.result) acceptResult(kind, state.result);
  } catch {
    /* already finished */
  }
}
