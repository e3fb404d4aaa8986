import type { Lang } from "./index.js";

/** Western (0-9) or Arabic-Indic (٠-٩) digits; the user chooses for Arabic. */
export type DigitStyle = "latn" | "arab";

export interface NumberFormatOptions {
  lang: Lang;
  digits?: DigitStyle;
  decimals?: number;
  /** Negatives in parentheses, as in financial statements (default true). */
  parentheses?: boolean;
  percent?: boolean;
}

function locale(lang: Lang, digits: DigitStyle | undefined): string {
  if (lang === "ar") return `ar-u-nu-${digits ?? "arab"}`;
  return `en-US-u-nu-${digits ?? "latn"}`;
}

/**
 * A number for a reader in their language, with Intl: grouping, decimals, digits.
 * Null, NaN and infinities come back as a dash (they mean "not defined" in results).
 */
export function formatNumberLocale(value: number | null | undefined, options: NumberFormatOptions): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  const decimals = options.decimals ?? 1;
  const scaled = options.percent ? value * 100 : value;
  const text = new Intl.NumberFormat(locale(options.lang, options.digits), { minimumFractionDigits: decimals, maximumFractionDigits: decimals, useGrouping: true }).format(Math.abs(scaled));
  const negative = scaled < 0 && Number(Math.abs(scaled).toFixed(decimals)) !== 0;
  const body = options.percent ? `${text}${options.lang === "ar" ? "٪" : "%"}` : text;
  if (!negative) return body;
  return options.parentheses === false ? `-${body}` : `(${body})`;
}

/** A month `YYYY-MM` as the reader's locale writes it (e.g. "May 2026", "مايو ٢٠٢٦"). */
export function formatMonthLocale(month: string, lang: Lang, digits?: DigitStyle): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) return month;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
  return new Intl.DateTimeFormat(locale(lang, digits), { year: "numeric", month: "long", timeZone: "UTC" }).format(date);
}
