/**
 * A seeded simulator of the BG/NBD + Gamma-Gamma process, for benchmarks and
 * parameter-recovery tests: each customer is acquired on a random day of the
 * first `acquisitionDays`, buys as Poisson(λ) with λ ~ Gamma(r, α), drops out
 * after each purchase with probability p ~ Beta(a, b), and spends
 * Gamma(p_gg, ν) per purchase with ν ~ Gamma(q, γ). Purchase times are floored
 * to whole days, as a store's order dates are. Time unit: days.
 */
import type { BgNbdParams, CustomerSummary, GammaGammaParams } from '../shared/clv/index.ts';

export interface SimulationOptions {
  customers: number;
  seed?: number;
  bgnbd?: BgNbdParams;
  gammaGamma?: GammaGammaParams;
  acquisitionDays?: number;
  observationDays?: number;
  /**
   * 'day' floors purchase times to whole days and merges same-day purchases, as
   * a store's order dates do (and as the summaries are then compressed);
   * 'exact' keeps continuous times: the model's own process, for recovery checks.
   */
  grain?: 'day' | 'exact';
}

export const TRUE_BGNBD: BgNbdParams = { r: 0.25, alpha: 30, a: 0.8, b: 2.5 };
export const TRUE_GAMMA_GAMMA: GammaGammaParams = { p: 6, q: 4, v: 15 };

/** mulberry32: a small, fast, well-mixed 32-bit generator; reproducible from its seed. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** Gamma(shape, rate) by Marsaglia & Tsang (2000), with the shape < 1 boost. */
export function gamma(u: () => number, shape: number, rate: number): number {
  if (shape < 1) return gamma(u, shape + 1, rate) * Math.pow(1 - u(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(u);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const w = 1 - u();
    if (Math.log(w) < 0.5 * x * x + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

export function simulateSummaries(options: SimulationOptions): CustomerSummary[] {
  const u = rng(options.seed ?? 42);
  const { r, alpha, a, b } = options.bgnbd ?? TRUE_BGNBD;
  const gg = options.gammaGamma ?? TRUE_GAMMA_GAMMA;
  const acquisition = options.acquisitionDays ?? 90;
  const end = options.observationDays ?? 365;
  const exact = options.grain === 'exact';
  const out: CustomerSummary[] = new Array(options.customers);
  for (let i = 0; i < options.customers; i++) {
    const firstDay = Math.floor(u() * acquisition);
    const T = end - firstDay;
    const lambda = gamma(u, r, alpha);
    const ga = gamma(u, a, 1);
    const p = ga / (ga + gamma(u, b, 1));
    const nu = gamma(u, gg.q, gg.v);
    let t = 0;
    let lastDay = 0;
    let x = 0;
    let spend = 0;
    const firstValue = gamma(u, gg.p, nu);
    // BG/NBD: dropout is decided after each repeat purchase, never after the first (that is MBG/NBD).
    for (;;) {
      t += -Math.log(1 - u()) / lambda;
      if (t > T) break;
      const day = exact ? t : Math.floor(t);
      const value = gamma(u, gg.p, nu);
      if (day !== lastDay) {
        x++;
        lastDay = day;
      }
      spend += value;
      if (u() < p) break;
    }
    out[i] = {
      customerId: String(i),
      frequency: x,
      recency: lastDay,
      T,
      monetaryValue: x > 0 ? spend / x : 0,
      monetaryMargin: null,
      firstPurchaseDay: firstDay,
      lastPurchaseDay: firstDay + lastDay,
      purchaseDays: x + 1,
      totalValue: firstValue + spend,
      totalMargin: null,
      firstValue,
    };
  }
  return out;
}
