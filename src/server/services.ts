import { createHash } from "node:crypto";
import { createTwoFilesPatch } from "diff";
import type { z } from "zod";
import { COMMANDS, checkCommand, type CommandName, type LabelledRun, type Notice } from "../commands/index.js";
import { createModelLoader } from "../commands/load.js";
import { pathToString, ModelError } from "../model/issues.js";
import type { LoadedModel } from "../model/load.js";
import type { ModelRunResult } from "../index.js";
import { contentHash, type ModelRecord, type Store, type VersionRecord } from "../store/index.js";
import { ApiError, invalidModelBody, notFound } from "./errors.js";
import type { ModelSource, modelSummarySchema, diffSchema } from "./schemas.js";


/** A model resolved from a request: its text and where it came from. */
export interface ResolvedModel {
  text: string;
  file: string;
  hash: string;
  modelId: string | null;
  version: number | null;
}

/** What a request names, before its text is read (a cached run needs only the hash). */
interface ModelRef {
  file: string;
  hash: string;
  modelId: string | null;
  version: number | null;
  text(): Promise<string>;
}

/**
 * The most recently used run results, in memory (bounded in bytes): a cached run is
 * then answered without reading the store.
 */
export class RunMemo {
  /** Kept as UTF-8 bytes, ready to send. */
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;
  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}
  get(key: string): Buffer | undefined {
    const body = this.entries.get(key);
    if (body !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, body);
    }
    return body;
  }
  set(key: string, json: string): Buffer {
    const body = Buffer.from(json, "utf8");
    if (body.length > this.maxBytes / 4) return body;
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.bytes -= old.length;
      this.entries.delete(key);
    }
    this.entries.set(key, body);
    this.bytes += body.length;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= v.length;
    }
    return body;
  }
}

export type ModelSummary = z.infer<typeof modelSummarySchema>;
export type VersionDiff = z.infer<typeof diffSchema>;

/** The name positions of text sent with a request are reported under when it gives none. */
export const REQUEST_FILE = "request.yaml";

/** Canonical JSON: keys sorted, so equal options give equal cache keys. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v));
}

/** A run's cache key: the command, each model's content hash and file name, scenario and label, and the options after defaults. */
export function runKey(command: CommandName, models: { hash: string; file: string; scenario?: string | null; label?: string }[], options: unknown): string {
  return createHash("sha256").update(canonicalJson({ command, models, options })).digest("hex");
}

function slugify(name: string): string {
  const slug = name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/g, "");
  return slug || "model";
}

/**
 * Everything the routes do with models and runs, in terms of the store interface:
 * resolving what a request names, validating before saving (a model that fails is
 * refused whole), versions and their diffs, and running commands through the run cache.
 */
export class Models {
  /** Parses each text once (keyed by content hash); stored models are parsed on first use. */
  readonly load: (text: string, file: string, options: { scenario?: string }) => LoadedModel;

  private readonly memo = new RunMemo();
  /** Texts of recently used versions by content hash (a run then needs no read of the text). */
  private readonly texts = new Map<string, string>();

  private remember(hash: string, text: string): void {
    this.texts.delete(hash);
    this.texts.set(hash, text);
    if (this.texts.size > 32) this.texts.delete(this.texts.keys().next().value!);
  }

  constructor(private readonly store: Store) {
    this.load = createModelLoader({ maxEntries: 32, key: (text, file) => `${file}\u0000${contentHash(text)}` });
  }

  async require(id: string): Promise<ModelRecord> {
    const model = await this.store.getModel(id);
    if (!model) throw new ApiError(404, "model_not_found", `no model named "${id}"`);
    return model;
  }

  async version(id: string, version?: number): Promise<VersionRecord> {
    const model = await this.require(id);
    const v = await this.store.getVersion(id, version ?? model.latestVersion);
    if (!v) throw new ApiError(404, "version_not_found", `"${id}" has no version ${version} (it has 1 to ${model.latestVersion})`);
    return v;
  }

  async resolve(source: ModelSource): Promise<ResolvedModel> {
    const ref = await this.reference(source);
    return { text: await ref.text(), file: ref.file, hash: ref.hash, modelId: ref.modelId, version: ref.version };
  }

