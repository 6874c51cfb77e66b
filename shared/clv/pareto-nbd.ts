/**
 * Pareto/NBD: Schmittlein, D. C., Morrison, D. G. & Colombo, R. (1987).
 * Counting Your Customers: Who Are They and What Will They Do Next?
 * Management Science 33(1), 1–24. The likelihood, P(alive) and conditional
 * expectation follow Fader & Hardie (2005), "A Note on Deriving the
 * Pareto/NBD Model and Related Expressions", eqs. (11)–(22).
 *
 * While alive a customer buys as Poisson(λ), λ ~ Gamma(r, α); lifetimes are
 * exponential(μ), μ ~ Gamma(s, β).
 *
 * Numerical stability: the likelihood's A0 term is a difference of two
 * 2F1 terms; both are evaluated on the log scale, with the series argument
 * chosen in [0, 1) by comparing α and β (the note's two cases), and the
 * difference taken with logSubExp so it neither overflows for large x nor
 * cancels to a negative number when t_x ≈ T.
 */
import type { PurchaseModel } from './purchase-model.ts';
import { integrate, lgamma, logAddExp, logHyp2f1, logSubExp } from './special.ts';

export interface ParetoNbdParams extends Record<string, number> {
  r: number;
  alpha: number;
  s: number;
  beta: number;
}

/**
 * ln A0 (note eq. 19–20), with the 2F1 argument kept in [0, 1):
 *   α ≥ β: A0 = 2F1(r+s+x, s+1; r+s+x+1; (α−β)/(α+t_x)) / (α+t_x)^(r+s+x) − [same at T]
 *   α < β: A0 = 2F1(r+s+x, r+x; r+s+x+1; (β−α)/(β+t_x)) / (β+t_x)^(r+s+x) − [same at T]
 */
/**
 * Within the likelihood the series gets at most this many terms (enough for
 * z ≤ 0.98). Trial points beyond (α ≫ β with small t, z → 1) count as
 * impossible and the fitter steps back; a tenant whose optimum lies there has
 * its Pareto/NBD fit reported as failed, and the backtest chooses among the
 * other models. Without the cap one likelihood evaluation can take seconds.
 */
const LIKELIHOOD_SERIES_TERMS = 2_000;

function logA0(
  { r, alpha, s, beta }: ParetoNbdParams,
  x: number,
  tx: number,
  T: number,
  maxTerms?: number,
): number {
  const rsx = r + s + x;
  const [big, small, b] = alpha >= beta ? [alpha, beta, s + 1] : [beta, alpha, r + x];
  const at = (t: number): number =>
    logHyp2f1(rsx, b, rsx + 1, (big - small) / (big + t), maxTerms) - rsx * Math.log(big + t);
  return logSubExp(at(tx), at(T));
}

/** ln of the bracket in the note's eq. (18): 1/((α+T)^(r+x)(β+T)^s) + s/(r+s+x) · A0. */
function logBracket(
  params: ParetoNbdParams,
  x: number,
  tx: number,
  T: number,
  maxTerms?: number,
): { first: number; second: number } {
  const { r, alpha, s, beta } = params;
  const first = -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
  const second = tx === T ? -Infinity : Math.log(s / (r + s + x)) + logA0(params, x, tx, T, maxTerms);
  return { first, second };
}

export const paretoNbd: PurchaseModel<ParetoNbdParams> = {
  name: 'paretoNbd',
  paper: 'Schmittlein, Morrison & Colombo (1987), Management Science 33(1); Fader & Hardie (2005) note',
  paramNames: ['r', 'alpha', 's', 'beta'],
  // The gradient of A0 needs derivatives of 2F1 in its parameters; the fitter differentiates numerically.
  gradient: 'numeric',

  /** Eq. (18): L = Γ(r+x) α^r β^s / Γ(r) · [bracket]. */
  logLikelihood(params, data) {
    const { r, alpha, s, beta } = params;
    const constant = -lgamma(r) + r * Math.log(alpha) + s * Math.log(beta);
    let ll = 0;
    for (let i = 0; i < data.n; i++) {
      const x = data.x[i] as number;
      const { first, second } = logBracket(
        params,
        x,
        data.tx[i] as number,
        data.T[i] as number,
        LIKELIHOOD_SERIES_TERMS,
      );
      ll += (data.weight[i] as number) * (lgamma(r + x) + constant + logAddExp(first, second));
    }
    return ll;
  },

  /** Eq. (17): E[X(t)] = rβ/(α(s−1)) · [1 − (β/(β+t))^(s−1)]. */
  expectedPurchases({ r, alpha, s, beta }, t) {
    if (Math.abs(s - 1) < 1e-9) return ((r * beta) / alpha) * Math.log((beta + t) / beta);
    return ((r * beta) / (alpha * (s - 1))) * (1 - Math.pow(beta / (beta + t), s - 1));
  },

  /** Eq. (22) is P(alive) times E[Y(t) | alive] = (r+x)(β+T)/((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^(s−1)]. */
  expectedPurchasesIfAlive({ r, alpha, s, beta }, t, x, T) {
    const rate = (r + x) / (alpha + T);
    if (Math.abs(s - 1) < 1e-9) return rate * (beta + T) * Math.log((beta + T + t) / (beta + T));
    return ((rate * (beta + T)) / (s - 1)) * (1 - Math.pow((beta + T) / (beta + T + t), s - 1));
  },

  /** Eq. (21): P(alive) = 1 / (1 + s/(r+s+x) · (α+T)^(r+x) (β+T)^s · A0). */
  pAlive(params, x, tx, T) {
    const { first, second } = logBracket(params, x, tx, T);
    return 1 / (1 + Math.exp(second - first));
  },

  /**
   * Alive at T with posterior λ ~ Gamma(r+x, α+T), μ ~ Gamma(s, β+T) (independent),
   * the first purchase after T comes at u with density E[λ e^(−λu)] · E[e^(−μu)], so
   * P(none in (T, T+t] | alive) = 1 − ∫₀ᵗ (r+x)/(α+T) · ((α+T)/(α+T+u))^(r+x+1) · ((β+T)/(β+T+u))^s du.
   */
  probabilityNoPurchaseIfAlive({ r, alpha, s, beta }, t, x, T) {
    const rx = r + x;
    const density = (u: number): number =>
      (rx / (alpha + T)) *
      Math.pow((alpha + T) / (alpha + T + u), rx + 1) *
      Math.pow((beta + T) / (beta + T + u), s);
    // Split the range geometrically: the density falls fastest near 0.
    let some = 0;
    let lo = 0;
    for (let hi = Math.min(t, 1); lo < t; lo = hi, hi = Math.min(t, hi * 8))
      some += integrate(density, lo, hi);
    return Math.max(0, 1 - some);
  },
};
