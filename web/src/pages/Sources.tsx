import { useMemo, useState } from "preact/hooks";
import { listSources } from "../../../src/browser.js";
import { evaluation } from "../store.js";
import { t, num, int } from "../i18n.js";
import { SourceText } from "../components.js";

export function SourcesPage() {
  const e = evaluation.value!;
  const listing = useMemo(() => listSources(e.loaded), [e.loaded]);
  const [query, setQuery] = useState("");
  const [kind, setKind] = useState<"all" | "source" | "assumption" | "none">("all");
  const q = query.trim().toLowerCase();
  const rows = listing.inputs.filter((i) => (kind === "all" || (kind === "source" ? i.kind === "source" || i.kind === "both" : i.kind === kind)) && (!q || i.path.toLowerCase().includes(q) || (i.source ?? "").toLowerCase().includes(q) || (i.assumption ?? "").toLowerCase().includes(q)));
  const c = listing.counts;
  return (
    <>
      <h1>{t("sources.title", { company: listing.model })}</h1>
      <p class="lede">{t("sources.summary", { inputs: int(c.inputs), sourced: int(c.sourced), assumed: int(c.assumptionOnly), uncited: int(c.uncited) })}</p>
      <div class="toolbar row">
        <label class="inline grow">
          <span>{t("sources.search")}</span>
          <input type="search" value={query} onInput={(ev) => setQuery((ev.target as HTMLInputElement).value)} />
        </label>
        <label class="inline">
          <span>{t("sources.show")}</span>
          <select value={kind} onChange={(ev) => setKind((ev.target as HTMLSelectElement).value as typeof kind)}>
            <option value="all">{t("sources.all")}</option>
            <option value="source">{t("sources.withSource")}</option>
            <option value="assumption">{t("sources.assumptionOnly")}</option>
            <option value="none">{t("sources.uncitedOnly")}</option>
          </select>
        </label>
        <span class="muted" role="status">{t("sources.shown", { n: int(rows.length) })}</span>
      </div>
      <div class="table-wrap" role="region" tabIndex={0} aria-label={t("sources.title", { company: listing.model })}>
        <table class="compact sources" data-testid="sources-table">
          <thead>
            <tr>
              <th scope="col">{t("sources.input")}</th>
              <th scope="col">{t("sources.value")}</th>
              <th scope="col">{t("sources.kind")}</th>
              <th scope="col">{t("sources.citation")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, 600).map((i) => (
              <tr>
                <th scope="row"><code dir="ltr">{i.path}</code>{i.position && <div class="muted small">{t("edit.lineCol", { line: int(i.position.line), col: int(i.position.col) })}</div>}</th>
                <td class="num" dir="ltr">{typeof i.value === "number" ? num(i.value, Math.abs(i.value) < 10 && !Number.isInteger(i.value) ? 4 : Number.isInteger(i.value) ? 0 : 2, { parentheses: false }) : i.value}</td>
                <td><span class={`kind ${i.kind}`}>{t(`sources.kinds.${i.kind}`)}</span>{i.citedOn && i.citedOn !== "value" && <div class="muted small" dir="ltr">{t("sources.on", { path: i.citedOn || "/" })}</div>}</td>
                <td class="citation">
                  {i.source && <div><SourceText text={i.source} /></div>}
                  {i.assumption && <div class="assumption"><span class="muted">{t("common:words.assumption")}: </span><span dir="auto">{i.assumption}</span></div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length > 600 && <p class="muted">{t("sources.truncated", { n: int(rows.length - 600) })}</p>}
      </div>
    </>
  );
}
