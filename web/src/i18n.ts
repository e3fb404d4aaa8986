import { signal, computed } from "@preact/signals";
import { createTranslator, formatNumberLocale, formatMonthLocale, isLang, issueMessage, type Lang, type DigitStyle, type Translator } from "../../src/browser.js";

/** The reader's choices, remembered in localStorage. */
const stored = (key: string): string | null => {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
};
const remember = (key: string, value: string) => {
  try {
    localStorage.setItem(key, value);
  } catch {
    /* private mode: the choice lasts for the page */
  }
};

const initialLang = stored("burnrate.lang");
export const lang = signal<Lang>(isLang(initialLang) ? initialLang : "en");
const initialDigits = stored("burnrate.digits");
export const digits = signal<DigitStyle>(initialDigits === "latn" || initialDigits === "arab" ? initialDigits : "arab");

const translators: Partial<Record<Lang, Translator>> = {};
export const translator = computed(() => (translators[lang.value] ??= createTranslator(lang.value)));

export function setLang(next: Lang): void {
  lang.value = next;
  remember("burnrate.lang", next);
}
export function setDigits(next: DigitStyle): void {
  digits.value = next;
  remember("burnrate.digits", next);
}

/** The digits in use: Arabic-Indic only where the reader reads Arabic and chose them. */
export const digitStyle = computed<DigitStyle>(() => (lang.value === "ar" ? digits.value : "latn"));

/** A UI text (`ui:` namespace by default; `common:` keys pass through). */
export function t(key: string, params?: Record<string, unknown>): string {
  const full = key.includes(":") ? key : `ui:${key}`;
  return translator.value.t(full, params);
}

export function num(value: number | null | undefined, decimals = 1, options: { percent?: boolean; parentheses?: boolean } = {}): string {
  return formatNumberLocale(value, { lang: lang.value, digits: digitStyle.value, decimals, ...options });
}
export function pct(value: number | null | undefined, decimals = 1): string {
  return num(value, decimals, { percent: true, parentheses: false });
}
export function int(value: number | null | undefined): string {
  return num(value, 0, { parentheses: false });
}
export function month(value: string | null | undefined): string {
  if (!value) return "–";
  return formatMonthLocale(value, lang.value, digitStyle.value);
}
/** A fiscal period label: YYYY-MM, YYYY-Qn or YYYY, in the reader's digits. */
export function period(label: string): string {
  if (/^\d{4}-\d{2}$/.test(label)) {
    const [y, m] = label.split("-").map(Number);
    return new Intl.DateTimeFormat(localeTag(), { year: "numeric", month: "short", timeZone: "UTC" }).format(new Date(Date.UTC(y, m - 1, 1)));
  }
  const q = /^(\d{4})-Q(\d)$/.exec(label);
  if (q) return t("periods.quarter", { year: digitsOf(q[1]), quarter: digitsOf(q[2]) });
  return digitsOf(label);
}
export function localeTag(): string {
  return lang.value === "ar" ? `ar-u-nu-${digitStyle.value}` : "en-US";
}
/** Replaces Western digits by the reader's digits (for identifiers such as years). */
export function digitsOf(text: string): string {
  if (digitStyle.value !== "arab") return text;
  return text.replace(/[0-9]/g, (d) => "٠١٢٣٤٥٦٧٨٩"[Number(d)]);
}
export function dateTime(iso: string | number | null | undefined): string {
  if (iso === null || iso === undefined) return "–";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return new Intl.DateTimeFormat(localeTag(), { dateStyle: "medium", timeStyle: "short" }).format(d);
}
/** The model's unit as words: "USD millions". */
export function unitWords(result: { currency: string; unit: string }): string {
  return t(`common:units.${result.unit}`, { currency: result.currency });
}
export function monthsWord(count: number): string {
  return t("common:units.months", { count, formattedCount: int(count) }).replace(String(count), int(count));
}

/** An engine issue's message in the reader's language (templates in the `issues` namespace). */
export function issueText(issue: { code: string; message: string; params?: Record<string, unknown> }): string {
  return issueMessage(issue, translator.value, { number: (v) => num(v, Number.isInteger(v) ? 0 : 2, { parentheses: false }), digits: digitsOf });
}
