/**
 * Charts as inline SVG, drawn from the numbers (no script, no network): they print sharp
 * and open anywhere. Time runs left to right in every language.
 */
const W = 720;
const H = 250;
const M = { left: 70, right: 16, top: 16, bottom: 34 };

export interface LineSeries {
  values: ArrayLike<number | null>;
  label: string;
  color: string;
  dash?: boolean;
}

export interface Band {
  low: ArrayLike<number | null>;
  high: ArrayLike<number | null>;
  label: string;
  color: string;
  opacity: number;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Round tick values: 1, 2 or 5 × a power of ten. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) {
    const v = Number.isFinite(min) ? min : 0;
    return [v - 1, v, v + 1];
  }
  const raw = (max - min) / count;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const out: number[] = [];
  for (let v = Math.floor(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  if (out[out.length - 1] < max) out.push(out[out.length - 1] + step);
  return out;
}

function frame(yTicks: number[], format: (v: number) => string, y: (v: number) => number, xLabels: { at: number; text: string }[]): string {
  const parts: string[] = [];
  for (const v of yTicks) {
    const py = y(v).toFixed(1);
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${py}" y2="${py}" stroke="${v === 0 ? "#888" : "#e3e3e3"}" stroke-width="${v === 0 ? 1 : 0.7}"/>`);
    parts.push(`<text x="${M.left - 6}" y="${py}" dy="0.32em" text-anchor="end" class="tick">${esc(format(v))}</text>`);
  }
  for (const l of xLabels) parts.push(`<text x="${l.at.toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="middle" class="tick">${esc(l.text)}</text>`);
  return parts.join("");
}

function legend(items: { label: string; color: string; kind: "line" | "box" | "dash"; opacity?: number }[]): string {
  let x = M.left;
  return items
    .map((i) => {
      const mark = i.kind === "box" ? `<rect x="${x}" y="${H - 12}" width="12" height="9" fill="${i.color}" fill-opacity="${i.opacity ?? 1}"/>` : `<line x1="${x}" x2="${x + 14}" y1="${H - 7}" y2="${H - 7}" stroke="${i.color}" stroke-width="2" ${i.kind === "dash" ? 'stroke-dasharray="4 3"' : ""}/>`;
      const out = `${mark}<text x="${x + 18}" y="${H - 3}" class="legend">${esc(i.label)}</text>`;
      x += 30 + i.label.length * 6.5;
      return out;
    })
    .join("");
}

/** A monthly line chart with optional bands (a fan) and a horizontal reference line. */
export function lineChart(options: { months: string[]; series: LineSeries[]; bands?: Band[]; reference?: { value: number; label: string }; format: (v: number) => string; title: string }): string {
  const n = options.months.length;
  const all: number[] = [];
  for (const s of options.series) for (let i = 0; i < n; i++) if (s.values[i] !== null && Number.isFinite(s.values[i] as number)) all.push(s.values[i] as number);
  for (const b of options.bands ?? []) for (let i = 0; i < n; i++) for (const v of [b.low[i], b.high[i]]) if (v !== null && Number.isFinite(v as number)) all.push(v as number);
  if (options.reference) all.push(options.reference.value);
  all.push(0);
  const ticks = niceTicks(Math.min(...all), Math.max(...all));
  const lo = ticks[0];
  const hi = ticks[ticks.length - 1];
  const x = (i: number) => M.left + ((W - M.left - M.right) * i) / Math.max(1, n - 1);
  const y = (v: number) => M.top + ((H - M.top - M.bottom) * (hi - v)) / (hi - lo);
  const xLabels = options.months.map((m, i) => ({ m, i })).filter(({ m, i }) => m.endsWith("-01") || i === 0).map(({ m, i }) => ({ at: x(i), text: m.slice(0, 4) }));
  const parts: string[] = [frame(ticks, options.format, y, xLabels)];
  for (const b of options.bands ?? []) {
    const top: string[] = [];
    const bottom: string[] = [];
    for (let i = 0; i < n; i++) {
      if (b.high[i] === null || b.low[i] === null) continue;
      top.push(`${x(i).toFixed(1)},${y(b.high[i] as number).toFixed(1)}`);
      bottom.unshift(`${x(i).toFixed(1)},${y(b.low[i] as number).toFixed(1)}`);
    }
    parts.push(`<polygon points="${[...top, ...bottom].join(" ")}" fill="${b.color}" fill-opacity="${b.opacity}"/>`);
  }
  if (options.reference) {
    const py = y(options.reference.value).toFixed(1);
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${py}" y2="${py}" stroke="#b22" stroke-dasharray="5 4" stroke-width="1"/>`);
  }
  for (const s of options.series) {
    const points: string[] = [];
    for (let i = 0; i < n; i++) if (s.values[i] !== null && Number.isFinite(s.values[i] as number)) points.push(`${x(i).toFixed(1)},${y(s.values[i] as number).toFixed(1)}`);
    parts.push(`<polyline points="${points.join(" ")}" fill="none" stroke="${s.color}" stroke-width="2" ${s.dash ? 'stroke-dasharray="5 4"' : ""}/>`);
  }
  const items: { label: string; color: string; kind: "line" | "box" | "dash"; opacity?: number }[] = [
    ...options.series.map((s) => ({ label: s.label, color: s.color, kind: (s.dash ? "dash" : "line") as "line" | "dash" })),
    ...(options.bands ?? []).map((b) => ({ label: b.label, color: b.color, kind: "box" as const, opacity: b.opacity })),
    ...(options.reference ? [{ label: options.reference.label, color: "#b22", kind: "dash" as const }] : []),
  ];
  return svg(options.title, parts.join("") + legend(items));
}

/** Grouped bars by category (fiscal years), one colour per series. */
export function barChart(options: { categories: string[]; series: { label: string; color: string; values: (number | null)[] }[]; format: (v: number) => string; title: string; line?: { label: string; color: string; values: (number | null)[] } }): string {
  const all = [0, ...options.series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v))), ...(options.line?.values.filter((v): v is number => v !== null) ?? [])];
  const ticks = niceTicks(Math.min(...all), Math.max(...all));
  const lo = ticks[0];
  const hi = ticks[ticks.length - 1];
  const y = (v: number) => M.top + ((H - M.top - M.bottom) * (hi - v)) / (hi - lo);
  const n = options.categories.length;
  const slot = (W - M.left - M.right) / Math.max(1, n);
  const k = options.series.length;
  const barWidth = Math.min(40, (slot * 0.7) / Math.max(1, k));
  const center = (i: number) => M.left + slot * (i + 0.5);
  const parts: string[] = [frame(ticks, options.format, y, options.categories.map((c, i) => ({ at: center(i), text: c })))];
  options.series.forEach((s, j) => {
    s.values.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) return;
      const x0 = center(i) - (barWidth * k) / 2 + j * barWidth;
      const top = Math.min(y(v), y(0));
      parts.push(`<rect x="${x0.toFixed(1)}" y="${top.toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${Math.abs(y(v) - y(0)).toFixed(1)}" fill="${s.color}"/>`);
    });
  });
  if (options.line) {
    const pts = options.line.values.map((v, i) => (v === null ? null : `${center(i).toFixed(1)},${y(v).toFixed(1)}`)).filter((p): p is string => p !== null);
    parts.push(`<polyline points="${pts.join(" ")}" fill="none" stroke="${options.line.color}" stroke-width="2"/>`);
  }
  const items = [...options.series.map((s) => ({ label: s.label, color: s.color, kind: "box" as const })), ...(options.line ? [{ label: options.line.label, color: options.line.color, kind: "line" as const }] : [])];
  return svg(options.title, parts.join("") + legend(items));
}

