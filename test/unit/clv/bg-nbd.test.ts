import { describe, expect, it } from 'vitest';
import {
  bgNbd,
  compressRfm,
  conditionalExpectedPurchases,
  fitPurchaseModel,
  mbgNbd,
  medianTimeToNextPurchase,
  paretoNbd,
  probabilityNoPurchase,
} from '../../../shared/clv/index.ts';
import { cdnowSummary } from '../../helpers/cdnow.ts';
import { expectGradientMatchesDifferences } from '../../helpers/gradient.ts';
import { expectPublished } from '../../helpers/published-params.ts';

const summaries = cdnowSummary();

describe('BG/NBD on the CDNOW sample (Fader, Hardie & Lee 2005)', () => {
  const fit = fitPurchaseModel(bgNbd, summaries);

  it('recovers the published parameters to 1e-3 and the log-likelihood', () => {
    expect(fit.customers).toBe(2357);
    expectPublished(fit.params, { r: 0.2426, alpha: 4.4136, a: 0.7929, b: 2.4259 }, 1e-3);
    expect(fit.logLikelihood).toBeCloseTo(-9582.43, 2);
  });

  // Tolerances follow numpy's assert_almost_equal(decimal=d), |Δ| < 1.5·10^-d, the convention of the published assertions.
  it('reproduces the published E[X(t)] for a new customer', () => {
    const p = fit.params;
    expect(Math.abs(bgNbd.expectedPurchases(p, 1) - 0.0532)).toBeLessThan(1.5e-4);
    expect(Math.abs(bgNbd.expectedPurchases(p, 3) - 0.1506)).toBeLessThan(1.5e-4);
    expect(Math.abs(bgNbd.expectedPurchases(p, 32) - 1.0437)).toBeLessThan(1.5e-4);
    // At 78 weeks the exact 2F1 (scipy.special.hyp2f1 agrees: 1.857972) differs from the published 1.8576 in the
    // fourth decimal, so this one holds to three.
    expect(Math.abs(bgNbd.expectedPurchases(p, 78) - 1.8576)).toBeLessThan(1.5e-3);
  });

  it('reproduces the published 39-week conditional expectation for x=2, t_x=30.43, T=38.86', () => {
    expect(
      Math.abs(conditionalExpectedPurchases(bgNbd, fit.params, 39, 2, 30.43, 38.86) - 1.226),
    ).toBeLessThan(1.5e-3);
  });

  it('has an analytic gradient that matches finite differences', () => {
    const data = compressRfm(summaries);
    expectGradientMatchesDifferences((p, g) => bgNbd.logLikelihood(p as never, data, g), {
      r: 0.3,
      alpha: 4,
      a: 0.8,
      b: 2.5,
    });
    expectGradientMatchesDifferences((p, g) => mbgNbd.logLikelihood(p as never, data, g), {
      r: 0.5,
      alpha: 6,
      a: 0.9,
      b: 1.6,
    });
  });

  it('makes one-time buyers certainly alive and repeat buyers who went quiet less so', () => {
    const p = fit.params;
    expect(bgNbd.pAlive(p, 0, 0, 38)).toBe(1);
    const recent = bgNbd.pAlive(p, 5, 37, 38);
    const quiet = bgNbd.pAlive(p, 5, 5, 38);
    // By hand: 1 / (1 + 0.7929/(2.4259+4) · ((4.4136+38)/(4.4136+37))^5.2426) = 0.8773
    expect(recent).toBeCloseTo(0.8773, 3);
    expect(quiet).toBeLessThan(recent);
    expect(quiet).toBeGreaterThan(0);
  });

  it('gives P(no purchase) of 1 at t=0, falling with t, and a median wait where it crosses one half', () => {
    const p = fit.params;
    expect(probabilityNoPurchase(bgNbd, p, 0, 3, 20, 38)).toBeCloseTo(1, 12);
    const a = probabilityNoPurchase(bgNbd, p, 4, 3, 20, 38);
    const b = probabilityNoPurchase(bgNbd, p, 40, 3, 20, 38);
    expect(b).toBeLessThan(a);
    const median = medianTimeToNextPurchase(bgNbd, p, 3, 36, 38);
    expect(probabilityNoPurchase(bgNbd, p, median, 3, 36, 38)).toBeCloseTo(0.5, 10);
    // Someone more likely gone than not has no median next order.
    expect(medianTimeToNextPurchase(bgNbd, p, 10, 1, 38)).toBe(Infinity);
  });

  it('expected purchases grow with t and the conditional one is zero at t=0', () => {
    const p = fit.params;
    expect(conditionalExpectedPurchases(bgNbd, p, 0, 2, 10, 20)).toBe(0);
    expect(bgNbd.expectedPurchases(p, 10)).toBeLessThan(bgNbd.expectedPurchases(p, 20));
  });
});