  /** Resolves what a request names in one read of the store, leaving the text for later. */
  private async reference(source: ModelSource): Promise<ModelRef> {
    if ("id" in source) {
      const v = await this.store.findVersion(source.id, source.version);
      if (!v) await this.version(source.id, source.version); // says which of the two is missing
      const { modelId, version } = v!;
      return {
        file: v!.file,
        hash: v!.contentHash,
        modelId,
        version,
        text: async () => {
          const known = this.texts.get(v!.contentHash);
          if (known !== undefined) return known;
          const text = (await this.store.getVersion(modelId, version))!.text;
          this.remember(v!.contentHash, text);
          return text;
        },
      };
    }
    const text = source.text;
    return { file: source.file ?? REQUEST_FILE, hash: contentHash(text), modelId: null, version: null, text: async () => text };
  }

  /** Refuses (422, with `burnrate check`'s issues) a model that does not validate; returns its company name. */
  validate(text: string, file: string): string {
    const report = checkCommand({ text, file }, {}, { load: this.load });
    if (!report.valid) throw new ApiError(422, "invalid_model", invalidModelBody(report.issues).message, { issues: report.issues });
    return report.model!;
  }

  async create(input: { id?: string; text: string; file?: string; message?: string }) {
    const provisional = input.file ?? `${input.id ?? "model"}.yaml`;
    const company = this.validate(input.text, provisional);
    let id = input.id;
    if (!id) {
      const base = slugify(company);
      id = base;
      for (let n = 2; (await this.store.getModel(id, { includeDeleted: true })) && n < 1000; n++) id = `${base}-${n}`;
    }
    // Positions in the stored version read ID.yaml; validation above used a provisional name.
    const file = input.file ?? `${id}.yaml`;
    return this.store.createModel({ id, name: company, text: input.text, file, message: input.message ?? "Created", contentHash: contentHash(input.text) });
  }

  /** Saves a new version; unchanged text saves nothing and answers with the latest version. */
  async save(id: string, input: { text: string; message?: string; baseVersion?: number; restoredFrom?: number }) {
    const latest = await this.version(id);
    if (input.baseVersion !== undefined && input.baseVersion !== latest.version) {
      throw new ApiError(409, "version_conflict", `"${id}" was saved meanwhile: the latest version is ${latest.version}, not ${input.baseVersion}; reload it and apply your change again`, { latestVersion: latest.version });
    }
    const hash = contentHash(input.text);
    if (hash === latest.contentHash && input.restoredFrom === undefined) return { model: await this.require(id), version: latest, unchanged: true };
    const company = this.validate(input.text, latest.file);
    const saved = await this.store.saveVersion(id, { name: company, text: input.text, message: input.message ?? (input.restoredFrom ? `Restored version ${input.restoredFrom}` : "Saved"), contentHash: hash, expectedVersion: latest.version, restoredFrom: input.restoredFrom ?? null });
    return { ...saved, unchanged: false };
  }

  async restore(id: string, version: number, message?: string) {
    const old = await this.version(id, version);
    return this.save(id, { text: old.text, message: message ?? `Restored version ${version}`, restoredFrom: version });
  }

  /** Text diff and the inputs whose value or citation changed between two versions. */
  async diff(id: string, fromVersion?: number, toVersion?: number): Promise<VersionDiff> {
    const model = await this.require(id);
    const to = toVersion ?? model.latestVersion;
    const from = fromVersion ?? Math.max(1, to - 1);
    const [a, b] = await Promise.all([this.version(id, from), this.version(id, to)]);
    const patch = createTwoFilesPatch(`${id}@${from}/${a.file}`, `${id}@${to}/${b.file}`, a.text, b.text, a.createdAt, b.createdAt, { context: 3 });
    let added = 0;
    let removed = 0;
    for (const line of patch.split("\n").slice(4)) {
      if (line.startsWith("+") && !line.startsWith("+++")) added++;
      else if (line.startsWith("-") && !line.startsWith("---")) removed++;
    }
    const problems: string[] = [];
    const inputsOf = (v: VersionRecord) => {
      try {
        const loaded = this.load(v.text, v.file, {});
        return new Map(loaded.inputs.map((i) => [pathToString(i.path), { value: i.value, source: i.citation?.source ?? null, assumption: i.citation?.assumption ?? null }]));
      } catch (error) {
        if (!(error instanceof ModelError)) throw error;
        problems.push(`version ${v.version} no longer loads (${error.issues.length} issue${error.issues.length === 1 ? "" : "s"}); its inputs are not compared`);
        return null;
      }
    };
    const before = inputsOf(a);
    const after = inputsOf(b);
    const inputs: VersionDiff["inputs"] = [];
    if (before && after) {
      for (const [path, x] of before) {
        const y = after.get(path);
        if (!y) inputs.push({ path, change: "removed", before: x, after: null });
        else if (!Object.is(x.value, y.value)) inputs.push({ path, change: "changed", before: x, after: y });
        else if (x.source !== y.source || x.assumption !== y.assumption) inputs.push({ path, change: "citation", before: x, after: y });
      }
      for (const [path, y] of after) if (!before.has(path)) inputs.push({ path, change: "added", before: null, after: y });
    }
    return { modelId: id, from, to, patch, lines: { added, removed }, inputs, problems };
  }

