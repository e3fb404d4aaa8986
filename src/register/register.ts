import { parseSourceText, type SourceText } from "../model/source.js";
import { fromZodIssues } from "../model/zodIssues.js";
import { ModelError, type IssuePath, type ModelIssue, type SourcePosition } from "../model/issues.js";
import { didYouMean } from "../model/suggest.js";
import { registerFileSchema, type RegisterEntryData } from "./schema.js";

/** One entry of a source register, with where it is written. */
export interface RegisterEntry extends RegisterEntryData {
  id: string;
  position: SourcePosition | undefined;
}

/** A parsed, validated source register. */
export interface SourceRegister {
  /** The register file as given (relative to where it was read from). */
  file: string;
  title: string | null;
  entries: Map<string, RegisterEntry>;
}

type Issue = Omit<ModelIssue, "position">;

/**
 * Parses a register (YAML or JSON). Throws ModelError with every problem, positioned
 * in the register file: shapes, derived entries without `derivedFrom` or with unknown
 * ones, published entries without publisher, address or date.
 */
export function parseRegister(text: string, file: string): SourceRegister {
  const source = parseSourceText(text, file);
  return registerFromSource(source);
}

export function registerFromSource(source: SourceText): SourceRegister {
  const parsed = registerFileSchema.safeParse(source.data, { reportInput: true });
  const position = (issue: Issue): ModelIssue => {
    const keyProblem = issue.code === "unknown_key" || issue.code === "missing_key" || issue.code === "invalid_key";
    return { ...issue, position: keyProblem ? source.keyPosition(issue.path) : source.valuePosition(issue.path) };
  };
  if (!parsed.success) throw new ModelError(fromZodIssues(registerFileSchema, parsed.error.issues, source.data).map(position));
  const issues: Issue[] = [];
  const ids = Object.keys(parsed.data.entries);
  for (const [id, entry] of Object.entries(parsed.data.entries)) {
    const path: IssuePath = ["entries", id];
    if (entry.confidence === "derived" && entry.derivedFrom.length === 0) {
      issues.push({ code: "derived_without_inputs", path: [...path, "derivedFrom"], severity: "error", message: `${id} is derived: list the entries its arithmetic uses in derivedFrom` });
    }
    entry.derivedFrom.forEach((other, i) => {
      if (ids.includes(other)) return;
      const s = didYouMean(other, ids);
      issues.push({ code: "unknown_register_id", path: [...path, "derivedFrom", i], severity: "error", message: `${id} is derived from ${other}, which is not in the register${s ? ` — did you mean ${s}?` : ""}`, params: { id: other, suggestion: s } });
    });
    if (entry.confidence !== "derived" && entry.confidence !== "seed") {
      // A date is given wherever the page carries one; some pages (blogs, FAQs) are undated.
      const missing = (["publisher", "address"] as const).filter((k) => entry[k] === undefined);
      if (missing.length && entry.confidence !== "unconfirmed") issues.push({ code: "unfollowable_entry", path, severity: "error", message: `${id} has no ${missing.join(" or ")}: a reader must be able to find what was read (publisher, address and date where there is one); mark it derived (with derivedFrom) if it is our arithmetic` });
    }
    if (entry.confidence === "seed" && entry.derivedFrom.length === 0 && !entry.note) {
      issues.push({ code: "seed_without_origin", path, severity: "error", message: `${id} is a seed figure: say in derivedFrom (or note) which published sources it traces to` });
    }
  }
  if (issues.length) throw new ModelError(issues.map(position));
  const entries = new Map<string, RegisterEntry>();
  for (const [id, entry] of Object.entries(parsed.data.entries)) entries.set(id, { ...entry, id, position: source.keyPosition(["entries", id]) });
  return { file: source.file, title: parsed.data.title ?? null, entries };
}

/** Where a reader finds an entry: "publisher, address, date", or the entries it is derived from. */
export function entryAddressText(entry: RegisterEntry): string {
  if (entry.confidence === "derived") return `derived from ${entry.derivedFrom.join(", ")}`;
  return [entry.publisher, entry.address, entry.date].filter(Boolean).join(", ");
}
