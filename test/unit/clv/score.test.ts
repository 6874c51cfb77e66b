import { describe, expect, it } from 'vitest';
import type { CustomerSummary } from '../../../shared/clv/index.ts';
import {
  DAYS_PER_MONTH,
  InvalidScoringOptionsError,
  bgNbd,
  conditionalExpectedPurchases,
  fitGammaGamma,
  fitPurchaseModel,
  gammaGamma,
  paretoNbd,
  probabilityNoPurchase,
  scoreWithModel,
} from '../../../shared/clv/index.ts';
import { cdnowSummary } from '../../helpers/cdnow.ts';

const summaries = cdnowSummary();
const bg = fitPurchaseModel(bgNbd, summaries);
const gg = fitGammaGamma(summaries);
const engine = { purchaseModel: bgNbd, purchaseParams: bg.params, spendParams: gg.params };
const weeks = { timeUnit: 'week' as const };
const monthWeeks = DAYS_PER_MONTH / 7;

describe('scoreWithModel', () => {
  const scores = scoreWithModel(summaries, engine as never, 0, { ...weeks, monthlyDiscountRate: 0 });

  it('gives, without discounting, CLV = expected orders × expected order value', () => {
    for (const s of scores.slice(0, 50)) {
      expect(s.predictedClv).toBeCloseTo(s.expectedOrders * s.expectedOrderValue, 8);
    }
  });

  it('predicts the same purchases, P(alive) and churn risk as the model’s own formulas', () => {
    summaries.slice(0, 40).forEach((c, i) => {
      const s = scores[i]!;
      expect(s.expectedOrders).toBeCloseTo(
        conditionalExpectedPurchases(bgNbd, bg.params, 12 * monthWeeks, c.frequency, c.recency, c.T),
        10,
      );
      expect(s.pAlive).toBeCloseTo(bgNbd.pAlive(bg.params, c.frequency, c.recency, c.T), 12);
      expect(s.churnRisk).toBeCloseTo(
        probabilityNoPurchase(bgNbd, bg.params, 90 / 7, c.frequency, c.recency, c.T),
        12,
      );
      expect(s.expectedOrderValue).toBeCloseTo(
        gammaGamma.conditionalExpectedMeanValue(gg.params, c.frequency, c.monetaryValue),
        10,
      );
    });
  });

  it('discounts: CLV falls as the rate rises and grows with the horizon', () => {
    const c = summaries.slice(0, 200);
    const sum = (xs: { predictedClv: number }[]) => xs.reduce((t, s) => t + s.predictedClv, 0);
    const none = sum(scoreWithModel(c, engine as never, 0, { ...weeks, monthlyDiscountRate: 0 }));
    const some = sum(scoreWithModel(c, engine as never, 0, { ...weeks, monthlyDiscountRate: 0.02 }));
    const longer = sum(
      scoreWithModel(c, engine as never, 0, { ...weeks, monthlyDiscountRate: 0.02, horizonMonths: 24 }),
    );
    expect(some).toBeLessThan(none);
    expect(some).toBeGreaterThan(none / 1.02 ** 12);
    expect(longer).toBeGreaterThan(some);
  });

  it('gives a next order date only to customers more likely than not to buy again, within the horizon', () => {
    for (const s of scores) {
      if (s.pAlive! <= 0.5) expect(s.nextOrderDay).toBeNull();
      if (s.nextOrderDay !== null) {
        expect(s.nextOrderDay).toBeGreaterThanOrEqual(0);
        expect(s.nextOrderDay).toBeLessThanOrEqual(Math.ceil(12 * DAYS_PER_MONTH));
      }
    }
    expect(scores.some((s) => s.nextOrderDay !== null)).toBe(true);
  });

  it('scores margin when the customer’s margin is known, the default rate when not, and revenue on request', () => {
    const base = summaries.find((s) => s.frequency > 2)!;
    const withMargin: CustomerSummary = { ...base, totalValue: 100, totalMargin: 25 };
    const [known] = scoreWithModel([withMargin], engine as never, 0, weeks);
    const [unknown] = scoreWithModel([base], engine as never, 0, { ...weeks, defaultMarginRate: 0.4 });
    const [revenue] = scoreWithModel([withMargin], engine as never, 0, { ...weeks, basis: 'revenue' });
    const value = gammaGamma.conditionalExpectedMeanValue(gg.params, base.frequency, base.monetaryValue);
    expect(known!.expectedOrderValue).toBeCloseTo(0.25 * value, 10);
    expect(known!.historicClv).toBe(25);
    expect(unknown!.expectedOrderValue).toBeCloseTo(0.4 * value, 10);
    expect(revenue!.expectedOrderValue).toBeCloseTo(value, 10);
    expect(revenue!.historicClv).toBe(100);
  });

  it('works the same through a model without a multi-horizon path (Pareto/NBD)', () => {
    const pareto = fitPurchaseModel(paretoNbd, summaries);
    const c = summaries.slice(0, 30);
    const s = scoreWithModel(
      c,
      { purchaseModel: paretoNbd, purchaseParams: pareto.params, spendParams: gg.params } as never,
      0,
      {
        ...weeks,
        monthlyDiscountRate: 0,
      },
    );
    c.forEach((row, i) => {
      expect(s[i]!.expectedOrders).toBeCloseTo(
        conditionalExpectedPurchases(
          paretoNbd,
          pareto.params,
          12 * monthWeeks,
          row.frequency,
          row.recency,
          row.T,
        ),
        10,
      );
    });
  });

  it('rejects options it cannot honour', () => {
    expect(() => scoreWithModel(summaries, engine as never, 0, { horizonMonths: 0 })).toThrow(
      InvalidScoringOptionsError,
    );
    expect(() => scoreWithModel(summaries, engine as never, 0, { monthlyDiscountRate: -0.1 })).toThrow(
      /discount/,
    );
    expect(() => scoreWithModel(summaries, engine as never, 0, { defaultMarginRate: 1.5 })).toThrow(/margin/);
  });
});
