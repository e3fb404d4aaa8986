import { useMemo, useState } from "preact/hooks";
import { evaluation } from "../store.js";
import { t, num, period, unitWords } from "../i18n.js";
import { CitationMark, StaleBanner } from "../components.js";
import { rowsFor } from "../charts/options.js";
import type { PeriodRow, StatementItem, CitedValue, ModelRunResult } from "../../../src/browser.js";

type Kind = "month" | "quarter" | "year";
const GROUPS: { id: string; title: string; items: StatementItem[] }[] = [
  { id: "income", title: "common:sections.income", items: ["revenue", "costOfRevenue", "grossProfit", "operatingExpenses", "ebitda", "depreciation", "ebit", "interestExpense", "otherIncome", "pretaxIncome", "taxes", "netIncome"] },
  { id: "cash", title: "common:sections.cash", items: ["operatingCashFlow", "capex", "investingCashFlow", "freeCashFlow", "equityRaised", "debtDrawn", "debtRepaid", "financingFees", "financingCashFlow", "netCashFlow"] },
  { id: "balance", title: "common:sections.balance", items: ["endingCash", "receivables", "ppeNet", "totalAssets", "debt", "unamortizedFees", "payables", "totalLiabilities", "paidInCapital", "retainedEarnings", "equity"] },
  { id: "debt", title: "ui:statements.debtDetail", items: ["cashInterest", "scheduledPrincipal", "debtService", "powerCost", "lossCarryforward"] },
];
const TOTALS = new Set<StatementItem>(["grossProfit", "ebitda", "ebit", "pretaxIncome", "netIncome", "freeCashFlow", "netCashFlow", "totalAssets", "totalLiabilities", "equity", "debtService"]);

/** How each derived line is computed from others: [item, sign]. */
export const COMPONENTS: Partial<Record<StatementItem, [StatementItem, 1 | -1][]>> = {
  grossProfit: [["revenue", 1], ["costOfRevenue", -1]],
  ebitda: [["grossProfit", 1], ["operatingExpenses", -1]],
  ebit: [["ebitda", 1], ["depreciation", -1]],
  pretaxIncome: [["ebit", 1], ["interestExpense", -1], ["otherIncome", 1]],
  netIncome: [["pretaxIncome", 1], ["taxes", -1]],
  investingCashFlow: [["capex", -1]],
  freeCashFlow: [["operatingCashFlow", 1], ["capex", -1]],
  financingCashFlow: [["equityRaised", 1], ["debtDrawn", 1], ["debtRepaid", -1], ["financingFees", -1]],
  netCashFlow: [["operatingCashFlow", 1], ["investingCashFlow", 1], ["financingCashFlow", 1]],
  totalAssets: [["endingCash", 1], ["receivables", 1], ["ppeNet", 1]],
  totalLiabilities: [["debt", 1], ["unamortizedFees", -1], ["payables", 1]],
  equity: [["paidInCapital", 1], ["retainedEarnings", 1]],
  debtService: [["cashInterest", 1], ["scheduledPrincipal", 1]],
};
const LINE_TYPE: Partial<Record<StatementItem, string>> = { revenue: "revenue", costOfRevenue: "costOfRevenue", operatingExpenses: "operatingExpense", capex: "capex" };

interface Selection {
  item: StatementItem;
  col: number;
}

/** Sums a model line's monthly values over the months of each period. */
function linePeriods(result: ModelRunResult, values: number[], kind: Kind, labels: string[]): number[] {
  if (kind === "month") return values;
  const out = labels.map(() => 0);
  const periodOfMonth = monthPeriods(result, kind);
  values.forEach((v, i) => (out[labels.indexOf(periodOfMonth[i])] += v));
  return out;
}

