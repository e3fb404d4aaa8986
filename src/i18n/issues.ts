import type { Translator } from "./index.js";

/**
 * Engine issues resolved in the reader's language. An issue is data — a code, a path and
 * parameters — and its English message is written where it is found; every other language
 * reads a template per code from the `issues` namespace (`locales/<lang>/issues.json`),
 * filled with the issue's parameters. A template may have variants (`horizon_both`), chosen
 * by `params.variant`, or `_suggest` when the issue carries a "did you mean" suggestion.
 */
export interface TranslatableIssue {
  code: string;
  message: string;
  params?: Record<string, unknown>;
}

export interface IssueFormatters {
  number?: (value: number) => string;
  /** Applied to identifiers and months written in the model (digits only). */
  digits?: (text: string) => string;
}

/** Codes built at run time from a prefix and another module's code (see uncertainty/spec.ts). */
export const ISSUE_CODE_PREFIXES = ["distribution_", "correlation_"] as const;

/** Parameters whose values are words of the format (types, line types), translated too. */
const WORD_PARAMS = new Set(["expectedType", "lineType"]);

/** First-strong isolation: a name or number written left to right stays whole inside Arabic text. */
const isolate = (text: string) => `\u2068${text}\u2069`;

export function issueMessage(issue: TranslatableIssue, translator: Translator, formatters: IssueFormatters = {}): string {
  const key = `issues:${issue.code}`;
  if (translator.lang === "en" || !translator.has(key)) return issue.message;
  const raw = issue.params ?? {};
  const params: Record<string, unknown> = {};
  const list = (items: unknown[]) => items.map((v) => format(v)).join(translator.lang === "ar" ? "، " : ", ");
  const format = (value: unknown): string => {
    if (typeof value === "number") return isolate(formatters.number ? formatters.number(value) : String(value));
    if (Array.isArray(value)) return list(value);
    if (value === null || value === undefined) return "";
    const text = String(value);
    return isolate(/^\d{4}(-\d{2})?$/.test(text) && formatters.digits ? formatters.digits(text) : text);
  };
  for (const [name, value] of Object.entries(raw)) {
    if (name === "variant") continue;
    if (WORD_PARAMS.has(name) && typeof value === "string" && translator.has(`issues:words.${value}`)) params[name] = translator.t(`issues:words.${value}`);
    else params[name] = format(value);
  }
  const variant = typeof raw.variant === "string" ? raw.variant : raw.suggestion ? "suggest" : undefined;
  const variantKey = variant ? `${key}_${variant}` : null;
  const text = translator.t(variantKey && translator.has(variantKey) ? variantKey : key, params);
  // A template whose parameters the issue does not carry would show holes: the engine's
  // own (English) message is more use to the reader than a sentence with gaps.
  return /\{\{\w+\}\}/.test(text) ? issue.message : text;
}
