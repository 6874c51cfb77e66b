import type { RfmData } from './rfm-data.ts';

export type PurchaseModelName = 'bgnbd' | 'mbgnbd' | 'paretoNbd';

/**
 * A model of how many purchases a customer makes and whether they are still a
 * customer. Parameters travel as a plain record; `paramNames` fixes the order
 * used for gradients and for the optimiser's vector.
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
  /** E[Y(t) | x, t_x, T]: purchases in the next t after the observation end. */
  conditionalExpectedPurchases(params: P, t: number, x: number, tx: number, T: number): number;
  /** P(still a customer at T | x, t_x, T). */
  pAlive(params: P, x: number, tx: number, T: number): number;
  /** P(no purchase in (T, T + t] | x, t_x, T). */
  probabilityNoPurchase(params: P, t: number, x: number, tx: number, T: number): number;
  /**
   * The t at which P(no purchase in (T, T + t]) falls to one half: the median
   * wait for the next order. Infinity when the customer is more likely than not
   * never to buy again. Optional: models without a closed form use bisection.
   */
  medianTimeToNextPurchase?(params: P, x: number, tx: number, T: number): number;
}
