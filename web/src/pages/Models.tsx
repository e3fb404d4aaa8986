import { useEffect, useState } from "preact/hooks";
import { runModelText, type ModelRunResult } from "../../../src/browser.js";
import { api } from "../api.js";
import { models, modelsError } from "../store.js";
import { t, num, month, dateTime, unitWords, int } from "../i18n.js";
import { href } from "../router.js";

interface Headline {
  result: ModelRunResult | null;
  start: string;
  end: string;
  error?: string;
}

const cache = new Map<string, { version: unknown; headline: Headline }>();

export function ModelsPage() {
  const list = models.value;
  const [headlines, setHeadlines] = useState<Record<string, Headline>>({});
  useEffect(() => {
    if (!list) return;
    let cancelled = false;
    (async () => {
      for (const m of list) {
        const key = m.id;
        const cached = cache.get(key);
        if (cached && cached.version === m.version) {
          setHeadlines((h) => ({ ...h, [key]: cached.headline }));
          continue;
        }
        try {
          const doc = await api.getModel(m.id);
          const result = runModelText(doc.text, doc.name ?? m.id);
          const headline = { result, start: result.months[0].period, end: result.months[result.months.length - 1].period };
          cache.set(key, { version: m.version, headline });
          if (!cancelled) setHeadlines((h) => ({ ...h, [key]: headline }));
        } catch (error) {
          if (!cancelled) setHeadlines((h) => ({ ...h, [key]: { result: null, start: "", end: "", error: (error as Error).message } }));
        }
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [list]);

  return (
    <>
      <h1>{t("models.title")}</h1>
      <p class="lede">{t("models.lede")}</p>
      {modelsError.value && <div class="banner error" role="alert">{t("models.unreachable")} ({modelsError.value})</div>}
      {!list && !modelsError.value && <p role="status">{t("loading")}</p>}
      {list && (
        <div class="table-wrap" role="region" aria-label={t("models.title")} tabIndex={0}>
          <table class="models" data-testid="models-table">
            <thead>
              <tr>
                <th scope="col">{t("models.company")}</th>
                <th scope="col">{t("models.horizon")}</th>
                <th scope="col">{t("models.lastSaved")}</th>
                <th scope="col">{t("common:metrics.runwayMonths")}</th>
                <th scope="col">{t("common:metrics.fundingGap")}</th>
                <th scope="col">{t("models.breakeven")}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((m) => {
                const h = headlines[m.id];
                const r = h?.result;
                return (
                  <tr>
                    <th scope="row">
                      <a href={href("overview", m.id)}>{r?.model ?? m.company ?? m.name}</a>
                      <div class="muted small" dir="ltr">{m.name}</div>
                    </th>
                    <td>{h && r ? `${month(h.start)} – ${month(h.end)} (${int(r.months.length)} ${t("models.monthsShort")})` : h?.error ? <span class="bad">{t("models.doesNotLoad")}</span> : "…"}</td>
                    <td>{dateTime(m.updatedAt as string | undefined)}{m.version !== undefined && <div class="muted small">{t("models.version", { v: int(Number(m.version)) })}</div>}</td>
                    <td class="num">{r ? (r.metrics.runwayBeyondHorizon ? t("overview.runwayBeyondShort", { n: int(r.metrics.runwayMonths) }) : t("overview.monthsN", { n: int(r.metrics.runwayMonths) })) : "…"}</td>
                    <td class="num">{r ? `${num(r.metrics.fundingGap, 0)} ${unitWords(r)}` : "…"}</td>
                    <td>{r ? (r.metrics.breakeven ? month(r.metrics.breakeven) : t("common:words.notWithinHorizon")) : "…"}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <section class="card next">
        <h2>{t("models.nextTitle")}</h2>
        <ol>
          <li>{t("models.next1")}</li>
          <li>{t("models.next2")}</li>
          <li>{t("models.next3")}</li>
        </ol>
      </section>
    </>
  );
}
