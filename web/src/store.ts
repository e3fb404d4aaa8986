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
    __burnrate?: { timings: typeof timings; lastMs: number | null; recomputes: number; text: () => string };
  }
}
window.__burnrate = { timings, lastMs: null, recomputes: 0, text: () => text.value };

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
      problems.value = [...loaded.warnings, ...safeExtraChecks(loaded)];
      engineFailure.value = null;
    });
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
function safeExtraChecks(loaded: LoadedModel): ModelIssue[] {
  try {
    const compiled = compileModel(loaded.model, loaded.extensions);
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
  text.value = next;
  recompute(kind);
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
