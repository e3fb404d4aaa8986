import type { Model } from "./schema.js";
import { parseMonth, monthSerial } from "./months.js";

export function horizonOf(model: Model): { start: number; end: number; length: number } {
  const start = monthSerial(parseMonth(model.meta.start)!);
  const end = model.meta.end !== undefined ? monthSerial(parseMonth(model.meta.end)!) : start + (model.meta.months ?? 0) - 1;
  return { start, end, length: end - start + 1 };
}
