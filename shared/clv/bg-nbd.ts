/**
 * BG/NBD: Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting Your
 * Customers" the Easy Way: An Alternative to the Pareto/NBD Model. Marketing
 * Science 24(2), 275–284. Equation numbers below are the paper's.
 *
 * While alive a customer buys as Poisson(λ), λ ~ Gamma(r, α); after each
 * purchase they drop out with probability p, p ~ Beta(a, b).
 *
 * The same kernel serves MBG/NBD (Batislam, Denizel & Filiztekin 2007), which
 * also lets a customer drop out right after the first purchase: `atFirst`.
 */
import type { PurchaseModel } from './purchase-model.ts';
import type { RfmData } from './rfm-data.ts';
import { digamma, hyp2f1, hyp2f1Many, lgamma } from './special.ts';

export interface BgNbdParams extends Record<string, number> {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/** Per-dataset constants the gradient needs: total weight by distinct frequency. */
const weightByFrequency = new WeakMap<RfmData, Float64Array>();
function weightsByX(data: RfmData): Float64Array {
  let w = weightByFrequency.get(data);
  if (!w) {
    w = new Float64Array(data.xValues.length);
    for (let i = 0; i < data.n; i++) {
      const k = data.xIndex[i] as number;
      w[k] = (w[k] as number) + (data.weight[i] as number);
    }
    weightByFrequency.set(data, w);
  }
  return w;
}

/**
 * ln L summed over customers, eq. (6):
 *   L = B(a, b+x)/B(a, b) · Γ(r+x) α^r / Γ(r) · [(α+T)^-(r+x) + δ(x>0) · a/(b+x−1) · (α+t_x)^-(r+x)]
 * For MBG/NBD the Beta factor becomes B(a, b+x+1)/B(a, b), the second term is
 * present for every x and its weight is a/(b+x).
 */
export function bgFamilyLogLikelihood(
  { r, alpha, a, b }: BgNbdParams,
  data: RfmData,
  grad: Float64Array | undefined,
  dropoutAtFirst: boolean,
): number {
  const { xValues, TValues, txValues } = data;
  const shift = dropoutAtFirst ? 1 : 0;
  // Everything that depends on x only: A1 + A2 of the paper, the weight of the second term, and their derivatives.
  const nx = xValues.length;
  const base = new Float64Array(nx);
  const logTermWeight = new Float64Array(nx);
  const hasSecond = new Uint8Array(nx);
  const lnAlpha = Math.log(alpha);
  const lgR = lgamma(r);
  const lgAB = lgamma(a + b);
  const lgB = lgamma(b);
  for (let k = 0; k < nx; k++) {
    const x = xValues[k] as number;
    base[k] =
      lgamma(r + x) - lgR + r * lnAlpha + lgAB + lgamma(b + x + shift) - lgB - lgamma(a + b + x + shift);
    hasSecond[k] = dropoutAtFirst || x > 0 ? 1 : 0;
    if (hasSecond[k]) logTermWeight[k] = Math.log(a) - Math.log(b + x - 1 + shift);
  }
  const lnAT = new Float64Array(TValues.length);
  for (let k = 0; k < TValues.length; k++) lnAT[k] = Math.log(alpha + (TValues[k] as number));
  const lnAtx = new Float64Array(txValues.length);
  for (let k = 0; k < txValues.length; k++) lnAtx[k] = Math.log(alpha + (txValues[k] as number));

  let ll = 0;
  let gR = 0;
  let gAlpha = 0;
  let gA = 0;
  let gB = 0;
  const { x, tx, T, weight, xIndex, TIndex, txIndex } = data;
  for (let i = 0; i < data.n; i++) {
    const w = weight[i] as number;
    const xi = xIndex[i] as number;
    const rx = r + (x[i] as number);
    const lT = lnAT[TIndex[i] as number] as number;
    const a3 = -rx * lT;
    if (!hasSecond[xi]) {
      ll += w * ((base[xi] as number) + a3);
      if (grad) {
        gR -= w * lT;
        gAlpha -= (w * rx) / (alpha + (T[i] as number));
      }
      continue;
    }
    const lTx = lnAtx[txIndex[i] as number] as number;
    const a4 = (logTermWeight[xi] as number) - rx * lTx;
    // ln(e^a3 + e^a4) and the share w4 of the second term, from one exp.
    let lse: number;
    let w4: number;
    if (a3 >= a4) {
      const e = Math.exp(a4 - a3);
      lse = a3 + Math.log1p(e);
      w4 = e / (1 + e);
    } else {
      const e = Math.exp(a3 - a4);
      lse = a4 + Math.log1p(e);
      w4 = 1 / (1 + e);
    }
    ll += w * ((base[xi] as number) + lse);
    if (grad) {
      const w3 = 1 - w4;
      gR -= w * (w3 * lT + w4 * lTx);
      gAlpha -= w * rx * (w3 / (alpha + (T[i] as number)) + w4 / (alpha + (tx[i] as number)));
      gA += (w * w4) / a;
      gB -= (w * w4) / (b + (x[i] as number) - 1 + shift);
    }
  }
  if (grad) {
    // The x-only parts of the gradient, weighted by how many customers have each x.
    const wx = weightsByX(data);
    const dR = digamma(r);
    const dAB = digamma(a + b);
    const dB = digamma(b);
    for (let k = 0; k < nx; k++) {
      const wk = wx[k] as number;
      if (wk === 0) continue;
      const xk = xValues[k] as number;
      const dABx = digamma(a + b + xk + shift);
      gR += wk * (digamma(r + xk) - dR + lnAlpha);
      gAlpha += (wk * r) / alpha;
      gA += wk * (dAB - dABx);
      gB += wk * (dAB + digamma(b + xk + shift) - dB - dABx);
    }
    grad[0] = gR;
    grad[1] = gAlpha;
    grad[2] = gA;
    grad[3] = gB;
  }
  return ll;
}

/**
 * What BG/NBD and MBG/NBD have in common: the same four parameters, one
 * likelihood (`dropoutAtFirst` is MBG/NBD's one change), and dropout only ever
 * at a purchase, so a customer alive at T who buys nothing in (T, T+t] is
 * still alive: P(none | alive) = E[e^(−λt)] under the posterior
 * λ ~ Gamma(r+x, α+T), that is ((α+T)/(α+T+t))^(r+x).
 */
export const bgFamily = (dropoutAtFirst: boolean) =>
  ({
    paramNames: ['r', 'alpha', 'a', 'b'],
    gradient: 'analytic',
    logLikelihood: (params, data, grad) => bgFamilyLogLikelihood(params, data, grad, dropoutAtFirst),

    probabilityNoPurchaseIfAlive({ r, alpha }, t, x, T) {
      return Math.pow((alpha + T) / (alpha + T + t), r + x);
    },

    /** Inverts the expression above. */
    timeUntilNoPurchaseProbability({ r, alpha }, probability, x, T) {
      return (alpha + T) * (Math.pow(probability, -1 / (r + x)) - 1);
    },
  }) as const satisfies Partial<PurchaseModel<BgNbdParams>>;

export const bgNbd: PurchaseModel<BgNbdParams> = {
  name: 'bgnbd',
  paper: 'Fader, Hardie & Lee (2005), "Counting Your Customers" the Easy Way, Marketing Science 24(2)',
  ...bgFamily(false),

  /** Eq. (9): E[X(t)] = (a+b−1)/(a−1) · [1 − (α/(α+t))^r · 2F1(r, b; a+b−1; t/(α+t))]. */
  expectedPurchases({ r, alpha, a, b }, t) {
    return (
      ((a + b - 1) / (a - 1)) *
      (1 - Math.pow(alpha / (alpha + t), r) * hyp2f1(r, b, a + b - 1, t / (alpha + t)))
    );
  },

  /**
   * Eq. (10) is P(alive) times
   *   E[Y(t) | alive] = (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x−1; t/(α+T+t))]
   */
  expectedPurchasesIfAlive({ r, alpha, a, b }, t, x, T) {
    if (t === 0) return 0;
    const rx = r + x;
    const z = t / (alpha + T + t);
    return (
      ((a + b + x - 1) / (a - 1)) *
      (1 - Math.pow((alpha + T) / (alpha + T + t), rx) * hyp2f1(rx, b + x, a + b + x - 1, z))
    );
  },

  /** The same at several t, sharing the 2F1 series coefficients across them. */
  expectedPurchasesIfAlivePath({ r, alpha, a, b }, ts, x, T, out) {
    const rx = r + x;
    const zs = new Float64Array(ts.length);
    for (let i = 0; i < ts.length; i++) zs[i] = (ts[i] as number) / (alpha + T + (ts[i] as number));
    hyp2f1Many(rx, b + x, a + b + x - 1, zs, out);
    const scale = (a + b + x - 1) / (a - 1);
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i] as number;
      out[i] = t === 0 ? 0 : scale * (1 - Math.pow((alpha + T) / (alpha + T + t), rx) * (out[i] as number));
    }
  },

  /** P(alive | x, t_x, T) = 1 / [1 + δ(x>0) · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)]. */
  pAlive({ r, alpha, a, b }, x, tx, T) {
    if (x === 0) return 1;
    return 1 / (1 + (a / (b + x - 1)) * Math.pow((alpha + T) / (alpha + tx), r + x));
  },
};
