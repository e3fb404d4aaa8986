import { useMemo, useState } from "preact/hooks";
import { evaluation, simulation, sensitivityReport, startJob } from "../store.js";
import { t, unitWords, period } from "../i18n.js";
import { Chart } from "../charts/Chart.js";
import { cashFan, revenueCosts, cashBridge, debtChart, tornado, spider, gpuCapacity, gpuBacklog, gpuConcentration } from "../charts/options.js";
import { JobBar, StaleBanner } from "../components.js";
import { SimulateControls } from "./Overview.js";

export function ChartsPage() {
  const e = evaluation.value!;
  const r = e.result;
  const unit = unitWords(r);
  const sim = simulation.value;
  const sens = sensitivityReport.value;
  const [kind, setKind] = useState<"month" | "quarter" | "year">("quarter");
  const labels = r.months.map((m) => m.period);
  const [from, setFrom] = useState(0);
  const [to, setTo] = useState(Math.min(labels.length - 1, 23));
  const a = Math.min(from, to), b = Math.max(from, to);

  const fan = useMemo(() => cashFan(r, sim, unit), [r, sim, unit]);
  const rc = useMemo(() => revenueCosts(r, kind, unit), [r, kind, unit]);
  const bridge = useMemo(() => cashBridge(r, a, b, unit), [r, a, b, unit]);
  const covenants = Object.entries(e.loaded.model.financing.covenants).filter(([, c]) => c.metric === "dscr" && c.min !== undefined).map(([name, c]) => ({ name, min: c.min as number }));
  const debt = useMemo(() => debtChart(r, covenants, unit), [r, unit]);
  const tor = useMemo(() => (sens ? tornado(sens) : null), [sens]);
  const spi = useMemo(() => (sens ? spider(sens) : null), [sens]);
  const cap = useMemo(() => gpuCapacity(r), [r]);
  const back = useMemo(() => gpuBacklog(r, unit), [r, unit]);
  const conc = useMemo(() => gpuConcentration(r, unit), [r, unit]);
  const hasDebt = r.months.some((m) => m.debt > 0 || m.debtService > 0);

  return (
    <>
      <StaleBanner />
      <h1>{t("charts.title", { company: r.model })}</h1>
      <Chart id="cash-fan" title={t("charts.cashFan")} description={sim ? t("charts.cashFanDesc") : t("charts.cashFanNoSim")} option={fan.option} table={fan.table} height={360}>
        <SimulateControls />
      </Chart>
      <Chart id="revenue-costs-burn" title={t("charts.revenueCosts")} description={t("charts.revenueCostsDesc")} option={rc.option} table={rc.table}>
        <label class="inline">
          <span>{t("statements.period")}</span>
          <select value={kind} onChange={(ev) => setKind((ev.target as HTMLSelectElement).value as typeof kind)}>
            <option value="month">{t("statements.month")}</option>
            <option value="quarter">{t("statements.quarter")}</option>
            <option value="year">{t("statements.year")}</option>
          </select>
        </label>
      </Chart>
      <Chart id="cash-bridge" title={t("charts.bridge")} description={t("charts.bridgeDesc", { from: period(labels[a]), to: period(labels[b]) })} option={bridge.option} table={bridge.table} height={380}>
        <div class="row">
          <label class="inline">
            <span>{t("charts.from")}</span>
            <select value={from} onChange={(ev) => setFrom(Number((ev.target as HTMLSelectElement).value))}>{labels.map((l, i) => <option value={i}>{period(l)}</option>)}</select>
          </label>
          <label class="inline">
            <span>{t("charts.to")}</span>
            <select value={to} onChange={(ev) => setTo(Number((ev.target as HTMLSelectElement).value))}>{labels.map((l, i) => <option value={i}>{period(l)}</option>)}</select>
          </label>
        </div>
      </Chart>
      {hasDebt && <Chart id="debt" title={t("charts.debt")} description={covenants.length ? t("charts.debtDesc") : t("charts.debtDescNoCovenant")} option={debt.option} table={debt.table} />}
      <section class="card">
        <h2>{t("charts.sensitivityTitle")}</h2>
        <JobBar kind="sensitivity" label={t("jobs.rank")} onStart={() => void startJob("sensitivity", { metric: "runwayMonths" })} />
        {!sens && <p class="muted">{t("overview.noSensitivity")}</p>}
      </section>
      {tor && <Chart id="tornado" title={t("charts.tornado", { metric: sens!.metric.label })} description={t("charts.tornadoDesc")} option={tor.option} table={tor.table} height={Math.max(260, 28 * Math.min(15, sens!.tornado.length) + 80)} />}
      {spi && <Chart id="spider" title={t("charts.spider", { metric: sens!.metric.label })} description={t("charts.spiderDesc")} option={spi.option} table={spi.table} />}
      {cap && <Chart id="gpu-capacity" title={t("charts.gpuCapacity")} description={t("charts.gpuCapacityDesc")} option={cap.option} table={cap.table} />}
      {back && <Chart id="gpu-backlog" title={t("charts.gpuBacklog")} description={t("charts.gpuBacklogDesc")} option={back.option} table={back.table} />}
      {conc && <Chart id="gpu-concentration" title={t("charts.gpuConcentration")} description={t("charts.gpuConcentrationDesc")} option={conc.option} table={conc.table} />}
    </>
  );
}