  /** Runs a non-job command through the run cache. */
  async execute(name: CommandName, body: { model?: ModelSource; runs?: { model: ModelSource; scenario?: string; label?: string }[]; options?: unknown }, cacheable = true): Promise<{ json: string | Buffer; cached: boolean; key: string; notices: Notice[] }> {
    const spec = COMMANDS[name];
    const options = spec.options.parse(body.options ?? {});
    const notices: Notice[] = [];
    const context = { load: this.load, onNotice: (n: Notice) => notices.push(n) };
    if (spec.input === "runs") {
      const runs: (LabelledRun & { hash: string })[] = [];
      for (const r of body.runs ?? []) {
        const m = await this.resolve(r.model);
        const name = m.modelId ?? m.file;
        runs.push({ label: r.label ?? (r.scenario ? `${name}:${r.scenario}` : name), model: { text: m.text, file: m.file }, scenario: r.scenario ?? null, hash: m.hash });
      }
      const key = runKey(name, runs.map((r) => ({ hash: r.hash, file: r.model.file!, scenario: r.scenario, label: r.label })), options);
      return this.cached(key, name, runs[0]?.hash ?? "", options, cacheable, notices, () => spec.run(runs.map(({ hash, ...run }) => (void hash, run)), options as never, context));
    }
    const m = await this.reference(body.model!);
    const key = runKey(name, [{ hash: m.hash, file: m.file }], options);
    return this.cached(key, name, m.hash, options, cacheable, notices, async () => spec.run({ text: await m.text(), file: m.file }, options as never, context));
  }

  private async cached(key: string, command: string, hash: string, options: unknown, cacheable: boolean, notices: Notice[], compute: () => unknown): Promise<{ json: string | Buffer; cached: boolean; key: string; notices: Notice[] }> {
    if (cacheable) {
      const remembered = this.memo.get(key);
      if (remembered !== undefined) return { json: remembered, cached: true, key, notices };
      const hit = await this.store.getRun(key);
      if (hit) {
        this.memo.set(key, hit.result);
        return { json: hit.result, cached: true, key, notices };
      }
    }
    const started = performance.now();
    const json = JSON.stringify(await compute());
    // Runs are deterministic: a result computed again need not be stored again.
    if (!cacheable && this.memo.get(key) !== undefined) return { json, cached: false, key, notices };
    this.memo.set(key, json);
    await this.store.putRun({ key, command, contentHash: hash, options: canonicalJson(options), result: json, createdAt: new Date().toISOString(), elapsedMs: performance.now() - started });
    return { json, cached: false, key, notices };
  }

  /** Models with their horizon and base-case headline figures (from the run cache). */
  async summaries(deleted: "exclude" | "include" | "only" = "exclude"): Promise<ModelSummary[]> {
    const models = await this.store.listModels({ deleted });
    const out: ModelSummary[] = [];
    for (const model of models) {
      const summary: ModelSummary = { ...model, company: null, currency: null, unit: null, start: null, end: null, scenarios: [], headline: null, problem: null };
      try {
        const v = (await this.store.getVersion(model.id, model.latestVersion))!;
        const { json } = await this.execute("run", { model: { text: v.text, file: v.file } });
        const run = JSON.parse(json.toString()) as ModelRunResult;
        const loaded = this.load(v.text, v.file, {});
        const m = run.metrics;
        Object.assign(summary, {
          company: run.model,
          currency: run.currency,
          unit: run.unit,
          start: run.months[0]?.period ?? null,
          end: run.months[run.months.length - 1]?.period ?? null,
          scenarios: Object.keys(loaded.model.scenarios),
          headline: { cashOut: m.cashOut, runwayMonths: m.runwayMonths, runwayBeyondHorizon: m.runwayBeyondHorizon, fundingGap: m.fundingGap, minCash: m.minCash, breakeven: m.breakeven, firstPositiveFreeCashFlow: m.firstPositiveFreeCashFlow },
        });
      } catch (error) {
        summary.problem = error instanceof Error ? error.message.split("\n")[0] : String(error);
      }
      out.push(summary);
    }
    return out;
  }

  notFound(what: string): ApiError {
    return notFound(what);
  }
}
