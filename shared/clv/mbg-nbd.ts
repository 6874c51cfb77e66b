/**
 * MBG/NBD: Batislam, E. P., Denizel, M. & Filiztekin, A. (2007). Empirical
 * validation and comparison of models for customer base analysis.
 * International Journal of Research in Marketing 24(3), 201–209.
 *
 * BG/NBD with one change: a customer may also drop out right after the first
 * purchase, so a one-time buyer is no longer certainly alive.
 */
import type { BgNbdParams } from './bg-nbd.ts';
import { bgFamilyLogLikelihood } from './bg-nbd.ts';
import type { PurchaseModel } from './purchase-model.ts';
import { hyp2f1 } from './special.ts';

export const mbgNbd: PurchaseModel<BgNbdParams> = {
  name: 'mbgnbd',
  paper: 'Batislam, Denizel & Filiztekin (2007), International Journal of Research in Marketing 24(3)',
  paramNames: ['r', 'alpha', 'a', 'b'],
  gradient: 'analytic',

  /** L = B(a, b+x+1)/B(a, b) · Γ(r+x) α^r / Γ(r) · [(α+T)^-(r+x) + a/(b+x) · (α+t_x)^-(r+x)] */
  logLikelihood: (params, data, grad) => bgFamilyLogLikelihood(params, data, grad, true),

  /** E[X(t)] = (a+b−1)/(a−1) · [1 − (α/(α+t))^r · 2F1(r, b+1; a+b; t/(α+t))] */
  expectedPurchases({ r, alpha, a, b }, t) {
    return (
      ((a + b - 1) / (a - 1)) *
      (1 - Math.pow(alpha / (alpha + t), r) * hyp2f1(r, b + 1, a + b, t / (alpha + t)))
    );
  },

  /** E[Y(t) | x, t_x, T] = (a+b+x)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x+1; a+b+x; t/(α+T+t))] · P(alive) */
  conditionalExpectedPurchases(params, t, x, tx, T) {
    if (t === 0) return 0;
    const { r, alpha, a, b } = params;
    const rx = r + x;
    const bracket =
      1 - Math.pow((alpha + T) / (alpha + T + t), rx) * hyp2f1(rx, b + x + 1, a + b + x, t / (alpha + T + t));
    return ((a + b + x) / (a - 1)) * bracket * mbgNbd.pAlive(params, x, tx, T);
  },

  /** P(alive | x, t_x, T) = 1 / [1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x)] */
  pAlive({ r, alpha, a, b }, x, tx, T) {
    return 1 / (1 + (a / (b + x)) * Math.pow((alpha + T) / (alpha + tx), r + x));
  },

  /** As for BG/NBD: dropout happens only at a purchase, so no purchase means no dropout. */
  probabilityNoPurchase(params, t, x, tx, T) {
    const alive = mbgNbd.pAlive(params, x, tx, T);
    return 1 - alive + alive * Math.pow((params.alpha + T) / (params.alpha + T + t), params.r + x);
  },

  medianTimeToNextPurchase(params, x, tx, T) {
    const alive = mbgNbd.pAlive(params, x, tx, T);
    if (alive <= 0.5) return Infinity;
    return (params.alpha + T) * (Math.pow(alive / (alive - 0.5), 1 / (params.r + x)) - 1);
  },
};
