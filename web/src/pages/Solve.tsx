import type { ComponentChildren } from "preact";
import { useMemo, useState } from "preact/hooks";
import type { SolveReport, SolvePoint } from "../../../src/browser.js";
import { evaluation, solveReport, startJob, jobs } from "../store.js";
import { t, num, pct, month, int, unitWords, localeTag } from "../i18n.js";
import { JobBar, StaleBanner, CitationMark } from "../components.js";
import { citationFor } from "./Overview.js";

/** Targets `burnrate solve` understands, offered as starting points (the field takes any). */
const EXAMPLES = ["minCash >= 0", "fundingGap <= 0", "runwayMonths >= 36", "P(cashOut) <= 0.05", "p90(fundingGap) <= 0"];

/** The input a goal seek most often varies: the first equity round's amount, else the first number. */
function defaultVary(paths: string[], kinds: string[]): string {
  const equity = paths.find((p) => /^financing\.equity\.[^.]+\.amount$/.test(p));
  return equity ?? paths.find((_, i) => kinds[i] === "number") ?? "";
}

/** Six significant digits, as the CLI's table shows a goal seek's answer. */
function precise(v: number): string {
  if (!Number.isFinite(v)) return "–";
  return new Intl.NumberFormat(localeTag(), { maximumSignificantDigits: 6 }).format(v);
}

function inputValue(r: SolveReport, v: number | string): string {
  return typeof v === "string" ? month(v) : precise(v);
}

function measuredText(r: SolveReport, p: SolvePoint): string {
  const v = p.measured;
  if (v === null) return r.target.measureKind === "month" ? t("common:words.notWithinHorizon") : "–";
  if (typeof v === "string") return month(v);
  if (r.target.measureKind === "probability") return pct(v, 1);
  if (r.target.measureKind === "amount") return `${num(v, 1)} ${unitWords(r)}`;
  return num(v, 2);
}

/** "at least 7,634" / "March 2027 or later": which side of the switch the target holds on. */
function boundWords(r: SolveReport): string {
  const a = r.answer!;
  const value = inputValue(r, a.value);
  if (!r.other) return value;
  const up = r.vary.isMonth ? String(a.value) >= String(r.other.value) : (a.value as number) >= (r.other.value as number);
  if (r.vary.isMonth) return t(up ? "solve.monthOrLater" : "solve.monthOrEarlier", { value });
  return t(up ? "solve.atLeast" : "solve.atMost", { value });
}

function Code({ children }: { children: string }) {
  return <code dir="ltr">{children}</code>;
}

/** The answer in words: what the input must be for the target to hold, against where it is now. */
function SolveWords({ r }: { r: SolveReport }) {
  const input = <Code>{r.vary.path}</Code>;
  const target = <Code>{r.target.text}</Code>;
  const measure = r.target.measure;
  const parts: ComponentChildren[] = [];
  if (r.found && r.boundary && r.answer) {
    parts.push(
      <p class="big" data-testid="solve-answer" data-value={String(r.answer.value)}>
        {t("solve.answerLead")} {input} {t("solve.mustBe")} <strong>{boundWords(r)}</strong> {t("solve.forTarget")} {target}.
      </p>,
    );
    parts.push(<p>{t("solve.atAnswer", { measure, value: measuredText(r, r.answer) })}{r.other ? ` ${t("solve.otherSide", { other: inputValue(r, r.other.value), measure, value: measuredText(r, r.other) })}` : ""}</p>);
  } else if (r.found && r.answer) {
    parts.push(
      <p class="big" data-testid="solve-answer" data-value={String(r.answer.value)}>
        {target} {t("solve.holdsEverywhere", { from: inputValue(r, r.range.from.value), to: inputValue(r, r.range.to.value) })} {t("solve.closest", { value: inputValue(r, r.answer.value), measure, measured: measuredText(r, r.answer) })}
      </p>,
    );
  } else {
    parts.push(
      <p class="big" data-testid="solve-answer" data-value="">
        {t("solve.noneLead")} {input} {t("solve.noneRange", { from: inputValue(r, r.range.from.value), to: inputValue(r, r.range.to.value) })} {target}: {t("solve.noneEnds", { measure, a: measuredText(r, r.range.from), b: measuredText(r, r.range.to) })}
      </p>,
    );
  }
  if (r.current) {
    parts.push(<p>{t(r.current.holds ? "solve.nowHolds" : "solve.nowFails", { value: inputValue(r, r.current.value), measure, measured: measuredText(r, r.current) })}</p>);
  }
  return <div class="prose" data-testid="solve-words">{parts}</div>;
}

