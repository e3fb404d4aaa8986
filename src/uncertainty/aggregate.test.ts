import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Moments, RankSketch } from "./math/sketch.js";
import { finishSketchedRun, mergeSketchedColumns, packValues, writeExactColumns, type ChunkResult } from "./aggregate.js";

/** A chunk result of `columns` columns, column 0 exact and the others sketched with k (as ChunkCollector.finish makes it). */
function chunkResult(values: number[], count: number, columns: number, k: number, chunk: number): ChunkResult {
  const v = Float64Array.from(values);
  const runs = new Int32Array(3 * columns);
  const errors = new Float64Array(columns);
  const moments = new Float64Array(6 * columns);
  const extras: number[] = [];
  const m = new Moments();
  for (let c = 1; c < columns; c++) {
    const compacted = finishSketchedRun(v, c * count, count, k, chunk, m);
    moments.set([m.count, m.sum, m.compensation, m.min, m.max, m.nonFinite], 6 * c);
    runs.set([compacted.length, compacted.level, compacted.sorted ? 1 : 0], 3 * c);
    errors[c] = compacted.error;
    for (let e = 0; e < compacted.extraValues.length; e++) extras.push(c, compacted.extraValues[e], compacted.extraLevels[e]);
  }
  const none = new Float64Array(0);
  return { chunk, start: chunk * count, count, values: v, runs, errors, moments, extras, cashOutMonth: none, breakevenMonth: none, anyCovenantBreach: 0, kept: [], invalid: 0, invalidByReason: [], invalidExamples: [] };
}

/** What the chunks add up to: the exact column, and each sketched column's moments and sketch, as bits. */
function merged(results: ChunkResult[], columns: number, k: number): string {
  const paths = results.reduce((n, r) => n + r.count, 0);
  const exact = Array.from({ length: columns }, (_, c) => (c === 0 ? new Float64Array(paths) : null));
  const sketches = Array.from({ length: columns }, (_, c) => (c === 0 ? null : new RankSketch(k)));
  const moments = Array.from({ length: columns }, (_, c) => (c === 0 ? null : new Moments()));
  for (const r of results) {
    writeExactColumns(r, exact);
    mergeSketchedColumns(r, moments, sketches);
  }
  const bits = (xs: ArrayLike<number>) => Array.from(new BigUint64Array(Float64Array.from(xs).buffer), String).join(" ");
  return [bits(exact[0]!), ...sketches.map((s) => (s ? JSON.stringify(s.toJSON().levels.map(bits)) : "")), ...moments.map((m) => JSON.stringify(m?.toJSON()))].join("\n");
}

describe("chunk results with packed values", () => {
  it("merge as the same results unpacked: exact columns, halved sketched runs and their odd items out", () => {
    const value = fc.oneof(fc.integer({ min: -20, max: 20 }), fc.constantFrom(NaN, -0, Infinity), fc.double({ noNaN: true }));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 60 }), fc.constantFrom(2, 5, 16), fc.array(fc.array(value, { minLength: 240, maxLength: 240 }), { minLength: 1, maxLength: 4 }), (columns, count, k, chunks) => {
        const unpacked = chunks.map((values, chunk) => chunkResult(values.slice(0, columns * count), count, columns, k, chunk));
        const packed = chunks.map((values, chunk) => {
          const r = chunkResult(values.slice(0, columns * count), count, columns, k, chunk);
          // As a worker posts it: the exact column whole, each sketched column's run alone.
          const p = packValues(r, (c) => (c === 0 ? r.count : r.runs[3 * c]));
          expect(p.values.length).toBe(count + Array.from({ length: columns - 1 }, (_, c) => r.runs[3 * (c + 1)]).reduce((a, b) => a + b, 0));
          return p;
        });
        expect(merged(packed, columns, k)).toBe(merged(unpacked, columns, k));
      }),
      { numRuns: 300 },
    );
  });
});