/** The fiscal period each month falls in, from the roll-ups' month counts. */
function monthPeriods(result: ModelRunResult, kind: Kind): string[] {
  if (kind === "month") return result.months.map((m) => m.period);
  const fy = result.fiscalYearStart;
  return result.months.map((m) => {
    const [y, mo] = m.period.split("-").map(Number);
    const shifted = (mo - fy + 12) % 12; // months into the fiscal year
    const year = fy === 1 ? y : mo >= fy ? y + 1 : y;
    return kind === "year" ? String(year) : `${year}-Q${Math.floor(shifted / 3) + 1}`;
  });
}

function inputsUnder(inputs: CitedValue[], prefix: (string | number)[]): CitedValue[] {
  return inputs.filter((i) => prefix.every((p, k) => String(i.path[k]) === String(p)));
}

function Explain({ sel, rows, kind, onClose }: { sel: Selection; rows: PeriodRow[]; kind: Kind; onClose: () => void }) {
  const e = evaluation.value!;
  const r = e.result;
  const row = rows[sel.col];
  const label = t(`common:items.${sel.item}`);
  const parts = COMPONENTS[sel.item];
  const lineType = LINE_TYPE[sel.item];
  const labels = rows.map((x) => x.period);
  const lines = lineType ? r.lines.filter((l) => l.type === lineType) : [];
  const drivers = Object.keys(e.loaded.model.drivers);
  const formulaDrivers = (text: string) => drivers.filter((d) => new RegExp(`(^|[^A-Za-z0-9_])${d}([^A-Za-z0-9_]|$)`).test(text));
  return (
    <aside class="explain card" aria-labelledby="explain-title" data-testid="explain">
      <header class="card-head">
        <h2 id="explain-title">{t("statements.howComputed", { item: label, period: period(row.period) })}</h2>
        <button type="button" class="small" onClick={onClose} aria-label={t("statements.close")}>×</button>
      </header>
      <p class="big num">{num(row[sel.item] as number, 1)} <span class="muted small">{unitWords(r)}</span></p>
      <p>{t(`statements.explain.${sel.item}`)}</p>
      {parts && (
        <table class="compact">
          <tbody>
            {parts.map(([item, sign]) => (
              <tr>
                <th scope="row">{sign < 0 ? "− " : "+ "}{t(`common:items.${item}`)}</th>
                <td class="num">{num(row[item] as number, 1)}</td>
              </tr>
            ))}
            <tr class="total">
              <th scope="row">= {label}</th>
              <td class="num">{num(row[sel.item] as number, 1)}</td>
            </tr>
          </tbody>
        </table>
      )}
      {sel.item === "operatingExpenses" && Object.keys(row.operatingExpensesByCategory).length > 0 && (
        <table class="compact">
          <tbody>{Object.entries(row.operatingExpensesByCategory).map(([k, v]) => <tr><th scope="row">{k}</th><td class="num">{num(v, 1)}</td></tr>)}</tbody>
        </table>
      )}
      {lines.length > 0 && (
        <>
          <h3>{t("statements.linesBehind")}</h3>
          <ul class="lines">
            {lines.map((l) => {
              const def = e.loaded.model.lines[l.name];
              const values = linePeriods(r, l.values, kind, labels);
              const formula = def ? String(def.value) : null;
              const used = formula ? formulaDrivers(formula) : [];
              return (
                <li>
                  <strong dir="ltr">{l.name}</strong> <span class="num">{num(values[sel.col], 1)}</span>
                  {formula && <div><code dir="ltr">{formula}</code> {inputsUnder(e.loaded.inputs, ["lines", l.name]).slice(0, 1).map((i) => <CitationMark citation={i.citation} label={l.name} />)}</div>}
                  {used.length > 0 && (
                    <ul class="inputs">
                      {used.map((d) => {
                        const ins = inputsUnder(e.loaded.inputs, ["drivers", d]);
                        return (
                          <li>
                            <code dir="ltr">{d}</code>{" "}
                            {ins.slice(0, 3).map((i) => <span class="input-value"><span dir="ltr">{i.path.slice(2).join(".") || "="} {typeof i.value === "number" ? num(i.value, 2) : i.value}</span> <CitationMark citation={i.citation} label={i.path.join(".")} /></span>)}
                            {ins.length > 3 && <span class="muted"> {t("statements.moreInputs", { n: ins.length - 3 })}</span>}
                          </li>
                        );
                      })}
                    </ul>
                  )}
                </li>
              );
            })}
          </ul>
        </>
      )}
      {!parts && lines.length === 0 && <p class="muted">{t("statements.engineLine")}</p>}
    </aside>
  );
}

