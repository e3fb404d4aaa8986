/** Colours told apart by people with the common colour-vision deficiencies; series also differ by dash and marker. */
export const PALETTE = ["#1f5fa8", "#c0501f", "#1a7f6e", "#7a4fa8", "#56606b", "#a67c00", "#b83a6e", "#3d8fd1"];
export const DASHES = ["solid", "dashed", "dotted", "solid", "dashed", "dotted", "solid", "dashed"] as const;
export const SYMBOLS = ["circle", "rect", "triangle", "diamond", "emptyCircle", "emptyRect", "emptyTriangle", "pin"] as const;
export const FONT = 'system-ui, "Segoe UI", "Noto Sans", "Noto Naskh Arabic", "DejaVu Sans", sans-serif';
/**
 * An echarts option, typed loosely here so that pages can build options without importing
 * echarts (it is loaded, in its own chunk, only when a chart is shown).
 */
export type ChartOption = Record<string, unknown>;
