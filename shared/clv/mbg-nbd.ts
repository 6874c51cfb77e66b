/**
 * MBG/NBD: Batislam, E. P., Denizel, M. & Filiztekin, A. (2007). Empirical
 * validation and comparison of models for customer base analysis.
 * International Journal of Research in Marketing 24(3), 201–209.
 *
 * BG/NBD with one change: a customer may also drop out right after the first
 * purchase, so a one-time buyer is no longer certainly alive.
 */
import type { BgNbdParams } from './bg-nbd.ts';
import { bgFamily } from './bg-nbd.ts';
import type { PurchaseModel } from './purchase-model.ts';
import { hyp2f1, hyp2f1Many } from './special.ts';

export const mbgNbd: PurchaseModel<BgNbdParams> = {
  name: 'mbgnbd',
  paper: 'Batislam, Denizel & Filiztekin (2007), International Journal of Research in Marketing 24(3)',
  /**
   * L = B(a, b+x+1)/B(a, b) · Γ(r+x) α^r / Γ(r) · [(α+T)^-(r+x) + a/(b+x) · (α+t_x)^-(r+x)]: BG/NBD's
   * with dropout possible at the first purchase too. Dropout still happens only at a purchase, so
   * P(none | alive) is BG/NBD's.
   */
  ...bgFamily(true),

  /** E[X(t)] = b/(a−1) · [1 − (α/(α+t))^r · 2F1(r, b+1; a+b; t/(α+t))] (Batislam et al. 2007, eq. 7) */
  expectedPurchases({ r, alpha, a, b }, t) {
    return (b / (a - 1)) * (1 - Math.pow(alpha / (alpha + t), r) * hyp2f1(r, b + 1, a + b, t / (alpha + t)));
  },

  /** E[Y(t) | x, t_x, T] is P(alive) times E[Y(t) | alive] = (a+b+x)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x+1; a+b+x; t/(α+T+t))] */
  expectedPurchasesIfAlive({ r, alpha, a, b }, t, x, T) {
    if (t === 0) return 0;
    const rx = r + x;
    return (
      ((a + b + x) / (a - 1)) *
      (1 -
        Math.pow((alpha + T) / (alpha + T + t), rx) * hyp2f1(rx, b + x + 1, a + b + x, t / (alpha + T + t)))
    );
  },

  expectedPurchasesIfAlivePath({ r, alpha, a, b }, ts, x, T, out) {
    const rx = r + x;
    const zs = new Float64Array(ts.length);
    for (let i = 0; i < ts.length; i++) zs[i] = (ts[i] as number) / (alpha + T + (ts[i] as number));
    hyp2f1Many(rx, b + x + 1, a + b + x, zs, out);
    const scale = (a + b + x) / (a - 1);
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i] as number;
      out[i] = t === 0 ? 0 : scale * (1 - Math.pow((alpha + T) / (alpha + T + t), rx) * (out[i] as number));
    }
  },

  /** P(alive | x, t_x, T) = 1 / [1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x)] */
  pAlive({ r, alpha, a, b }, x, tx, T) {
    return 1 / (1 + (a / (b + x)) * Math.pow((alpha + T) / (alpha + tx), r + x));
  },
};