describe('MBG/NBD on the CDNOW sample (Batislam et al. 2007)', () => {
  it('recovers the published parameters to their three stated decimals', () => {
    const fit = fitPurchaseModel(mbgNbd, summaries);
    expectPublished(fit.params, { r: 0.525, alpha: 6.183, a: 0.891, b: 1.614 }, 1.5e-3);
    // Unlike BG/NBD, a one-time buyer may have left.
    expect(mbgNbd.pAlive(fit.params, 0, 0, 38)).toBeLessThan(1);
  });
});

describe('BG/NBD where a + b < 1', () => {
  // Then c = a + b + x − 1 < 0 for x = 0: the 2F1 series still converges (c in (−1, 0)).
  const p = { r: 0.5, alpha: 5, a: 0.3, b: 0.5 };

  it('predicts finite, increasing purchases and consistent multi-horizon paths', () => {
    const e10 = bgNbd.expectedPurchases(p, 10);
    const e20 = bgNbd.expectedPurchases(p, 20);
    expect(Number.isFinite(e10)).toBe(true);
    expect(e10).toBeGreaterThan(0);
    expect(e20).toBeGreaterThan(e10);
    const out = new Float64Array(2);
    bgNbd.expectedPurchasesIfAlivePath!(p, [10, 20], 0, 30, out);
    expect(out[0]).toBeCloseTo(bgNbd.expectedPurchasesIfAlive(p, 10, 0, 30), 10);
    expect(out[1]).toBeCloseTo(bgNbd.expectedPurchasesIfAlive(p, 20, 0, 30), 10);
    expect(out[1]!).toBeGreaterThan(out[0]!);
  });
});

describe('every purchase model', () => {
  const models = [
    [bgNbd, { r: 0.2426, alpha: 4.4136, a: 0.7929, b: 2.4259 }],
    [mbgNbd, { r: 0.525, alpha: 6.183, a: 0.891, b: 1.614 }],
    [paretoNbd, { r: 0.5534, alpha: 10.5802, s: 0.6061, beta: 11.6562 }],
  ] as const;

  it.each(models)(
    '%s: a customer just acquired (x = t_x = T = 0) expects what a new customer does',
    (model, params) => {
      for (const t of [1, 10, 52, 200]) {
        const conditional = conditionalExpectedPurchases(model as never, params as never, t, 0, 0, 0);
        expect(conditional).toBeCloseTo(model.expectedPurchases(params as never, t), 10);
      }
    },
  );

  it.each(models)(
    '%s: P(no purchase) falls with t and matches P(alive) × its alive part',
    (model, params) => {
      const p = params as never;
      const a = probabilityNoPurchase(model as never, p, 5, 3, 20, 38);
      const b = probabilityNoPurchase(model as never, p, 50, 3, 20, 38);
      expect(b).toBeLessThan(a);
      const alive = model.pAlive(p, 3, 20, 38);
      expect(a).toBeCloseTo(1 - alive + alive * model.probabilityNoPurchaseIfAlive(p, 5, 3, 38), 12);
    },
  );
});
