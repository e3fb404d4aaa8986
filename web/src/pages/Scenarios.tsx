import { useMemo, useState } from "preact/hooks";
import { evaluation, evaluateScenario, scenarioNames } from "../store.js";
import { t, num, month, unitWords, int } from "../i18n.js";
import { Chart } from "../charts/Chart.js";
import { scenarioOverlay } from "../charts/options.js";
import { StaleBanner } from "../components.js";
import type { ModelRunResult, PeriodRow } from "../../../src/browser.js";

const ITEMS = ["endingCash", "revenue", "netIncome", "freeCashFlow", "debt"] as const;

function monthsBetween(a: string | null, b: string | null): number | null {
  if (!a || !b) return null;
  const [ya, ma] = a.split("-").map(Number);
  const [yb, mb] = b.split("-").map(Number);
  return (yb - ya) * 12 + (mb - ma);
}

export function ScenariosPage() {
  const e = evaluation.value!;
  const names = scenarioNames();
  const [picked, setPicked] = useState<string[]>(names.slice(0, 3));
  const [item, setItem] = useState<(typeof ITEMS)[number]>("endingCash");
  const unit = unitWords(e.result);
  const results = useMemo(() => {
    const base = evaluateScenario(null);
    const out: { name: string; key: string | null; result: ModelRunResult }[] = base ? [{ name: t("common:words.base"), key: null, result: base }] : [];
    for (const n of picked) {
      const r = evaluateScenario(n);
      if (r) out.push({ name: n, key: n, result: r });
    }
    return out;
  }, [picked, e]);
  const overlay = useMemo(() => scenarioOverlay(results, item as keyof PeriodRow, "month", unit), [results, item]);
  const base = results[0]?.result;
  const description = (n: string) => e.loaded.model.scenarios[n]?.description;

  const rows: { label: string; value: (r: ModelRunResult) => number | string | null; kind: "amount" | "month" | "months" | "ratio" | "count" }[] = [
    { label: t("common:metrics.cashOut"), value: (r) => r.metrics.cashOut, kind: "month" },
    { label: t("common:metrics.runwayMonths"), value: (r) => r.metrics.runwayMonths, kind: "months" },
    { label: t("common:metrics.minCash"), value: (r) => r.metrics.minCash, kind: "amount" },
    { label: t("common:metrics.fundingGap"), value: (r) => r.metrics.fundingGap, kind: "amount" },
    { label: t("overview.breakevenShort"), value: (r) => r.metrics.breakeven, kind: "month" },
    { label: t("overview.fcfShort"), value: (r) => r.metrics.firstPositiveFreeCashFlow, kind: "month" },
    { label: t("common:metrics.cumulativeBurn"), value: (r) => r.metrics.cumulativeBurn, kind: "amount" },
    { label: t("common:metrics.minDscr"), value: (r) => r.metrics.minDscr, kind: "ratio" },
    { label: t("common:metrics.covenantBreaches"), value: (r) => r.metrics.covenantBreaches.length, kind: "count" },
  ];
  const show = (v: number | string | null, kind: string) => (v === null ? (kind === "month" ? t("overview.never") : "–") : kind === "month" ? month(v as string) : kind === "ratio" ? `${num(v as number, 2)}×` : kind === "months" || kind === "count" ? int(v as number) : num(v as number, 1));
  const delta = (v: number | string | null, b: number | string | null, kind: string) => {
    if (kind === "month") {
      const d = monthsBetween(b as string | null, v as string | null);
      return d === null ? (v === b ? "" : "≠") : d === 0 ? "" : t("scenarios.monthsDelta", { sign: d > 0 ? "+" : "−", n: int(Math.abs(d)) });
    }
    if (typeof v !== "number" || typeof b !== "number") return "";
    const d = v - b;
    if (Math.abs(d) < 1e-9) return "";
    return `${d > 0 ? "+" : "−"}${kind === "ratio" ? num(Math.abs(d), 2) : kind === "months" || kind === "count" ? int(Math.abs(d)) : num(Math.abs(d), 1)}`;
  };

  return (
    <>
      <StaleBanner />
      <h1>{t("scenarios.title", { company: e.result.model })}</h1>
      {names.length === 0 ? (
        <p class="muted">{t("scenarios.none")}</p>
      ) : (
        <fieldset class="card picks">
          <legend>{t("scenarios.pick")}</legend>
          {names.map((n) => (
            <label class="check">
              <input type="checkbox" checked={picked.includes(n)} onChange={(ev) => setPicked((ev.target as HTMLInputElement).checked ? [...picked, n] : picked.filter((p) => p !== n))} />
              <span><strong dir="ltr">{n}</strong>{description(n) && <span class="muted"> — <span dir="auto">{description(n)}</span></span>}</span>
            </label>
          ))}
        </fieldset>
      )}
      <Chart id="scenario-overlay" title={t("scenarios.overlay", { item: t(`common:items.${item}`) })} option={overlay.option} table={overlay.table}>
        <label class="inline">
          <span>{t("scenarios.item")}</span>
          <select value={item} onChange={(ev) => setItem((ev.target as HTMLSelectElement).value as typeof item)}>{ITEMS.map((i) => <option value={i}>{t(`common:items.${i}`)}</option>)}</select>
        </label>
      </Chart>
      {base && (
        <section class="card">
          <h2>{t("scenarios.sideBySide")}</h2>
          <p class="muted">{t("scenarios.deltaNote", { unit })}</p>
          <div class="table-wrap" role="region" tabIndex={0} aria-label={t("scenarios.sideBySide")}>
            <table class="compact" data-testid="scenario-table">
              <thead>
                <tr>
                  <th scope="col">{t("scenarios.metric")}</th>
                  {results.map((r) => <th scope="col" dir="auto">{r.name}</th>)}
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr>
                    <th scope="row">{row.label}</th>
                    {results.map((r, k) => {
                      const v = row.value(r.result);
                      const d = k === 0 ? "" : delta(v, row.value(base), row.kind);
                      return <td class="num">{show(v, row.kind)}{d && <div class="delta">{d}</div>}</td>;
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </>
  );
}
