/**
 * A job's worker thread: runs one long command (simulate, sensitivity, solve) on model
 * text and posts progress, then the result as JSON text (serialized here, off the
 * server's thread). A stop request arrives as a flag in shared memory, read between
 * blocks of work: the command then returns what it has, marked partial.
 */
import { parentPort, workerData } from "node:worker_threads";
import { COMMANDS, type CommandName, type ModelCommandSpec, type Notice, type Progress } from "../commands/index.js";
import { ModelError, UsageError, EngineError } from "../model/issues.js";
import { issueJson } from "../commands/issues.js";

export interface JobWorkerData {
  command: CommandName;
  model: { text: string; file: string };
  options: Record<string, unknown>;
  /** Int32Array over it: [0] = 1 asks the job to stop. */
  stop: SharedArrayBuffer;
  /** Milliseconds between progress messages. */
  progressIntervalMs: number;
}

export type JobWorkerMessage =
  | { type: "progress"; progress: Progress }
  | { type: "notice"; notice: Notice }
  | { type: "done"; result: string; partial: boolean }
  | { type: "error"; error: { code: string; message: string; issues?: unknown[]; unexpected?: boolean; stack?: string } };

function isPartial(result: unknown): boolean {
  const r = result as { partial?: boolean; global?: { partial?: boolean } | null } | null;
  return Boolean(r && (r.partial === true || r.global?.partial === true));
}

function describeError(error: unknown): Extract<JobWorkerMessage, { type: "error" }>["error"] {
  if (error instanceof ModelError) return { code: "invalid_model", message: error.message.split("\n")[0], issues: error.issues.map(issueJson) };
  if (error instanceof UsageError || error instanceof EngineError) return { code: error.code, message: error.message };
  const e = error as Error;
  return { code: "internal", message: e?.message ?? String(error), unexpected: true, stack: e?.stack };
}

async function main(): Promise<void> {
  const data = workerData as JobWorkerData;
  const post = (message: JobWorkerMessage) => parentPort!.postMessage(message);
  const stop = new Int32Array(data.stop);
  const controller = new AbortController();
  let last = 0;
  const spec = COMMANDS[data.command] as ModelCommandSpec;
  try {
    const result = await (spec.run as (m: unknown, o: unknown, c: unknown) => unknown)(data.model, data.options, {
      signal: controller.signal,
      onNotice: (notice: Notice) => post({ type: "notice", notice }),
      onProgress: (progress: Progress) => {
        if (Atomics.load(stop, 0) !== 0) controller.abort();
        const now = Date.now();
        if (now - last >= data.progressIntervalMs || progress.done === progress.total) {
          last = now;
          post({ type: "progress", progress });
        }
      },
    });
    post({ type: "done", result: JSON.stringify(result), partial: isPartial(result) });
  } catch (error) {
    post({ type: "error", error: describeError(error) });
  }
}

void main();
