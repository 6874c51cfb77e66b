/**
 * A seeded simulator of the BG/NBD + Gamma-Gamma process, for benchmarks,
 * parameter-recovery tests and `clv example`: each customer is acquired on a
 * random day of the first `acquisitionDays`, buys as Poisson(λ) with
 * λ ~ Gamma(r, α), drops out after each repeat purchase with probability
 * p ~ Beta(a, b), and spends Gamma(p_gg, ν) per purchase with ν ~ Gamma(q, γ).
 * Time unit: days. Pure: the same options give the same customers on any
 * machine (mulberry32 and V8's fdlibm-based Math are both deterministic).
 */
import type { BgNbdParams } from './bg-nbd.ts';
import type { GammaGammaParams } from './gamma-gamma.ts';
import type { Purchase } from './purchases.ts';
import { DAY_MS } from './purchases.ts';
import type { CustomerSummary } from './summarize.ts';

export interface ProcessOptions {
  customers: number;
  seed?: number;
  bgnbd?: BgNbdParams;
  gammaGamma?: GammaGammaParams;
  acquisitionDays?: number;
  observationDays?: number;
}

export interface SimulationOptions extends ProcessOptions {
  /**
   * 'day' floors purchase times to whole days and merges same-day purchases, as
   * a store's order dates do (and as the summaries are then compressed);
   * 'exact' keeps continuous times: the model's own process, for recovery checks.
   */
  grain?: 'day' | 'exact';
}

/** The parameters the simulator uses unless told otherwise; α and so λ are per day. */
export const TRUE_BGNBD: BgNbdParams = { r: 0.25, alpha: 30, a: 0.8, b: 2.5 };
export const TRUE_GAMMA_GAMMA: GammaGammaParams = { p: 6, q: 4, v: 15 };
export const DEFAULT_SEED = 42;
export const DEFAULT_ACQUISITION_DAYS = 90;
export const DEFAULT_OBSERVATION_DAYS = 365;

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

/** One simulated customer: days since the simulation start, continuous purchase times. */
export interface SimulatedCustomer {
  customerId: string;
  /** Whole day of the first purchase, in [0, acquisitionDays). */
  firstDay: number;
  /** Days from the first purchase to the end of observation. */
  T: number;
  firstValue: number;
  /** Repeat purchases: `t` in days after the first purchase, 0 < t <= T. */
  repeats: { t: number; value: number }[];
}

/**
 * The process itself, one customer at a time (so a million customers need not be held at once).
 * The order of the random draws is part of the contract: the bench figures and the example
 * output in docs/cli.md depend on it.
 */
export function* simulateCustomers(options: ProcessOptions): Generator<SimulatedCustomer> {
  const u = rng(options.seed ?? DEFAULT_SEED);
  const { r, alpha, a, b } = options.bgnbd ?? TRUE_BGNBD;
  const gg = options.gammaGamma ?? TRUE_GAMMA_GAMMA;
  const acquisition = options.acquisitionDays ?? DEFAULT_ACQUISITION_DAYS;
  const end = options.observationDays ?? DEFAULT_OBSERVATION_DAYS;
  for (let i = 0; i < options.customers; i++) {
    const firstDay = Math.floor(u() * acquisition);
    const T = end - firstDay;
    const lambda = gamma(u, r, alpha);
    const ga = gamma(u, a, 1);
    const p = ga / (ga + gamma(u, b, 1));
    const nu = gamma(u, gg.q, gg.v);
    const firstValue = gamma(u, gg.p, nu);
    const repeats: { t: number; value: number }[] = [];
    let t = 0;
    // BG/NBD: dropout is decided after each repeat purchase, never after the first (that is MBG/NBD).
    for (;;) {
      t += -Math.log(1 - u()) / lambda;
      if (t > T) break;
      repeats.push({ t, value: gamma(u, gg.p, nu) });
      if (u() < p) break;
    }
    yield { customerId: String(i), firstDay, T, firstValue, repeats };
  }
}

export function simulateSummaries(options: SimulationOptions): CustomerSummary[] {
  const exact = options.grain === 'exact';
  const out: CustomerSummary[] = new Array(options.customers);
  let i = 0;
  for (const c of simulateCustomers(options)) {
    let lastDay = 0;
    let x = 0;
    let spend = 0;
    for (const { t, value } of c.repeats) {
      const day = exact ? t : Math.floor(t);
      if (day !== lastDay) {
        x++;
        lastDay = day;
      }
      spend += value;
    }
    out[i++] = {
      customerId: c.customerId,
      frequency: x,
      recency: lastDay,
      T: c.T,
      monetaryValue: x > 0 ? spend / x : 0,
      monetaryMargin: null,
      firstPurchaseDay: c.firstDay,
      lastPurchaseDay: c.firstDay + lastDay,
      purchaseDays: x + 1,
      totalValue: c.firstValue + spend,
      totalMargin: null,
      firstValue: c.firstValue,
    };
  }
  return out;
}

/**
 * The same customers as dated transactions, the way a store's export records them: each purchase on
 * its whole UTC day, `startDay` (a day number) being day 0 of the simulation. Observation ends at the
 * start of day `startDay + observationDays`: summarised with that as the observation end, these give
 * `simulateSummaries({ grain: 'day' })`'s frequency, recency and T.
 */
export function simulateTransactions(options: ProcessOptions & { startDay: number }): Purchase[] {
  const out: Purchase[] = [];
  for (const c of simulateCustomers(options)) {
    const first = options.startDay + c.firstDay;
    out.push({ customerId: c.customerId, at: first * DAY_MS, amount: c.firstValue });
    for (const { t, value } of c.repeats)
      out.push({ customerId: c.customerId, at: (first + Math.floor(t)) * DAY_MS, amount: value });
  }
  return out;
}
