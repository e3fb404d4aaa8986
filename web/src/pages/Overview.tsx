import { evaluation, simulation, sensitivityReport, startJob } from "../store.js";
import { t, num, pct, month, unitWords, int } from "../i18n.js";
import { Fact, JobBar, CitationMark, StaleBanner } from "../components.js";
import { Chart } from "../charts/Chart.js";
import { useMemo, useState } from "preact/hooks";
import type { CitedValue } from "../../../src/browser.js";

export function caveatsOf(data: unknown): { text: string; source?: string }[] {
  const raw = data && typeof data === "object" ? (data as Record<string, unknown>).caveats : undefined;
  if (!Array.isArray(raw)) return [];
  return raw
    .map((c) => (typeof c === "string" ? { text: c } : c && typeof c === "object" ? { text: String((c as Record<string, unknown>).text ?? (c as Record<string, unknown>).caveat ?? ""), source: (c as Record<string, unknown>).source as string | undefined } : { text: "" }))
    .filter((c) => c.text);
}

export function citationFor(inputs: CitedValue[], path: string): CitedValue | undefined {
  return inputs.find((i) => i.path.join(".") === path);
}

export function SimulateControls() {
  const [paths, setPaths] = useState(10000);
  return (
    <JobBar kind="simulate" label={t("jobs.simulate")} onStart={() => void startJob("simulate", { paths, seed: 1 })}>
      <label class="inline">
        <span>{t("jobs.paths")}</span>
        <input type="number" min={100} max={1000000} step={1000} value={paths} onInput={(e) => setPaths(Number((e.target as HTMLInputElement).value))} style={{ width: "8em" }} />
      </label>
    </JobBar>
  );
}

