import { describe, it, expect } from "vitest";
import { RESOURCES, LANGUAGES, createTranslator, formatNumberLocale, formatMonthLocale } from "./index.js";

/** Keys with plural suffixes stripped: Arabic has six plural forms where English has two. */
function keys(node: unknown, prefix = ""): Set<string> {
  const out = new Set<string>();
  if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      const name = prefix ? `${prefix}.${k}` : k;
      if (v && typeof v === "object") for (const x of keys(v, name)) out.add(x);
      else out.add(name.replace(/_(zero|one|two|few|many|other)$/, ""));
    }
  }
  return out;
}

describe("translations", () => {
  for (const ns of Object.keys(RESOURCES.en)) {
    it(`namespace "${ns}" has the same keys in every language`, () => {
      const reference = keys((RESOURCES.en as Record<string, unknown>)[ns]);
      for (const lang of LANGUAGES) {
        const have = keys((RESOURCES[lang] as Record<string, unknown>)[ns]);
        const missing = [...reference].filter((k) => !have.has(k));
        const extra = [...have].filter((k) => !reference.has(k));
        expect({ lang, ns, missing, extra }).toEqual({ lang, ns, missing: [], extra: [] });
      }
    });
  }

  it("every text is non-empty and keeps the same {{placeholders}} in every language", () => {
    const flat = (node: unknown, prefix = "", out = new Map<string, string>()) => {
      if (node && typeof node === "object") for (const [k, v] of Object.entries(node)) flat(v, prefix ? `${prefix}.${k}` : k, out);
      else out.set(prefix, String(node));
      return out;
    };
    for (const ns of Object.keys(RESOURCES.en)) {
      const en = flat((RESOURCES.en as Record<string, unknown>)[ns]);
      const ar = flat((RESOURCES.ar as Record<string, unknown>)[ns]);
      const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
      for (const [key, text] of ar) {
        expect(text.trim().length, `${ns}:${key}`).toBeGreaterThan(0);
        const base = key.replace(/_(zero|one|two|few|many|other)$/, "");
        const english = en.get(key) ?? en.get(`${base}_other`) ?? en.get(base);
        if (english === undefined) continue;
        // A plural form may spell out its number ("شهران") instead of using {{count}}.
        const need = placeholders(english).filter((p) => p !== "count");
        for (const p of need) expect(placeholders(text), `${ns}:${key} keeps {{${p}}}`).toContain(p);
      }
    }
  });

  it("resolves texts and plurals in each language", () => {
    expect(createTranslator("en").t("items.revenue")).toBe("Revenue");
    expect(createTranslator("ar").t("items.revenue")).toBe("الإيرادات");
    expect(createTranslator("en").t("units.months", { count: 15 })).toBe("15 months");
    expect(createTranslator("ar").t("units.months", { count: 2 })).toBe("شهران");
    expect(createTranslator("ar").dir).toBe("rtl");
  });

  it("formats numbers and months for the reader's locale and digits", () => {
    expect(formatNumberLocale(-5696.94, { lang: "en" })).toBe("(5,696.9)");
    expect(formatNumberLocale(1234.5, { lang: "ar", digits: "latn" })).toBe("1,234.5");
    expect(formatNumberLocale(1234.5, { lang: "ar", digits: "arab" })).toMatch(/^[٠-٩٬٫]+$/);
    expect(formatNumberLocale(0.942, { lang: "en", percent: true })).toBe("94.2%");
    expect(formatNumberLocale(NaN, { lang: "en" })).toBe("–");
    expect(formatMonthLocale("2026-05", "en")).toBe("May 2026");
    expect(formatMonthLocale("2026-05", "ar", "arab")).toContain("٢٠٢٦");
  });
});
