import { describe, expect, it } from 'vitest';
import {
  compressRfm,
  conditionalExpectedPurchases,
  fitPurchaseModel,
  paretoNbd,
  probabilityNoPurchase,
} from '../../../shared/clv/index.ts';
import { cdnowSummary } from '../../helpers/cdnow.ts';
import { expectPublished } from '../../helpers/published-params.ts';

describe('Pareto/NBD on the CDNOW sample (Schmittlein et al. 1987)', () => {
  const fit = fitPurchaseModel(paretoNbd, cdnowSummary());

  it('recovers the published parameters to 1e-3 and the log-likelihood', () => {
    expectPublished(fit.params, { r: 0.5532, alpha: 10.5776, s: 0.6062, beta: 11.6677 }, 1e-3);
    expect(Math.abs(fit.logLikelihood - -9594.98)).toBeLessThan(0.015);
  });

  const published = { r: 0.5534, alpha: 10.5802, s: 0.6061, beta: 11.6562 };

  it('reproduces the published P(alive) and 52-week expectation for x=26, t_x=30.86, T=31', () => {
    expect(Math.abs(paretoNbd.pAlive(published, 26, 30.86, 31) - 0.9979)).toBeLessThan(1.5e-4);
    // numpy's decimal=2 convention, as the published assertion uses: |Δ| < 0.015.
    expect(
      Math.abs(conditionalExpectedPurchases(paretoNbd, published, 52, 26, 30.86, 31) - 25.46),
    ).toBeLessThan(0.015);
  });

  it('stays finite and in range where the naive likelihood overflows or cancels', () => {
    // t_x = T makes A0 vanish; x = 300 overflows (α+T)^(r+x) in double precision if done outside logs.
    const data = compressRfm([
      { frequency: 300, recency: 50, T: 50 },
      { frequency: 300, recency: 49.999999, T: 50 },
      { frequency: 0, recency: 0, T: 1e-9 },
      { frequency: 2, recency: 3, T: 1000 },
    ]);
    const ll = paretoNbd.logLikelihood(published, data);
    expect(Number.isFinite(ll)).toBe(true);
    const a = paretoNbd.pAlive(published, 300, 49.999999, 50);
    expect(a).toBeGreaterThan(0.99);
    expect(a).toBeLessThanOrEqual(1);
    expect(paretoNbd.pAlive(published, 2, 3, 1000)).toBeLessThan(0.05);
    // Swapping which of α, β is larger uses the note's other 2F1 form; the likelihood must stay continuous across it.
    const below = paretoNbd.logLikelihood({ ...published, beta: published.alpha - 1e-7 }, data);
    const above = paretoNbd.logLikelihood({ ...published, beta: published.alpha + 1e-7 }, data);
    expect(Math.abs(below - above)).toBeLessThan(1e-4);
  });

  it('gives a P(no purchase) that starts at 1, falls with t, and agrees with P(alive) far out', () => {
    expect(probabilityNoPurchase(paretoNbd, published, 0, 4, 20, 31)).toBeCloseTo(1, 12);
    const near = probabilityNoPurchase(paretoNbd, published, 4, 4, 20, 31);
    const far = probabilityNoPurchase(paretoNbd, published, 52, 4, 20, 31);
    expect(far).toBeLessThan(near);
    // Far out, someone alive has almost surely bought again, so P(none) tends to at least 1 − P(alive).
    expect(probabilityNoPurchase(paretoNbd, published, 1e6, 4, 20, 31)).toBeGreaterThanOrEqual(
      1 - paretoNbd.pAlive(published, 4, 20, 31) - 1e-9,
    );
  });
});
