/**
 * Translations for everything a person reads: the dashboard, the report, metric and line
 * names, and (resolved late from their codes and parameters) the engine's issue messages.
 * Texts live in `locales/<lang>/<namespace>.json`, files a translator edits without
 * touching code; a test fails when a key exists in one language and not the other.
 * Runs in the browser as well as in Node (no file system access: the JSON is imported).
 */
import i18next, { type i18n, type TOptions } from "i18next";
import enCommon from "./locales/en/common.json" with { type: "json" };
import arCommon from "./locales/ar/common.json" with { type: "json" };
import enUi from "./locales/en/ui.json" with { type: "json" };
import arUi from "./locales/ar/ui.json" with { type: "json" };
import enIssues from "./locales/en/issues.json" with { type: "json" };
import arIssues from "./locales/ar/issues.json" with { type: "json" };
import enReport from "./locales/en/report.json" with { type: "json" };
import arReport from "./locales/ar/report.json" with { type: "json" };

export const LANGUAGES = ["en", "ar"] as const;
export type Lang = (typeof LANGUAGES)[number];

/** Namespaces, one file per language each. Add a namespace here and in both folders. */
export const RESOURCES = {
  en: { common: enCommon, ui: enUi, issues: enIssues, report: enReport },
  ar: { common: arCommon, ui: arUi, issues: arIssues, report: arReport },
} as const;

export type Namespace = keyof (typeof RESOURCES)["en"];

export interface Translator {
  lang: Lang;
  /** Text direction of the language, for `dir=` on a page. */
  dir: "ltr" | "rtl";
  /** `t("common:items.revenue")`, `t("metrics.fundingGap")` (common is the default namespace). */
  t(key: string, params?: Record<string, unknown>): string;
  /** True when the key exists in this language. */
  has(key: string): boolean;
}

export function isLang(value: unknown): value is Lang {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}

/** A translator for one language; instances are independent (no global state). */
export function createTranslator(lang: Lang, resources: Record<string, Record<string, unknown>> = RESOURCES as unknown as Record<string, Record<string, unknown>>): Translator {
  const instance: i18n = i18next.createInstance();
  void instance.init({
    lng: lang,
    fallbackLng: false,
    resources: resources as never,
    ns: Object.keys(resources[lang] ?? resources.en),
    defaultNS: "common",
    initAsync: false,
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return {
    lang,
    dir: lang === "ar" ? "rtl" : "ltr",
    t: (key, params) => instance.t(key, params as TOptions) as string,
    has: (key) => instance.exists(key),
  };
}

export { formatNumberLocale, formatMonthLocale, type DigitStyle, type NumberFormatOptions } from "./format.js";
