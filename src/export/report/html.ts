import { createTranslator, formatNumberLocale, formatMonthLocale, type Lang, type Translator } from "../../i18n/index.js";
import { compileModel } from "../../engine/compile.js";
import type { ExportData } from "../data.js";
import { listWorkbookInputs } from "../inputs.js";
import type { PeriodRow } from "../../engine/result.js";
import { lineChart, barChart, tornadoChart } from "./charts.js";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const STATEMENTS: { section: "income" | "cash" | "balance"; items: (keyof PeriodRow)[] }[] = [
  { section: "income", items: ["revenue", "costOfRevenue", "grossProfit", "operatingExpenses", "ebitda", "depreciation", "ebit", "interestExpense", "otherIncome", "pretaxIncome", "taxes", "netIncome"] },
  { section: "cash", items: ["operatingCashFlow", "capex", "freeCashFlow", "equityRaised", "debtDrawn", "debtRepaid", "financingFees", "netCashFlow"] },
  { section: "balance", items: ["endingCash", "receivables", "ppeNet", "totalAssets", "debt", "unamortizedFees", "payables", "totalLiabilities", "paidInCapital", "retainedEarnings", "equity"] },
];
const TOTALS = new Set(["grossProfit", "ebitda", "ebit", "netIncome", "freeCashFlow", "netCashFlow", "totalAssets", "totalLiabilities", "equity"]);

export interface ReportOptions {
  lang?: Lang;
}

/**
 * The report as one self-contained HTML page (inline CSS and SVG, no script, no network):
 * the seed articles' questions answered for this model on the first page, then charts,
 * statements by fiscal year, the scenario comparison, caveats and every input with its
 * source. Arabic is right to left with a font that has Arabic glyphs.
 */
