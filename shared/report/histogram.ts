/**
 * A readable histogram of predicted CLV. CLV is heavy-tailed: linear bins up to the largest value
 * would put nearly everyone in the first bar. So the linear range is capped at the 99th percentile,
 * rounded up to a "nice" bin width (1, 2, 2.5 or 5 × 10^k, so the edges read $0, $50, $100 …), and
 * everything above the cap goes into one last tail bin [cap, max]. Bins are [low, high), the last
 * one closed; their counts add up to the number of values.
 */
export interface HistogramBin {
  low: number;
  high: number;
  customers: number;
}

const NICE = [1, 2, 2.5, 5, 10];

/** The smallest nice width ≥ `x`. */
export function niceCeil(x: number): number {
  const scale = 10 ** Math.floor(Math.log10(x));
  const nice = NICE.find((m) => m * scale >= x * (1 - 1e-12)) ?? 10;
  return nice * scale;
}

/** Edges without binary noise (0.1 · 3 = 0.30000000000000004). */
const clean = (x: number) => Number(x.toPrecision(12));

/** `sorted` ascending; `bins` is the number of linear bins wanted before the tail. */
export function clvHistogram(sorted: Float64Array, bins = 10): HistogramBin[] {
  const n = sorted.length;
  if (n === 0) return [];
  const min = sorted[0]!;
  const max = sorted[n - 1]!;
  if (max === min) return [{ low: min, high: max, customers: n }];
  let cap = sorted[Math.floor(0.99 * (n - 1))]!;
  if (cap <= min) cap = max; // 99 % share one value: no tail worth separating
  const step = niceCeil((cap - min) / Math.max(1, Math.floor(bins)));
  const start = clean(Math.floor(min / step) * step);
  const linear = Math.max(1, Math.ceil(clean((cap - start) / step)));
  const edges = Array.from({ length: linear + 1 }, (_, i) => clean(start + i * step));
  const top = edges[linear]!;
  const out: HistogramBin[] = edges
    .slice(0, linear)
    .map((low, i) => ({ low, high: edges[i + 1]!, customers: 0 }));
  const tail = max > top ? { low: top, high: max, customers: 0 } : null;
  if (tail) out.push(tail);
  // One pass over the sorted values, moving to the next bin as values pass its upper edge.
  let bin = 0;
  for (let i = 0; i < n; i++) {
    const v = sorted[i]!;
    while (bin < out.length - 1 && v >= out[bin]!.high) bin++;
    out[bin]!.customers++;
  }
  return out;
}
