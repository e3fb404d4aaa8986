import { loadModelText, loadModelSource, type LoadOptions, type LoadedModel } from "../model/load.js";
import { parseSourceText, type SourceText } from "../model/source.js";
// Registers the engine's extensions (GPU sites, pricing, contracts, …) on import.
import "../gpu/index.js";
import type { CommandContext, ModelText } from "./context.js";

export const DEFAULT_FILE_NAME = "<model>";

/** Loads a command's model through the context's loader (or directly). */
export function loadFor(model: ModelText, options: LoadOptions, context: CommandContext): LoadedModel {
  const file = model.file ?? DEFAULT_FILE_NAME;
  return context.load ? context.load(model.text, file, options) : loadModelText(model.text, file, options);
}

/** `{ scenario }` without an undefined key (load options compare by value in caches). */
export function scenarioOption(scenario: string | undefined | null): LoadOptions {
  return scenario === undefined || scenario === null ? {} : { scenario };
}

export interface ModelLoaderOptions {
  /** Texts kept (least recently used dropped first); default 32. */
  maxEntries?: number;
  /** Cache key of a text and file name (a server passes a content hash); default the text itself. */
  key?: (text: string, file: string) => string;
}

/**
 * A loader that parses each text once and keeps the loaded model per scenario. Loaded
 * models are read-only to the commands (each compiles its own), so they can be shared.
 */
export function createModelLoader(options: ModelLoaderOptions = {}): (text: string, file: string, load: LoadOptions) => LoadedModel {
  const max = options.maxEntries ?? 32;
  const key = options.key ?? ((text: string, file: string) => `${file}\u0000${text}`);
  const entries = new Map<string, { source: SourceText; loaded: Map<string, LoadedModel> }>();
  return (text, file, load) => {
    const k = key(text, file);
    let entry = entries.get(k);
    if (entry) {
      entries.delete(k);
      entries.set(k, entry);
    } else {
      entry = { source: parseSourceText(text, file), loaded: new Map() };
      entries.set(k, entry);
      while (entries.size > max) entries.delete(entries.keys().next().value!);
    }
    const scenario = load.scenario ?? "\u0000base";
    let loaded = entry.loaded.get(scenario);
    if (!loaded) {
      loaded = loadModelSource(entry.source, load);
      entry.loaded.set(scenario, loaded);
    }
    return loaded;
  };
}