export function SolvePage() {
  const e = evaluation.value!;
  const table = e.compiled.table;
  const paths = table.paths;
  const [vary, setVary] = useState(() => defaultVary(paths, table.kinds));
  const [target, setTarget] = useState("minCash >= 0");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [trialPaths, setTrialPaths] = useState(2000);
  const report = solveReport.value as SolveReport | null;
  const job = jobs.value.solve;
  const statistical = /^\s*(P|median|mean|p\d+(\.\d+)?)\s*\(/.test(target);
  const slot = table.slot(vary.trim());
  const isMonth = slot !== undefined && table.kinds[slot] === "month";
  const current = slot === undefined ? null : isMonth ? null : e.params[slot];
  const cited = citationFor(e.loaded.inputs, vary.trim());
  const options = useMemo(() => paths.filter((_, i) => table.kinds[i] === "number" || table.kinds[i] === "month"), [paths]);

  const run = () => {
    const between = from.trim() && to.trim() ? [from.trim(), to.trim()].map((b) => (isMonth || !/^[+-]?[\d.]+([eE][+-]?\d+)?$/.test(b) ? b : Number(b))) : undefined;
    void startJob("solve", { vary: vary.trim(), target: target.trim(), between, paths: statistical ? trialPaths : undefined, seed: statistical ? 1 : undefined });
  };

  return (
    <>
      <StaleBanner />
      <h1>{t("solve.title")}</h1>
      <p class="lede">{t("solve.lede")}</p>
      <section class="card" aria-labelledby="solve-question">
        <h2 id="solve-question">{t("solve.question")}</h2>
        <form
          class="solve-form"
          onSubmit={(ev) => {
            ev.preventDefault();
            run();
          }}
        >
          <div class="field">
            <label for="solve-vary">{t("solve.vary")}</label>
            <input id="solve-vary" data-testid="solve-vary" dir="ltr" list="solve-inputs" value={vary} onInput={(ev) => setVary((ev.target as HTMLInputElement).value)} size={48} aria-describedby="solve-vary-now" />
            <datalist id="solve-inputs">{options.map((p) => <option value={p} />)}</datalist>
            <p class="muted small" id="solve-vary-now">
              {slot === undefined ? t("solve.unknownInput") : isMonth ? t("solve.monthInput") : t("solve.now", { value: precise(current!) })} {cited && <CitationMark citation={cited.citation} label={vary} />}
            </p>
          </div>
          <div class="field">
            <label for="solve-target">{t("solve.target")}</label>
            <input id="solve-target" data-testid="solve-target" dir="ltr" value={target} onInput={(ev) => setTarget((ev.target as HTMLInputElement).value)} size={36} aria-describedby="solve-target-help" />
            <p class="muted small" id="solve-target-help">{t("solve.targetHelp")}</p>
            <div class="row" role="group" aria-label={t("solve.examples")}>
              {EXAMPLES.map((x) => (
                <button type="button" class="small" dir="ltr" aria-pressed={target === x} onClick={() => setTarget(x)}>{x}</button>
              ))}
            </div>
          </div>
          <fieldset class="field">
            <legend>{t("solve.between")}</legend>
            <label class="inline">
              <span>{t("solve.from")}</span>
              <input dir="ltr" data-testid="solve-from" value={from} placeholder={isMonth ? "2026-01" : ""} onInput={(ev) => setFrom((ev.target as HTMLInputElement).value)} size={10} />
            </label>{" "}
            <label class="inline">
              <span>{t("solve.to")}</span>
              <input dir="ltr" data-testid="solve-to" value={to} placeholder={isMonth ? "2027-12" : ""} onInput={(ev) => setTo((ev.target as HTMLInputElement).value)} size={10} />
            </label>
            <p class="muted small">{t("solve.betweenHelp")}</p>
          </fieldset>
          {statistical && (
            <div class="field">
              <label class="inline">
                <span>{t("solve.pathsPerTrial")}</span>
                <input type="number" data-testid="solve-paths" min={100} max={100000} step={100} value={trialPaths} onInput={(ev) => setTrialPaths(Number((ev.target as HTMLInputElement).value))} style={{ width: "8em" }} />
              </label>
              <p class="muted small">{t("solve.statisticalHelp")}</p>
            </div>
          )}
        </form>
        <JobBar kind="solve" label={t("solve.run")} onStart={run} />
      </section>

      <section class="card" aria-labelledby="solve-result" aria-live="polite">
        <h2 id="solve-result">{t("solve.result")}</h2>
        {report ? (
          <div data-testid="solve-report">
            {report.partial && <p><span class="badge warn">{t("jobs.partial")}</span> {t("solve.partial", { n: int(report.evaluations) })}</p>}
            <SolveWords r={report} />
            <div class="table-wrap" tabIndex={0} role="region" aria-label={t("solve.points")}>
              <table class="compact" data-testid="solve-points">
                <caption class="sr-only">{t("solve.points")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("solve.point")}</th>
                    <th scope="col"><Code>{report.vary.path}</Code></th>
                    <th scope="col"><Code>{report.target.measure}</Code></th>
                    <th scope="col"><Code>{report.target.text}</Code></th>
                  </tr>
                </thead>
                <tbody>
                  {(
                    [
                      ["answer", report.answer],
                      ["otherSide", report.other],
                      ["current", report.current],
                      ["rangeFrom", report.range.from],
                      ["rangeTo", report.range.to],
                    ] as [string, SolvePoint | null][]
                  )
                    .filter((row): row is [string, SolvePoint] => row[1] !== null)
                    .map(([name, p]) => (
                      <tr data-point={name}>
                        <th scope="row">{t(`solve.points_${name}`)}</th>
                        <td class="num">{inputValue(report, p.value)}</td>
                        <td class="num">{measuredText(report, p)}</td>
                        <td>{p.holds ? `✓ ${t("solve.holds")}` : `✗ ${t("solve.fails")}`}</td>
                      </tr>
                    ))}
                </tbody>
              </table>
            </div>
            <p class="muted small">
              {t("solve.evaluations", { count: report.evaluations, n: int(report.evaluations) })}
              {report.statistical && ` ${t("solve.statisticalNote", { n: int(report.statistical.n), seed: int(report.statistical.seed), paths: int(report.paths) })}`}
              {report.scenario && ` ${t("overview.scenarioNote", { scenario: report.scenario })}`}
            </p>
            {report.notes.length > 0 && (
              <ul class="muted small">{report.notes.map((n) => <li dir="ltr" lang="en">{n}</li>)}</ul>
            )}
          </div>
        ) : (
          <p class="muted">{job?.status === "failed" ? t("solve.failedHint") : t("solve.none")}</p>
        )}
      </section>
    </>
  );
}