export function OverviewPage() {
  const e = evaluation.value!;
  const r = e.result;
  const m = r.metrics;
  const unit = unitWords(r);
  const floor = e.loaded.model.meta.cashFloor;
  const sim = simulation.value;
  const sens = sensitivityReport.value;
  const caveats = caveatsOf(e.loaded.source.data);
  const first = r.months[0].period;
  const last = r.months[r.months.length - 1].period;
  const breaches = m.covenantBreaches;

  const gapChart = useMemo(() => {
    if (!sim) return null;
    const d = sim.metrics.fundingGap;
    const keys = ["p5", "p10", "p25", "p50", "p75", "p90", "p95"] as const;
    return {
      option: {
        grid: { left: 60, right: 20, top: 20, bottom: 40, containLabel: true },
        tooltip: { trigger: "axis", valueFormatter: (v: number) => num(v, 1) },
        xAxis: { type: "category", data: keys.map((k) => k) },
        yAxis: { type: "value", name: unit, axisLabel: { formatter: (v: number) => num(v, 0) } },
        series: [{ type: "bar", name: t("common:metrics.fundingGap"), data: keys.map((k) => d[k]), itemStyle: { color: "#c0501f" }, label: { show: true, position: "top", formatter: (p: { value: number }) => num(p.value, 0) } }],
      },
      table: { columns: [t("charts.percentile"), t("common:metrics.fundingGap")], rows: keys.map((k) => [k, d[k]]), format: (v: string | number | null, c: number) => (c === 0 ? String(v) : num(v as number, 1)) },
    };
  }, [sim]);

  const mostLikely = sim ? [...sim.cashOutMonth].sort((a, b) => b.probability - a.probability)[0] : null;

  return (
    <>
      <StaleBanner />
      <h1>{t("overview.title", { company: r.model })}</h1>
      <p class="lede">
        {t("overview.lede", { first: month(first), last: month(last), unit })}
        {r.scenario && ` ${t("overview.scenarioNote", { scenario: r.scenario })}`}
      </p>

      <section aria-labelledby="answers" class="answers">
        <h2 id="answers" class="sr-only">{t("overview.answers")}</h2>
        <div class="facts">
          <Fact
            testid="fact-runway"
            label={t("common:metrics.runwayMonths")}
            tone={m.cashOut ? "bad" : "good"}
            value={<span data-testid="runway-value">{m.runwayBeyondHorizon ? t("overview.runwayBeyondShort", { n: int(m.runwayMonths) }) : t("overview.monthsN", { n: int(m.runwayMonths) })}</span>}
            detail={m.cashOut ? t("overview.cashOutIn", { month: month(m.cashOut) }) : t("overview.cashLasts")}
          />
          <Fact
            testid="fact-gap"
            label={t("common:metrics.fundingGap")}
            tone={m.fundingGap > 0 ? "bad" : "good"}
            value={<span data-testid="gap-value">{num(m.fundingGap, 1)}</span>}
            detail={`${unit} · ${t("overview.gapDetail", { floor: num(floor, 0) })}`}
          />
          <Fact
            testid="fact-breakeven"
            label={t("overview.breakevenShort")}
            tone={m.breakeven ? "good" : "bad"}
            value={<span data-testid="breakeven-value" data-month={m.breakeven ?? ""}>{m.breakeven ? month(m.breakeven) : t("common:words.notWithinHorizon")}</span>}
            detail={t("overview.breakevenDetail")}
          />
          <Fact
            testid="fact-fcf"
            label={t("overview.fcfShort")}
            value={m.firstPositiveFreeCashFlow ? month(m.firstPositiveFreeCashFlow) : t("common:words.none")}
            detail={t("overview.cumulativeBurn", { amount: num(m.cumulativeBurn, 0), unit })}
          />
          <Fact
            testid="fact-dscr"
            label={t("common:metrics.minDscr")}
            tone={m.minDscr !== null && m.minDscr < 1 ? "bad" : "neutral"}
            value={m.minDscr === null ? t("overview.noDebtService") : <span dir="ltr">{num(m.minDscr, 2, { parentheses: false })}×</span>}
            detail={m.minDscrPeriod ? t("overview.inMonth", { month: month(m.minDscrPeriod) }) : undefined}
          />
          <Fact
            testid="fact-covenants"
            label={t("common:metrics.covenantBreaches")}
            tone={breaches.length ? "bad" : "good"}
            value={breaches.length ? int(breaches.length) : t("common:words.none")}
            detail={breaches.length ? t("overview.firstBreach", { covenant: breaches[0].covenant, month: month(breaches[0].period) }) : t("overview.noBreaches")}
          />
        </div>

        <div class="card prose" data-testid="overview-words">
          <h2>{t("overview.inWords")}</h2>
          <p>
            {m.cashOut
              ? t("overview.sCashOut", { company: r.model, month: month(m.cashOut), n: int(m.runwayMonths), min: num(m.minCash, 0), minMonth: month(m.minCashPeriod), unit })
              : t("overview.sCashLasts", { company: r.model, n: int(m.runwayMonths), min: num(m.minCash, 0), minMonth: month(m.minCashPeriod), unit })}{" "}
            {m.fundingGap > 0 ? t("overview.sGap", { gap: num(m.fundingGap, 0), unit, floor: num(floor, 0) }) : t("overview.sNoGap", { floor: num(floor, 0), unit })}
          </p>
          <p>
            {m.breakeven ? t("overview.sBreakeven", { month: month(m.breakeven) }) : t("overview.sNoBreakeven")}{" "}
            {m.firstPositiveFreeCashFlow ? t("overview.sFcf", { month: month(m.firstPositiveFreeCashFlow) }) : t("overview.sNoFcf")}{" "}
            {t("overview.sBurn", { amount: num(m.cumulativeBurn, 0), unit })}
          </p>
          <p>
            {m.minDscr === null ? t("overview.sNoDebt") : m.minDscr < 1 ? t("overview.sDscrBelow", { x: `\u2066${num(m.minDscr, 2, { parentheses: false })}\u2069`, month: month(m.minDscrPeriod) }) : t("overview.sDscr", { x: num(m.minDscr, 2), month: month(m.minDscrPeriod) })}{" "}
            {breaches.length ? t("overview.sBreaches", { n: int(breaches.length), covenant: breaches[0].covenant, month: month(breaches[0].period) }) : t("overview.sNoBreaches")}
          </p>
        </div>
      </section>

      <section class="card" aria-labelledby="odds">
        <h2 id="odds">{t("overview.oddsTitle")}</h2>
        <SimulateControls />
        {sim ? (
          <div data-testid="sim-summary">
            <p class="big">
              <span data-testid="p-cashout">{pct(sim.probabilities.cashOut)}</span> {t("overview.pCashOut", { n: int(sim.paths) })}
              {sim.partial && <span class="badge warn">{t("jobs.partial")}</span>}
            </p>
            {mostLikely && <p>{t("overview.mostLikely", { month: month(mostLikely.period), p: pct(mostLikely.probability) })}</p>}
            <p>{t("overview.gapOdds", { p50: num(sim.fundingGap.p50, 0), p90: num(sim.fundingGap.p90, 0), p95: num(sim.fundingGap.p95, 0), unit })}</p>
            {gapChart && <Chart id="funding-gap-distribution" title={t("overview.gapDistribution")} option={gapChart.option} table={gapChart.table} height={220} />}
          </div>
        ) : (
          <p class="muted">{t("overview.noSimulation")}</p>
        )}
      </section>

      <section class="card" aria-labelledby="matters">
        <h2 id="matters">{t("overview.mattersTitle")}</h2>
        <JobBar kind="sensitivity" label={t("jobs.rank")} onStart={() => void startJob("sensitivity", { metric: "runwayMonths" })} />
        {sens ? (
          <table class="compact" data-testid="top-assumptions">
            <thead>
              <tr>
                <th scope="col">{t("charts.input")}</th>
                <th scope="col">{t("overview.range")}</th>
                <th scope="col">{t("overview.moves", { metric: sens.metric.label })}</th>
                <th scope="col">{t("sources.citation")}</th>
              </tr>
            </thead>
            <tbody>
              {sens.tornado.slice(0, 6).map((row) => {
                const cited = citationFor(e.loaded.inputs, row.path);
                return (
                  <tr>
                    <th scope="row">{row.input}<div class="muted small" dir="ltr">{row.path}</div></th>
                    <td class="num">{typeof row.lowInput === "number" ? num(row.lowInput, 2) : month(row.lowInput)} – {typeof row.highInput === "number" ? num(row.highInput, 2) : month(row.highInput)}</td>
                    <td class="num">{typeof row.metricAtLow === "number" ? num(row.metricAtLow, 1) : row.metricAtLow ?? "–"} – {typeof row.metricAtHigh === "number" ? num(row.metricAtHigh, 1) : row.metricAtHigh ?? "–"}</td>
                    <td><CitationMark citation={cited?.citation} label={row.path} /></td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : (
          <p class="muted">{t("overview.noSensitivity")}</p>
        )}
      </section>

      <section class="card" aria-labelledby="caveats">
        <h2 id="caveats">{t("overview.caveatsTitle")}</h2>
        {caveats.length ? (
          <ul class="caveats">{caveats.map((c) => <li dir="auto">{c.text}{c.source && <> <CitationMark citation={{ source: c.source, from: [] }} /></>}</li>)}</ul>
        ) : (
          <p class="muted">{t("overview.noCaveats")}</p>
        )}
        {e.loaded.model.meta.description && <p class="muted" dir="auto">{e.loaded.model.meta.description}</p>}
      </section>
    </>
  );
}
