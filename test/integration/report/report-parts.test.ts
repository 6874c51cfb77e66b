/**
 * The report's pure parts on generated data (no store): the bounded top-N selection against a full
 * sort, and the histogram's bins against direct counting, including the degenerate shapes.
 */
import { describe, expect, it } from 'vitest';
import { rng } from '../../../shared/clv/simulate.ts';
import { clvHistogram, niceCeil } from '../../../shared/report/histogram.ts';
import { TopN } from '../../../shared/report/top-n.ts';

const sorted = (xs: number[]) => Float64Array.from(xs).sort();

function countsMatch(values: number[], bins: ReturnType<typeof clvHistogram>) {
  expect(bins.reduce((a, b) => a + b.customers, 0)).toBe(values.length);
  bins.forEach((b, i) => {
    const last = i === bins.length - 1;
    expect(b.customers).toBe(
      values.filter((v) => v >= b.low && (v < b.high || (last && v <= b.high))).length,
    );
    if (i > 0) expect(b.low).toBe(bins[i - 1]!.high);
  });
}

describe('TopN', () => {
  it('keeps the same best N as sorting everything, in order', () => {
    const u = rng(7);
    const items = Array.from({ length: 5000 }, (_, i) => ({ id: i, v: Math.floor(u() * 300) }));
    const compare = (a: { id: number; v: number }, b: { id: number; v: number }) => b.v - a.v || a.id - b.id;
    for (const n of [0, 1, 7, 100, 6000]) {
      const top = new TopN(n, compare);
      for (const item of items) top.offer(item);
      expect(top.result()).toEqual([...items].sort(compare).slice(0, n));
    }
  });
});

describe('clvHistogram', () => {
  it('bins a heavy tail linearly up to the 99th percentile, with one tail bin to the maximum', () => {
    const u = rng(3);
    const values = Array.from({ length: 10_000 }, () => Math.round(100 * (20 / (1 - u()) ** 0.8)) / 100);
    const bins = clvHistogram(sorted(values), 10);
    countsMatch(values, bins);
    expect(bins.length).toBeLessThanOrEqual(11);
    const width = bins[0]!.high - bins[0]!.low;
    expect([1, 2, 2.5, 5]).toContain(width / 10 ** Math.floor(Math.log10(width)));
    const tail = bins.at(-1)!;
    expect(tail.high).toBe(Math.max(...values));
    expect(tail.customers).toBeGreaterThan(0);
    expect(tail.customers).toBeLessThanOrEqual(0.011 * values.length);
  });

  it('gives one bin when everyone has the same value, none when there is nobody', () => {
    expect(clvHistogram(sorted([12.5, 12.5, 12.5]))).toEqual([{ low: 12.5, high: 12.5, customers: 3 }]);
    expect(clvHistogram(sorted([]))).toEqual([]);
  });

  it('bins to the maximum without a tail when 99 % share one value', () => {
    const values = [...Array.from({ length: 995 }, () => 0), 3, 10, 40, 41, 80];
    const bins = clvHistogram(sorted(values), 4);
    countsMatch(values, bins);
    expect(bins.at(-1)!.high).toBeGreaterThanOrEqual(80);
  });

  it('rounds bin widths up to 1, 2, 2.5 or 5 × 10^k', () => {
    expect([0.7, 1, 1.1, 2.2, 3, 7, 12, 4300].map(niceCeil)).toEqual([1, 1, 2, 2.5, 5, 10, 20, 5000]);
  });
});