/** Horizontal bars around a centre value, widest swing on top. */
export function tornadoChart(options: { rows: { label: string; low: number; high: number }[]; centre: number; format: (v: number) => string; title: string; lowLabel: string; highLabel: string }): string {
  const rows = options.rows.slice(0, 12);
  const height = 40 + rows.length * 22;
  const labelWidth = 190;
  const values = [options.centre, ...rows.flatMap((r) => [r.low, r.high])];
  const ticks = niceTicks(Math.min(...values), Math.max(...values), 4);
  const lo = ticks[0];
  const hi = ticks[ticks.length - 1];
  const x = (v: number) => labelWidth + ((W - labelWidth - M.right) * (v - lo)) / (hi - lo);
  const parts: string[] = [];
  for (const v of ticks) parts.push(`<line x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="10" y2="${height - 28}" stroke="#e3e3e3"/><text x="${x(v).toFixed(1)}" y="${height - 16}" text-anchor="middle" class="tick">${esc(options.format(v))}</text>`);
  rows.forEach((r, i) => {
    const yy = 14 + i * 22;
    const a = x(Math.min(r.low, options.centre));
    const b = x(Math.max(r.low, options.centre));
    const c = x(Math.min(r.high, options.centre));
    const d = x(Math.max(r.high, options.centre));
    parts.push(`<text x="${labelWidth - 8}" y="${yy + 8}" text-anchor="end" class="tick">${esc(r.label)}</text>`);
    parts.push(`<rect x="${a.toFixed(1)}" y="${yy}" width="${Math.max(0.5, b - a).toFixed(1)}" height="16" fill="#c0504d"/>`);
    parts.push(`<rect x="${c.toFixed(1)}" y="${yy}" width="${Math.max(0.5, d - c).toFixed(1)}" height="16" fill="#4f81bd"/>`);
  });
  parts.push(`<line x1="${x(options.centre).toFixed(1)}" x2="${x(options.centre).toFixed(1)}" y1="8" y2="${height - 28}" stroke="#333"/>`);
  parts.push(`<rect x="${labelWidth}" y="${height - 11}" width="12" height="9" fill="#c0504d"/><text x="${labelWidth + 16}" y="${height - 3}" class="legend">${esc(options.lowLabel)}</text>`);
  parts.push(`<rect x="${labelWidth + 200}" y="${height - 11}" width="12" height="9" fill="#4f81bd"/><text x="${labelWidth + 216}" y="${height - 3}" class="legend">${esc(options.highLabel)}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${height}" width="100%" role="img" aria-label="${esc(options.title)}" dir="ltr">${parts.join("")}</svg>`;
}

function svg(title: string, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(title)}" dir="ltr">${body}</svg>`;
}
