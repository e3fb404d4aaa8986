import { useEffect, useRef, useState } from "preact/hooks";
import type { ComponentChildren } from "preact";
import { FONT, PALETTE, type ChartOption } from "./style.js";

type Echarts = typeof import("./echarts.js").echarts;
type EchartsInstance = ReturnType<Echarts["init"]>;
let loading: Promise<Echarts> | null = null;
/** echarts in a chunk of its own, fetched once, when the first chart mounts. */
function loadEcharts(): Promise<Echarts> {
  return (loading ??= import("./echarts.js").then((m) => m.echarts));
}
import { t, lang } from "../i18n.js";

export interface ChartTable {
  columns: string[];
  rows: (string | number | null)[][];
  /** Cells as shown (formatted); the CSV keeps the raw values. */
  format?: (value: string | number | null, column: number) => string;
}

interface Props {
  id: string;
  title: string;
  description?: string;
  option: ChartOption | null;
  table: ChartTable;
  height?: number;
  children?: ComponentChildren;
}

function baseOption(option: ChartOption): ChartOption {
  return {
    color: PALETTE,
    textStyle: { fontFamily: FONT, fontSize: 12, color: "#1d2630" },
    aria: { enabled: true, decal: { show: false } },
    animationDuration: 250,
    ...option,
  };
}

function download(name: string, href: string): void {
  const a = document.createElement("a");
  a.href = href;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

function csvCell(value: string | number | null): string {
  if (value === null) return "";
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * A chart with its data table and downloads (PNG, SVG, CSV). The plot area is always laid
 * out left to right (time runs left to right in Arabic charts too); titles and the table
 * follow the page's direction.
 */
export function Chart({ id, title, description, option, table, height = 320, children }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<EchartsInstance | null>(null);
  const lib = useRef<Echarts | null>(null);
  const [ready, setReady] = useState(false);
  const [showTable, setShowTable] = useState(false);

  useEffect(() => {
    if (!box.current) return;
    let disposed = false;
    let observer: ResizeObserver | null = null;
    void loadEcharts().then((echarts) => {
      if (disposed || !box.current) return;
      lib.current = echarts;
      chart.current = echarts.init(box.current, null, { renderer: "canvas" });
      observer = new ResizeObserver(() => chart.current?.resize());
      observer.observe(box.current);
      setReady(true);
    });
    return () => {
      disposed = true;
      observer?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    if (chart.current && option) chart.current.setOption(baseOption(option), true);
  }, [option, lang.value, ready]);

  const fileBase = `${id}`;
  const png = () => {
    if (!chart.current) return;
    download(`${fileBase}.png`, chart.current.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#ffffff" }));
  };
  const svg = () => {
    const echarts = lib.current;
    if (!option || !box.current || !echarts) return;
    const ssr = echarts.init(null as unknown as HTMLElement, null, { renderer: "svg", ssr: true, width: box.current.clientWidth || 800, height });
    ssr.setOption({ ...baseOption(option), animation: false, backgroundColor: "#ffffff" });
    const text = ssr.renderToSVGString();
    ssr.dispose();
    download(`${fileBase}.svg`, URL.createObjectURL(new Blob([text], { type: "image/svg+xml" })));
  };
  const csv = () => {
    const lines = [table.columns.map(csvCell).join(","), ...table.rows.map((r) => r.map(csvCell).join(","))];
    download(`${fileBase}.csv`, URL.createObjectURL(new Blob([lines.join("\n") + "\n"], { type: "text/csv" })));
  };
  const fmt = table.format ?? ((v: string | number | null) => (v === null ? "–" : String(v)));

  return (
    <section class="card chart-card" aria-labelledby={`${id}-title`}>
      <header class="card-head">
        <h2 id={`${id}-title`}>{title}</h2>
        <div class="tools" role="group" aria-label={t("charts.downloads", { title })}>
          <button type="button" class="small" aria-pressed={showTable} onClick={() => setShowTable(!showTable)}>
            {showTable ? t("charts.hideTable") : t("charts.showTable")}
          </button>
          <button type="button" class="small" onClick={png} aria-label={t("charts.downloadAs", { title, format: "PNG" })}>PNG</button>
          <button type="button" class="small" onClick={svg} aria-label={t("charts.downloadAs", { title, format: "SVG" })}>SVG</button>
          <button type="button" class="small" onClick={csv} aria-label={t("charts.downloadAs", { title, format: "CSV" })}>CSV</button>
        </div>
      </header>
      {description && <p class="muted">{description}</p>}
      {children}
      <div class="plot" dir="ltr" ref={box} style={{ height: `${height}px` }} aria-busy={!ready} role="img" aria-label={`${title}. ${description ?? ""} ${t("charts.tableHint")}`} data-chart={id} />
      {showTable && (
        <div class="table-wrap chart-table" tabIndex={0} role="region" aria-label={t("charts.dataOf", { title })}>
          <table>
            <caption class="sr-only">{t("charts.dataOf", { title })}</caption>
            <thead>
              <tr>{table.columns.map((c) => <th scope="col">{c}</th>)}</tr>
            </thead>
            <tbody>
              {table.rows.map((row) => (
                <tr>{row.map((v, i) => (i === 0 ? <th scope="row">{fmt(v, i)}</th> : <td class="num">{fmt(v, i)}</td>))}</tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