export function renderReportHtml(data: ExportData, options: ReportOptions = {}): string {
  const lang = options.lang ?? "en";
  const tr = createTranslator(lang);
  const t = (key: string, params?: Record<string, unknown>) => tr.t(`report:${key}`, params);
  const result = data.main.result;
  const m = result.metrics;
  const model = data.main.loaded.model;
  const num = (v: number | null | undefined, decimals = 1) => formatNumberLocale(v ?? null, { lang, digits: "latn", decimals });
  const unit = tr.t(`common:units.${result.unit}`, { currency: result.currency });
  const money = (v: number | null | undefined) => `${num(v)} ${unit}`;
  const month = (label: string | null) => (label ? formatMonthLocale(label, lang, "latn") : t("answers.notWithinHorizon"));
  const pct = (v: number | null) => formatNumberLocale(v, { lang, digits: "latn", decimals: 1, percent: true });
  const months = result.months.map((r) => r.period);
  const start = months[0];
  const end = months[months.length - 1];
  const bold = (s: string) => `<b>${esc(s)}</b>`;
  // Figures in answers are bold; the rest of the sentence is text from the locale.
  const say = (key: string, params: Record<string, string>) => {
    const marked: Record<string, string> = {};
    for (const [k, v] of Object.entries(params)) marked[k] = `\u0001${v}\u0002`;
    return esc(t(key, marked)).replace(/\u0001([^\u0002]*)\u0002/g, (_, v: string) => bold(v));
  };

  // ── First page: the questions, answered ─────────────────────────────────────────────
  const answers: { q: string; a: string[] }[] = [];
  answers.push({
    q: t("answers.cashOutQ"),
    a: [m.cashOut ? say("answers.cashOutYes", { month: month(m.cashOut), runway: tr.t("common:units.months", { count: m.runwayMonths }), start: month(start), minCash: money(m.minCash), minMonth: month(m.minCashPeriod) }) : say("answers.cashOutNo", { end: month(end), minCash: money(m.minCash), minMonth: month(m.minCashPeriod) })],
  });
  const floor = model.meta.cashFloor;
  answers.push({ q: t("answers.gapQ"), a: [m.fundingGap > 0 ? say("answers.gapYes", { gap: money(m.fundingGap), floor: money(floor) }) : say("answers.gapNo", { floor: money(floor) })] });
  answers.push({
    q: t("answers.breakevenQ"),
    a: [m.breakeven ? say("answers.breakevenYes", { month: month(m.breakeven) }) : say("answers.breakevenNo", { end: month(end) }), m.firstPositiveFreeCashFlow ? say("answers.fcfYes", { month: month(m.firstPositiveFreeCashFlow) }) : esc(t("answers.fcfNo"))],
  });
  const burnByYear = result.years.map((y) => ({ year: y.period, burn: Math.max(0, -y.freeCashFlow) }));
  const heaviest = burnByYear.reduce((a, b) => (b.burn > a.burn ? b : a), burnByYear[0]);
  answers.push({ q: t("answers.burnQ"), a: [m.cumulativeBurn > 0 ? say("answers.burnText", { burn: money(m.cumulativeBurn), year: heaviest.year, yearBurn: money(heaviest.burn) }) : esc(t("answers.burnNone"))] });
  const debtAnswer: string[] = [];
  if (m.minDscr === null) debtAnswer.push(esc(t("answers.debtNone")));
  else {
    debtAnswer.push(say("answers.debtText", { dscr: num(m.minDscr, 2), month: month(m.minDscrPeriod) }));
    if (m.interestCoverage !== null) debtAnswer.push(m.interestCoverage > 0 ? say("answers.coverageText", { coverage: num(m.interestCoverage, 2) }) : esc(t("answers.coverageNegative")));
    if (m.minDscr < 1) debtAnswer.push(esc(t("answers.debtBelowOne")));
    const b = m.covenantBreaches;
    debtAnswer.push(b.length === 0 ? esc(t("answers.debtNoBreach")) : say("answers.debtBreaches", { count: num(b.length, 0), month: month(b[0].period), covenant: b[0].covenant }));
  }
  answers.push({ q: t("answers.debtQ"), a: debtAnswer });
  const sim = data.simulation;
  if (sim) {
    const a = [say("answers.oddsText", { paths: num(sim.paths, 0), seed: String(sim.seed), probability: pct(sim.probabilities.cashOut) })];
    const top = [...sim.cashOutMonth].sort((x, y) => y.probability - x.probability)[0];
    if (top) a.push(say("answers.oddsMonth", { month: month(top.period), probability: pct(top.probability) }));
    a.push(say("answers.oddsGap", { p50: money(sim.fundingGap.p50), p90: money(sim.fundingGap.p90) }));
    answers.push({ q: t("answers.oddsQ"), a });
  }
  if (data.runs.length > 1) {
    answers.push({
      q: t("answers.scenariosQ"),
      a: data.runs
        .filter((r) => r.result !== result)
        .map((r) =>
          say("answers.scenarioLine", {
            scenario: r.scenario ?? t("baseCase"),
            cash: r.result.metrics.cashOut ? t("answers.cashRunsOut", { month: month(r.result.metrics.cashOut) }) : t("answers.cashLasts"),
            gap: money(r.result.metrics.fundingGap),
            breakeven: month(r.result.metrics.breakeven),
          }),
        ),
    });
  }
  const partial = (row: PeriodRow) => monthsInYear(result.months.map((r) => r.period), row.period, result.fiscalYearStart) < 12;
  const yearHeader = (rows: PeriodRow[]) => rows.map((r) => `<th>${esc(r.period)}${partial(r) ? "*" : ""}</th>`).join("");
  const keyItems: (keyof PeriodRow)[] = ["revenue", "netIncome", "freeCashFlow", "endingCash", "debt"];
  const keyTable = `<table class="num"><thead><tr><th></th>${yearHeader(result.years)}</tr></thead><tbody>${keyItems.map((i) => `<tr><th>${esc(tr.t(`common:items.${i}`))}</th>${result.years.map((y) => `<td>${num(y[i] as number)}</td>`).join("")}</tr>`).join("")}</tbody></table>`;

  // ── Charts ──────────────────────────────────────────────────────────────────────────
  const compact = (v: number) => formatNumberLocale(v, { lang, digits: "latn", decimals: 0 });
  const charts: string[] = [];
  if (sim) {
    const q = (k: "p5" | "p25" | "p50" | "p75" | "p95") => sim.months.map((row) => row.endingCash[k]);
    charts.push(
      figure(
        t("charts.cashFan"),
        lineChart({
          title: t("charts.cashFan"),
          months,
          bands: [
            { low: q("p5"), high: q("p95"), label: t("charts.band90"), color: "#4f81bd", opacity: 0.18 },
            { low: q("p25"), high: q("p75"), label: t("charts.band50"), color: "#4f81bd", opacity: 0.35 },
          ],
          series: [{ values: q("p50"), label: t("charts.median"), color: "#1f3b63" }],
          reference: floor > 0 ? { value: floor, label: t("charts.floor") } : undefined,
          format: compact,
        }),
      ),
    );
  } else {
    charts.push(figure(t("charts.cash"), lineChart({ title: t("charts.cash"), months, series: [{ values: result.months.map((r) => r.endingCash), label: tr.t("common:items.endingCash"), color: "#1f3b63" }], reference: floor > 0 ? { value: floor, label: t("charts.floor") } : undefined, format: compact })));
  }
  charts.push(
    figure(
      t("charts.revenueBurn"),
      barChart({
        title: t("charts.revenueBurn"),
        categories: result.years.map((y) => y.period),
        series: [
          { label: t("charts.revenue"), color: "#4f81bd", values: result.years.map((y) => y.revenue) },
          { label: t("charts.burn"), color: "#c0504d", values: result.years.map((y) => Math.max(0, -y.freeCashFlow)) },
        ],
        format: compact,
      }),
    ),
  );
  if (result.months.some((r) => r.debt > 0)) {
    charts.push(
      figure(
        t("charts.debt"),
        barChart({
          title: t("charts.debt"),
          categories: result.years.map((y) => y.period),
          series: [{ label: t("charts.debtService"), color: "#9bbb59", values: result.years.map((y) => y.debtService) }],
          line: { label: t("charts.debtBalance"), color: "#1f3b63", values: result.years.map((y) => y.debt) },
          format: compact,
        }),
      ),
    );
  }
  const sens = data.sensitivity;
  if (sens && sens.tornado.length > 0 && typeof sens.baseValue === "number") {
    const rows = sens.tornado.filter((r) => typeof r.metricAtLow === "number" && typeof r.metricAtHigh === "number").map((r) => ({ label: r.input, low: r.metricAtLow as number, high: r.metricAtHigh as number }));
    const title = t("charts.tornado", { metric: sens.metric.label });
    if (rows.length > 0) charts.push(figure(title, tornadoChart({ title, rows, centre: sens.baseValue, format: compact, lowLabel: t("charts.atLow"), highLabel: t("charts.atHigh") })));
  }

  // ── Statements by fiscal year ──────────────────────────────────────────────────────
  const statements = STATEMENTS.map(
    (s) =>
      `<h3>${esc(tr.t(`common:sections.${s.section}`))}</h3><table class="num statement"><thead><tr><th>${esc(unit)}</th>${yearHeader(result.years)}</tr></thead><tbody>${s.items
        .map((i) => `<tr class="${TOTALS.has(i as string) ? "total" : ""}"><th>${esc(tr.t(`common:items.${i as string}`))}</th>${result.years.map((y) => `<td>${num(y[i] as number)}</td>`).join("")}</tr>`)
        .join("")}</tbody></table>`,
  ).join("");

  // ── Scenario comparison ────────────────────────────────────────────────────────────
  let comparison = "";
  if (data.runs.length > 1) {
    const base = data.runs[0];
    const names = data.runs.map((r) => r.scenario ?? t("baseCase"));
    const rows: string[] = [];
    for (const item of keyItems) {
      rows.push(`<tr class="group"><th colspan="${1 + 2 * data.runs.length - 1}">${esc(tr.t(`common:items.${item as string}`))}</th></tr>`);
      base.result.years.forEach((y, i) => {
        const values = data.runs.map((r) => r.result.years[i]?.[item] as number | undefined);
        rows.push(`<tr><th>${esc(y.period)}</th>${values.map((v) => `<td>${num(v ?? null)}</td>`).join("")}${values.slice(1).map((v) => `<td class="delta">${v === undefined ? "" : signed(num(v - (values[0] as number)))}</td>`).join("")}</tr>`);
      });
    }
    const metricRows: [string, (r: ExportData["runs"][number]["result"]) => string, ((r: ExportData["runs"][number]["result"]) => number) | null][] = [
      [tr.t("common:metrics.cashOut"), (r) => month(r.metrics.cashOut), null],
      [tr.t("common:metrics.fundingGap"), (r) => num(r.metrics.fundingGap), (r) => r.metrics.fundingGap],
      [tr.t("common:metrics.minCash"), (r) => num(r.metrics.minCash), (r) => r.metrics.minCash],
      [tr.t("common:metrics.breakeven"), (r) => month(r.metrics.breakeven), null],
      [tr.t("common:metrics.cumulativeBurn"), (r) => num(r.metrics.cumulativeBurn), (r) => r.metrics.cumulativeBurn],
    ];
    rows.push(`<tr class="group"><th colspan="${2 * data.runs.length}">${esc(t("comparison.whole"))}</th></tr>`);
    for (const [label, show, value] of metricRows) rows.push(`<tr><th>${esc(label)}</th>${data.runs.map((r) => `<td>${esc(show(r.result))}</td>`).join("")}${data.runs.slice(1).map((r) => `<td class="delta">${value ? signed(num(value(r.result) - value(base.result))) : ""}</td>`).join("")}</tr>`);
    comparison = `<section class="page"><h2>${esc(t("comparison.heading"))}</h2><p class="note">${esc(unit)}</p><table class="num"><thead><tr><th>${esc(t("comparison.item"))}</th>${names.map((n) => `<th>${esc(n)}</th>`).join("")}${names.slice(1).map((n) => `<th class="delta">${esc(n)} − ${esc(names[0])}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table></section>`;
  }

  const caveats =
    data.caveats.length > 0
      ? `<section class="page"><h2>${esc(t("caveats"))}</h2><ol class="caveats">${data.caveats
          .map((c) => `<li><b dir="ltr">${esc(c.id)}</b>${c.qualifies ? ` <span class="qualifies" dir="ltr">(${esc(c.qualifies)})</span>` : ""}: ${esc(c.text)}${c.citation ? ` <span class="note">— ${esc(c.citation)}</span>` : ""}</li>`)
          .join("")}</ol></section>`
      : "";

  // ── Appendix: inputs and sources ───────────────────────────────────────────────────
  const inputs = listWorkbookInputs(data.main.loaded, compileModel(data.main.loaded.model, data.main.loaded.extensions));
  const inputValue = (i: (typeof inputs)[number]) => (i.kind === "month" ? (i.month ?? "") : formatInput(i.value));
  const citation = (i: (typeof inputs)[number]) => (i.citation === "not cited" ? t("appendix.notCited") : i.citation.startsWith("default") ? t("appendix.default") : i.citation);
  // A citation shared by consecutive inputs (a monthly curve, a cohort) is printed once.
  const appendix = `<section class="page appendix"><h2>${esc(t("appendix.heading"))}</h2><table class="inputs"><thead><tr><th>${esc(t("appendix.input"))}</th><th>${esc(t("appendix.value"))}</th><th>${esc(t("appendix.unit"))}</th><th>${esc(t("appendix.source"))}</th></tr></thead><tbody>${inputs
    .map((i, k) => `<tr><td class="path" dir="ltr">${esc(i.path)}</td><td class="value" dir="ltr">${esc(inputValue(i))}</td><td>${esc(i.unit)}</td><td class="source">${k > 0 && inputs[k - 1].citation === i.citation ? `<span class="same">${esc(t("appendix.same"))}</span>` : esc(citation(i))}</td></tr>`)
    .join("")}</tbody></table></section>`;

  const scenarioLine = data.main.result.scenario ? `<p class="subtitle">${esc(t("scenario", { scenario: data.main.result.scenario }))}</p>` : "";
  const anyPartial = result.years.some(partial);
  const body = `
<section class="first">
  <h1>${esc(t("title", { company: result.model }))}</h1>
  <p class="subtitle">${esc(t("subtitle", { start: month(start), end: month(end), unit }))}</p>
  ${scenarioLine}
  ${model.meta.description ? `<p class="description">${esc(model.meta.description)}</p>` : ""}
  <h2>${esc(t("answers.heading"))}</h2>
  <dl class="answers">${answers.map((x) => `<dt>${esc(x.q)}</dt>${x.a.map((a) => `<dd>${a}</dd>`).join("")}`).join("")}</dl>
  <h3>${esc(t("keyFigures"))} (${esc(unit)})</h3>
  ${keyTable}
  ${anyPartial ? `<p class="note">${esc(t("partialYear"))}</p>` : ""}
</section>
<section class="page"><h2>${esc(t("charts.heading"))}</h2>${charts.join("")}</section>
<section class="page"><h2>${esc(t("statements"))}</h2>${statements}${anyPartial ? `<p class="note">${esc(t("partialYear"))}</p>` : ""}</section>
${comparison}
${caveats}
${appendix}
<footer>${esc(t("footer", { file: data.main.loaded.file.split(/[\\/]/).pop() ?? "" }))}</footer>`;
  return `<!doctype html>
<html lang="${lang}" dir="${tr.dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(t("title", { company: result.model }))}</title>
<style>${css(tr)}</style>
</head>
<body>${body}</body>
</html>
`;
}

function figure(caption: string, svg: string): string {
  return `<figure>${svg}<figcaption>${esc(caption)}</figcaption></figure>`;
}

function signed(text: string): string {
  return /^\(/.test(text) ? text : /[1-9]/.test(text) ? `+${text}` : text;
}

function formatInput(v: number): string {
  if (!Number.isFinite(v)) return "–";
  const a = Math.abs(v);
  if (a >= 1000) return v.toLocaleString("en-US", { maximumFractionDigits: 2 });
  return String(Number(v.toPrecision(6)));
}

function monthsInYear(months: string[], year: string, fiscalYearStart: number): number {
  return months.filter((m) => {
    const [y, mm] = m.split("-").map(Number);
    const fy = fiscalYearStart === 1 ? y : mm >= fiscalYearStart ? y + 1 : y;
    return String(fy) === year;
  }).length;
}

function css(tr: Translator): string {
  const arabic = tr.lang === "ar";
  const font = arabic ? `"Noto Naskh Arabic", "Amiri", "DejaVu Sans", serif` : `"DejaVu Sans", "Liberation Sans", Arial, sans-serif`;
  return `
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
* { box-sizing: border-box; }
body { font-family: ${font}; font-size: ${arabic ? "11pt" : "10pt"}; color: #1d1d1d; margin: 0 auto; max-width: 190mm; line-height: 1.45; }
h1 { font-size: 20pt; margin: 0 0 4pt; color: #1f3b63; }
h2 { font-size: 14pt; color: #1f3b63; border-bottom: 1.5pt solid #1f3b63; padding-bottom: 2pt; margin: 14pt 0 8pt; }
h3 { font-size: 11pt; margin: 12pt 0 4pt; }
.subtitle { color: #555; margin: 0 0 2pt; }
.description { font-style: italic; color: #444; }
dl.answers dt { font-weight: bold; margin-top: 7pt; color: #1f3b63; }
dl.answers dd { margin: 1pt 0 0 0; }
dl.answers b { white-space: nowrap; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0; }
th, td { padding: 2pt 5pt; border-bottom: 0.5pt solid #ddd; }
table.num td { text-align: end; font-variant-numeric: tabular-nums; white-space: nowrap; direction: ltr; unicode-bidi: embed; }
table.num thead th { text-align: end; border-bottom: 1pt solid #333; }
table.num tbody th { text-align: start; font-weight: normal; }
table.statement { font-size: 8.5pt; }
tr.total th, tr.total td { font-weight: bold; border-top: 0.75pt solid #333; }
tr.group th { text-align: start; font-weight: bold; background: #f2f4f7; }
td.delta, th.delta { color: #444; background: #fafafa; }
figure { margin: 8pt 0 14pt; break-inside: avoid; }
figcaption { font-size: 9pt; color: #333; margin-top: 2pt; }
svg .tick { font-size: 10px; fill: #555; font-family: "DejaVu Sans", Arial, sans-serif; }
svg .legend { font-size: 10px; fill: #333; font-family: ${font}; }
.note { font-size: 8.5pt; color: #666; }
table.inputs { font-size: 7.5pt; }
table.inputs td { vertical-align: top; }
td.path { font-family: "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; width: 34%; text-align: left; }
td.value { white-space: nowrap; text-align: right; }
td.source { width: 46%; overflow-wrap: anywhere; }
span.same { color: #888; }
ol.caveats li { margin-bottom: 6pt; }
footer { margin-top: 14pt; font-size: 8pt; color: #777; }
section.page { break-before: page; }
@media screen { section.page { border-top: 1px dashed #bbb; margin-top: 24px; padding-top: 8px; } body { padding: 16px; } }
`;
}