export function StatementsPage() {
  const e = evaluation.value!;
  const r = e.result;
  const [kind, setKind] = useState<Kind>("year");
  const [collapsed, setCollapsed] = useState<Record<string, boolean>>({});
  const [sel, setSel] = useState<Selection | null>(null);
  const rows = useMemo(() => rowsFor(r, kind), [r, kind]);
  const categories = Object.keys(rows[0]?.operatingExpensesByCategory ?? {});
  return (
    <>
      <StaleBanner />
      <h1>{t("statements.title", { company: r.model })}</h1>
      <div class="toolbar row">
        <label class="inline">
          <span>{t("statements.period")}</span>
          <select value={kind} onChange={(ev) => { setKind((ev.target as HTMLSelectElement).value as Kind); setSel(null); }} data-testid="period">
            <option value="month">{t("statements.month")}</option>
            <option value="quarter">{t("statements.quarter")}</option>
            <option value="year">{t("statements.year")}</option>
          </select>
        </label>
        <span class="muted">{t("statements.units", { unit: unitWords(r) })} · {t("statements.negatives")} · {t("statements.clickHint")}</span>
      </div>
      <div class="statements-layout">
        <div class="table-wrap statements" role="region" aria-label={t("statements.title", { company: r.model })} tabIndex={0}>
          <table class="sheet" data-testid="statements-table">
            <thead>
              <tr>
                <th scope="col" class="corner">{unitWords(r)}</th>
                {rows.map((row) => <th scope="col" class="num">{period(row.period)}</th>)}
              </tr>
            </thead>
            {GROUPS.map((g) => {
              const isCollapsed = collapsed[g.id];
              return (
                <tbody>
                  <tr class="group">
                    <th scope="rowgroup" colSpan={1}>
                      <button type="button" class="group-toggle" aria-expanded={!isCollapsed} onClick={() => setCollapsed({ ...collapsed, [g.id]: !isCollapsed })}>
                        <span aria-hidden="true" class="chev">{isCollapsed ? "▸" : "▾"}</span> {t(g.title)}
                      </button>
                    </th>
                    <td colSpan={rows.length} />
                  </tr>
                  {!isCollapsed &&
                    g.items.flatMap((item) => {
                      const main = (
                        <tr class={TOTALS.has(item) ? "total" : undefined}>
                          <th scope="row">{t(`common:items.${item}`)}</th>
                          {rows.map((row, col) => {
                            const v = row[item] as number;
                            const active = sel?.item === item && sel.col === col;
                            return (
                              <td class={`num${v < 0 ? " neg" : ""}${active ? " active" : ""}`}>
                                <button type="button" class="cell" onClick={() => setSel({ item, col })} aria-label={`${t(`common:items.${item}`)}, ${period(row.period)}: ${num(v, 1)}`}>{num(v, 1)}</button>
                              </td>
                            );
                          })}
                        </tr>
                      );
                      if (item === "operatingExpenses" && categories.length > 1)
                        return [main, ...categories.map((k) => <tr class="sub"><th scope="row">{k}</th>{rows.map((row) => <td class="num">{num(row.operatingExpensesByCategory[k], 1)}</td>)}</tr>)];
                      return [main];
                    })}
                </tbody>
              );
            })}
            <tbody>
              <tr>
                <th scope="row">{t("charts.dscr")}</th>
                {rows.map((row) => <td class="num">{row.dscr === null ? "–" : `${num(row.dscr, 2)}×`}</td>)}
              </tr>
            </tbody>
          </table>
        </div>
        {sel && <Explain sel={sel} rows={rows} kind={kind} onClose={() => setSel(null)} />}
      </div>
    </>
  );
}
