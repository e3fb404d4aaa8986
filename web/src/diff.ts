/** A line diff (longest common subsequence), as hunks with a few lines of context. */
export interface DiffLine {
  kind: " " | "+" | "-";
  text: string;
  oldNo: number | null;
  newNo: number | null;
}

export function diffLines(a: string, b: string, context = 2): DiffLine[][] {
  const x = a.split("\n");
  const y = b.split("\n");
  // Trim the common head and tail first: edits are usually small.
  let head = 0;
  while (head < x.length && head < y.length && x[head] === y[head]) head++;
  let tail = 0;
  while (tail < x.length - head && tail < y.length - head && x[x.length - 1 - tail] === y[y.length - 1 - tail]) tail++;
  const xs = x.slice(head, x.length - tail);
  const ys = y.slice(head, y.length - tail);
  const n = xs.length, m = ys.length;
  const lcs = new Int32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i * (m + 1) + j] = xs[i] === ys[j] ? lcs[(i + 1) * (m + 1) + j + 1] + 1 : Math.max(lcs[(i + 1) * (m + 1) + j], lcs[i * (m + 1) + j + 1]);
  const lines: DiffLine[] = [];
  for (let k = 0; k < head; k++) lines.push({ kind: " ", text: x[k], oldNo: k + 1, newNo: k + 1 });
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && xs[i] === ys[j]) lines.push({ kind: " ", text: xs[i], oldNo: head + i++ + 1, newNo: head + j++ + 1 });
    else if (j < m && (i === n || lcs[i * (m + 1) + j + 1] >= lcs[(i + 1) * (m + 1) + j])) lines.push({ kind: "+", text: ys[j], oldNo: null, newNo: head + j++ + 1 });
    else lines.push({ kind: "-", text: xs[i], oldNo: head + i++ + 1, newNo: null });
  }
  for (let k = 0; k < tail; k++) lines.push({ kind: " ", text: x[x.length - tail + k], oldNo: x.length - tail + k + 1, newNo: y.length - tail + k + 1 });
  const keep = new Uint8Array(lines.length);
  lines.forEach((line, idx) => {
    if (line.kind !== " ") for (let c = Math.max(0, idx - context); c <= Math.min(lines.length - 1, idx + context); c++) keep[c] = 1;
  });
  const hunks: DiffLine[][] = [];
  let current: DiffLine[] | null = null;
  lines.forEach((line, idx) => {
    if (!keep[idx]) {
      current = null;
      return;
    }
    if (!current) hunks.push((current = []));
    current.push(line);
  });
  return hunks;
}
