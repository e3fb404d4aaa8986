/**
 * Every scalar input of a compiled model lives in one Float64Array, addressed by the
 * key's dotted path. Scenarios, Monte Carlo draws and the solver change numbers here
 * and re-evaluate, without parsing or compiling again.
 */
export type ParamKind = "number" | "month";

export class ParamTable {
  readonly paths: string[] = [];
  readonly kinds: ParamKind[] = [];
  private readonly values: number[] = [];
  private readonly index = new Map<string, number>();

  add(path: string, value: number, kind: ParamKind = "number"): number {
    const existing = this.index.get(path);
    if (existing !== undefined) return existing;
    const slot = this.values.length;
    this.paths.push(path);
    this.kinds.push(kind);
    this.values.push(value);
    this.index.set(path, slot);
    return slot;
  }

  slot(path: string): number | undefined {
    return this.index.get(path);
  }

  freeze(): Float64Array {
    return Float64Array.from(this.values);
  }
}
