import type { RfmData } from './rfm-data.ts';

export type PurchaseModelName = 'bgnbd' | 'mbgnbd' | 'paretoNbd';

/**
 * A model of how many purchases a customer makes and whether they are still a
 * customer. Parameters travel as a plain record; `paramNames` fixes the order
 * used for gradients and for the optimiser's vector.
 *
 * Every model here predicts through the same factorisation: what a customer
 * does after T is P(alive | x, t_x, T) times what a customer still alive at T
 * would do, and the latter depends on x and T only. Scoring a million
 * customers leans on that: the costly part (a 2F1 series per horizon) is done
 * once per distinct (x, T), of which there are a few thousand.
 */
export interface PurchaseModel<P extends Record<string, number> = Record<string, number>> {
  readonly name: PurchaseModelName;
  /** The paper the equations come from. */
  readonly paper: string;
  readonly paramNames: readonly (keyof P & string)[];
  /** Whether `logLikelihood` fills `grad`; if not, the fitter differentiates numerically. */
  readonly gradient: 'analytic' | 'numeric';
  /** Σ weight_i · ln L_i. When `grad` is given, ∂/∂param is written into it in `paramNames` order. */
  logLikelihood(params: P, data: RfmData, grad?: Float64Array): number;
  /** E[X(t)] for a customer just acquired. */
  expectedPurchases(params: P, t: number): number;
  /** P(still a customer at T | x, t_x, T). */
  pAlive(params: P, x: number, tx: number, T: number): number;
  /** E[Y(t) | alive at T, x, T]: purchases in the next t of a customer known to be alive. */
  expectedPurchasesIfAlive(params: P, t: number, x: number, T: number): number;
  /** The same at several horizons at once, into `out`; optional, for models that can share work across them. */
  expectedPurchasesIfAlivePath?(
    params: P,
    ts: ArrayLike<number>,
    x: number,
    T: number,
    out: Float64Array,
  ): void;
  /** P(no purchase in (T, T + t] | alive at T, x, T). */
  probabilityNoPurchaseIfAlive(params: P, t: number, x: number, T: number): number;
  /** The t at which probabilityNoPurchaseIfAlive falls to `probability`; optional closed form, else bisection. */
  timeUntilNoPurchaseProbability?(params: P, probability: number, x: number, T: number): number;
}

/** A quantity over the next t for one customer with history (x, t_x, T), under a fitted model. */
type CustomerOutlook = <P extends Record<string, number>>(
  model: PurchaseModel<P>,
  params: P,
  t: number,
  x: number,
  tx: number,
  T: number,
) => number;

/** E[Y(t) | x, t_x, T] = P(alive) · E[Y(t) | alive]. */
export const conditionalExpectedPurchases: CustomerOutlook = (model, params, t, x, tx, T) => {
  if (t === 0) return 0;
  return model.pAlive(params, x, tx, T) * model.expectedPurchasesIfAlive(params, t, x, T);
};

/** P(no purchase in (T, T + t] | x, t_x, T) = 1 − P(alive) + P(alive) · P(none | alive). */
export const probabilityNoPurchase: CustomerOutlook = (model, params, t, x, tx, T) => {
  const alive = model.pAlive(params, x, tx, T);
  return 1 - alive + alive * model.probabilityNoPurchaseIfAlive(params, t, x, T);
};

/**
 * The median wait for the next order: the t at which P(no purchase in
 * (T, T + t]) falls to one half, i.e. P(none | alive) = (A − ½)/A for
 * A = P(alive). Infinity when the customer is more likely than not never to
 * buy again (A ≤ ½).
 */
export function medianTimeToNextPurchase<P extends Record<string, number>>(
  model: PurchaseModel<P>,
  params: P,
  x: number,
  tx: number,
  T: number,
  limit = 1e6,
): number {
  const alive = model.pAlive(params, x, tx, T);
  return timeToNextPurchaseGivenAlive(model, params, alive, x, T, limit);
}

export function timeToNextPurchaseGivenAlive<P extends Record<string, number>>(
  model: PurchaseModel<P>,
  params: P,
  alive: number,
  x: number,
  T: number,
  limit = 1e6,
): number {
  if (alive <= 0.5) return Infinity;
  const target = (alive - 0.5) / alive;
  if (model.timeUntilNoPurchaseProbability) return model.timeUntilNoPurchaseProbability(params, target, x, T);
  // P(none | alive) falls with t; bisection on [0, limit].
  if (model.probabilityNoPurchaseIfAlive(params, limit, x, T) > target) return Infinity;
  let lo = 0;
  let hi = limit;
  for (let k = 0; k < 60 && hi - lo > 1e-9 * hi; k++) {
    const mid = (lo + hi) / 2;
    if (model.probabilityNoPurchaseIfAlive(params, mid, x, T) > target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
