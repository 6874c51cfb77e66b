/**
 * Gamma-Gamma spend model: Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005).
 * RFM and CLV: Using Iso-Value Curves for Customer Base Analysis. Journal of
 * Marketing Research 42(4), 415–430, with the likelihood and conditional mean
 * as in Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value".
 *
 * A customer's transaction values are Gamma(p, ν); ν varies across customers as
 * Gamma(q, γ). Only repeat buyers (x > 0) with a positive mean value inform it,
 * and it assumes spend is independent of purchase frequency.
 */
import { InternalError } from '../errors.ts';
import { digamma, lgamma } from './special.ts';

export interface GammaGammaParams extends Record<string, number> {
  p: number;
  q: number;
  /** γ, called `v` in lifetimes' output and in the CLI's JSON. */
  v: number;
}

export interface SpendData {
  /** Repeat purchases per row (x > 0). */
  readonly x: Float64Array;
  /** Mean value of those purchases (m_x > 0). */
  readonly m: Float64Array;
  readonly weight: Float64Array;
  readonly n: number;
  readonly customers: number;
  readonly xValues: Float64Array;
  readonly xIndex: Int32Array;
  /** Customers (total weight) per distinct x. */
  readonly weightByX: Float64Array;
  /** Σ over rows of weight·[(px−1)·ln m + px·ln x]'s data parts: Σ w·x·ln m, Σ w·ln m, Σ w·x·ln x. */
  readonly sums: { wxLnM: number; wLnM: number; wxLnX: number };
}

export class InvalidSpendError extends InternalError {
  override name = 'InvalidSpendError';
}

/**
 * Keeps the customers the model can use (x > 0, mean value > 0) and precomputes
 * the parameter-free parts of the likelihood. Returns also how many were left out.
 */
export function spendData(
  rows: ArrayLike<{ frequency: number; monetaryValue: number }>,
): SpendData & { excluded: number } {
  const x: number[] = [];
  const m: number[] = [];
  let excluded = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as { frequency: number; monetaryValue: number };
    if (!Number.isFinite(row.monetaryValue) || !Number.isFinite(row.frequency)) {
      throw new InvalidSpendError(`row ${i}: frequency and monetary value must be numbers`);
    }
    if (row.frequency > 0 && row.monetaryValue > 0) {
      x.push(row.frequency);
      m.push(row.monetaryValue);
    } else if (row.frequency > 0) {
      excluded++;
    }
  }
  const n = x.length;
  const xs = new Map<number, number>();
  const xIndex = new Int32Array(n);
  let wxLnM = 0;
  let wLnM = 0;
  let wxLnX = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i] as number;
    let k = xs.get(xi);
    if (k === undefined) xs.set(xi, (k = xs.size));
    xIndex[i] = k;
    const lnM = Math.log(m[i] as number);
    wxLnM += xi * lnM;
    wLnM += lnM;
    wxLnX += xi * Math.log(xi);
  }
  const weightByX = new Float64Array(xs.size);
  for (let i = 0; i < n; i++) {
    const k = xIndex[i] as number;
    weightByX[k] = (weightByX[k] as number) + 1;
  }
  return {
    x: Float64Array.from(x),
    m: Float64Array.from(m),
    weight: new Float64Array(n).fill(1),
    n,
    customers: n,
    xValues: Float64Array.from(xs.keys()),
    xIndex,
    weightByX,
    sums: { wxLnM, wLnM, wxLnX },
    excluded,
  };
}

/**
 * ln L = Σ [ ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln m_x + px ln x − (px+q) ln(γ + m_x x) ]
 */
export function gammaGammaLogLikelihood(
  { p, q, v }: GammaGammaParams,
  data: SpendData,
  grad?: Float64Array,
): number {
  const { x, m, weight, xValues, weightByX } = data;
  const nx = xValues.length;
  // The gamma-function terms depend on x only: once per distinct x, weighted by its customers.
  let ll = 0;
  let gP = 0;
  let gQ = 0;
  const lgQ = lgamma(q);
  const dQ = grad ? digamma(q) : 0;
  const lnV = Math.log(v);
  for (let k = 0; k < nx; k++) {
    const xk = xValues[k] as number;
    const wk = weightByX[k] as number;
    ll += wk * (lgamma(p * xk + q) - lgamma(p * xk) - lgQ + q * lnV);
    if (grad) {
      const dPxQ = digamma(p * xk + q);
      gP += wk * xk * (dPxQ - digamma(p * xk));
      gQ += wk * (dPxQ - dQ + lnV);
    }
  }
  const { wxLnM, wLnM, wxLnX } = data.sums;
  ll += p * wxLnM - wLnM + p * wxLnX;
  // The one per-customer term, −(px+q)·ln(γ + m_x·x): a single log per customer per evaluation.
  let sumPxqLn = 0;
  let sumWxLn = 0;
  let sumWLn = 0;
  let sumPxqOver = 0;
  for (let i = 0; i < data.n; i++) {
    const w = weight[i] as number;
    const xi = x[i] as number;
    const vmx = v + (m[i] as number) * xi;
    const pxq = p * xi + q;
    const ln = Math.log(vmx);
    sumPxqLn += w * pxq * ln;
    if (grad) {
      sumWxLn += w * xi * ln;
      sumWLn += w * ln;
      sumPxqOver += (w * pxq) / vmx;
    }
  }
  ll -= sumPxqLn;
  if (grad) {
    grad[0] = gP - sumWxLn + wxLnM + wxLnX;
    grad[1] = gQ - sumWLn;
    grad[2] = (q * data.customers) / v - sumPxqOver;
  }
  return ll;
}

export const gammaGamma = {
  name: 'gammaGamma' as const,
  paper:
    'Fader, Hardie & Lee (2005), RFM and CLV: Using Iso-Value Curves, Journal of Marketing Research 42(4)',
  paramNames: ['p', 'q', 'v'] as const,

  /** E[Z] for a new customer: p·γ/(q−1). */
  expectedMeanValue({ p, q, v }: GammaGammaParams): number {
    return (p * v) / (q - 1);
  },

  /**
   * E[M | x, m_x] = (q−1)/(px+q−1) · pγ/(q−1) + px/(px+q−1) · m_x : a weighted
   * mean of the population mean and the customer's own mean. With no repeat
   * purchase it is the population mean.
   */
  conditionalExpectedMeanValue({ p, q, v }: GammaGammaParams, x: number, m: number): number {
    if (x === 0 || !(m > 0)) return (p * v) / (q - 1);
    return (p * (v + x * m)) / (p * x + q - 1);
  },
};
