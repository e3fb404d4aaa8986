import type { ModelIssue } from "../model/issues.js";
import type { LoadOptions, LoadedModel } from "../model/load.js";
import type { SourceRegister } from "../register/register.js";

/** A model file's text and the name it is reported under (positions read `file:line:col`). */
export interface ModelText {
  text: string;
  /** Shown in positions and reports; default "<model>". Never opened: commands do not touch the file system. */
  file?: string;
}

/**
 * What a command reports besides its result: the CLI prints these on stderr, the server
 * can log them or return them beside the result. Issues keep their position and code.
 */
export type Notice = { kind: "issue"; issue: ModelIssue } | { kind: "warning"; message: string } | { kind: "note"; message: string };

/** How far a long-running command is: paths simulated, or trials of a goal seek (total unknown). */
export interface Progress {
  done: number;
  total: number | null;
  unit: "paths" | "trials";
}

export interface CommandContext {
  /** Receives warnings and notes as they arise, in the order the CLI prints them. */
  onNotice?: (notice: Notice) => void;
  /** Stops a long-running command early; it then returns what it has, marked partial. */
  signal?: AbortSignal;
  /** Called between blocks of work by long-running commands. */
  onProgress?: (progress: Progress) => void;
  /**
   * Loads model text (default: parse and validate it each time). A server passes a
   * memoizing loader, keyed by the text's hash, so that a stored model is parsed once.
   */
  load?: (text: string, file: string, options: LoadOptions) => LoadedModel;
  /**
   * Resolves the source register a model names (`register: PATH`): the CLI reads it from disk
   * beside the model file, a server from its store. Without it, citations are not resolved
   * (and `check --strict` reports that the model's register could not be read).
   */
  register?: (loaded: LoadedModel) => SourceRegister | null;
}
