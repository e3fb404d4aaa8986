import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import type { Citation, ModelIssue } from "../../src/browser.js";
import { t, num, int, issueText } from "./i18n.js";
import { evaluation, jobs, cancelJob, modelName, problems, engineFailure } from "./store.js";
import type { JobKind } from "./api.js";

export function RecomputeStatus() {
  const e = evaluation.value;
  if (!e) return null;
  return (
    <p class="recompute muted" role="status" aria-live="polite" data-testid="recompute">
      {t("status.recomputed", { ms: num(e.ms, 1), model: modelName.value })}
    </p>
  );
}

const URL_RE = /https?:\/\/[^\s,;)\]"'<>]+[^\s,;)\]"'<>.]/;

/** A citation: its text on hover or focus, with a link to the source when it has one. */
export function CitationMark({ citation, label }: { citation: Citation | undefined; label?: string }) {
  const [open, setOpen] = useState(false);
  if (!citation || (!citation.source && !citation.assumption)) {
    return <span class="cite none" title={t("sources.uncited")}>{t("sources.uncitedShort")}</span>;
  }
  const text = citation.source ?? citation.assumption ?? "";
  const url = citation.source ? URL_RE.exec(citation.source)?.[0] : undefined;
  const kind = citation.source ? t("common:words.source") : t("common:words.assumption");
  // The accessible name starts with the visible text (WCAG 2.5.3, label in name).
  const short = citation.source ? t("sources.sourceShort") : t("sources.assumptionShort");
  return (
    <span class="cite-wrap" onMouseEnter={() => setOpen(true)} onMouseLeave={() => setOpen(false)}>
      <button type="button" class={`cite ${citation.source ? "src" : "asm"}`} aria-expanded={open} onClick={() => setOpen(!open)} onFocus={() => setOpen(true)} aria-label={`${short} (${kind}${label ? `: ${label}` : ""})`}>
        {short}
      </button>
      {open && (
        <span class="popover" role="note">
          <strong>{kind}</strong> <span dir="auto">{text}</span>
          {url && (
            <>
              {" "}
              <a href={url} target="_blank" rel="noopener noreferrer">{t("sources.open")}</a>
            </>
          )}
        </span>
      )}
    </span>
  );
}

export function SourceText({ text }: { text: string }) {
  const url = URL_RE.exec(text)?.[0];
  if (!url) return <span dir="auto">{text}</span>;
  const i = text.indexOf(url);
  return (
    <span dir="auto">
      {text.slice(0, i)}
      <a href={url} target="_blank" rel="noopener noreferrer">{url}</a>
      {text.slice(i + url.length)}
    </span>
  );
}

export function IssueList({ issues, onJump }: { issues: ModelIssue[]; onJump?: (issue: ModelIssue) => void }) {
  if (issues.length === 0) return null;
  return (
    <ul class="issues" data-testid="issues">
      {issues.map((issue) => (
        <li class={issue.severity}>
          <span class="sev">{issue.severity === "warning" ? t("edit.warning") : t("edit.error")}</span>{" "}
          {issue.position && (
            <button type="button" class="link" onClick={() => onJump?.(issue)} aria-label={t("edit.jumpTo", { line: int(issue.position.line), col: int(issue.position.col) })}>
              {t("edit.lineCol", { line: int(issue.position.line), col: int(issue.position.col) })}
            </button>
          )}{" "}
          <span dir="auto">{issueText(issue)}</span>
          {issue.path.length > 0 && <code class="path" dir="ltr">{issue.path.join(".")}</code>}
        </li>
      ))}
    </ul>
  );
}

/** Shown on every model page when the text no longer loads: the figures are from the last good version. */
export function StaleBanner() {
  const errors = problems.value.filter((p) => p.severity === "error");
  const failure = engineFailure.value;
  if (errors.length === 0 && !failure) return null;
  return (
    <div class="banner error" role="alert">
      <strong>{t("status.stale")}</strong> {failure ? issueText(failure) : issueText(errors[0])}
      {errors.length > 1 && ` ${t("status.more", { count: errors.length - 1, n: int(errors.length - 1) })}`}
    </div>
  );
}

export function JobBar({ kind, label, onStart, children }: { kind: JobKind; label: string; onStart: () => void; children?: ComponentChildren }) {
  const job = jobs.value[kind];
  const running = job && (job.status === "running" || job.status === "queued");
  const fraction = job && job.total > 0 ? Math.min(1, job.done / job.total) : 0;
  return (
    <div class="jobbar" data-testid={`job-${kind}`}>
      <div class="row">
        {children}
        <button type="button" class="primary" onClick={onStart} disabled={Boolean(running)}>{label}</button>
        {running && (
          <button type="button" onClick={() => void cancelJob(kind)} data-testid={`cancel-${kind}`}>{t("jobs.cancel")}</button>
        )}
      </div>
      {job && (
        <div class="progress-line">
          {/* A goal seek does not know how many trials it needs: its bar is indeterminate (no value) and counts trials. */}
          {job.status === "running" && job.total <= 0 ? <progress aria-label={t("jobs.progress", { label })} /> : <progress max={1} value={job.status === "done" ? 1 : fraction} aria-label={t("jobs.progress", { label })} />}
          <span role="status" aria-live="polite">
            {job.status === "queued" && t("jobs.queued")}
            {job.status === "running" && (job.total > 0 ? t("jobs.running", { done: int(job.done), total: int(job.total), pct: int(fraction * 100) }) : t("jobs.trials", { count: job.done, n: int(job.done) }))}
            {job.status === "done" && t("jobs.done")}
            {job.status === "cancelled" && t("jobs.cancelled")}
            {job.status === "failed" && `${t("jobs.failed")} ${job.error ? issueText(job.error) : ""}`}
          </span>
        </div>
      )}
    </div>
  );
}

export function Fact({ label, value, detail, tone, testid }: { label: string; value: ComponentChildren; detail?: ComponentChildren; tone?: "bad" | "good" | "neutral"; testid?: string }) {
  return (
    <div class={`fact ${tone ?? "neutral"}`} data-testid={testid}>
      <div class="fact-label">{label}</div>
      <div class="fact-value">
        {tone === "bad" && <span class="sign" aria-hidden="true">▼ </span>}
        {tone === "good" && <span class="sign" aria-hidden="true">▲ </span>}
        {value}
      </div>
      {detail && <div class="fact-detail">{detail}</div>}
    </div>
  );
}
