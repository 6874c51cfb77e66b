import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CHURN_BANDS,
  DEFAULT_CHURN_BAND_THRESHOLDS,
  InvalidChurnRiskError,
  InvalidChurnThresholdsError,
  churnBand,
} from '../../../shared/segments/churn.ts';

describe('churnBand', () => {
  it.each([
    [0, 'low'],
    [0.3299, 'low'],
    [0.33, 'medium'],
    [0.5, 'medium'],
    [0.66, 'medium'],
    [0.6601, 'high'],
    [1, 'high'],
  ] as const)('is low below 33 %%, high above 66 %% and medium on both edges: %s is %s', (risk, band) => {
    expect(churnBand(risk)).toBe(band);
  });

  it('defaults to those thresholds', () => {
    expect(DEFAULT_CHURN_BAND_THRESHOLDS).toEqual({ low: 0.33, high: 0.66 });
  });

  it('takes configured thresholds', () => {
    const thresholds = { low: 0.2, high: 0.8 };
    expect(churnBand(0.19, thresholds)).toBe('low');
    expect(churnBand(0.2, thresholds)).toBe('medium');
    expect(churnBand(0.7, thresholds)).toBe('medium');
    expect(churnBand(0.8, thresholds)).toBe('medium');
    expect(churnBand(0.81, thresholds)).toBe('high');
  });

  it('rejects a risk that is not a probability, NaN included', () => {
    for (const risk of [NaN, -0.01, 1.01, Infinity, -Infinity]) {
      expect(() => churnBand(risk), String(risk)).toThrow(InvalidChurnRiskError);
    }
    expect(() => churnBand(NaN)).toThrow(/churn risk is NaN/);
  });

  it('rejects thresholds out of order or outside [0, 1]', () => {
    for (const thresholds of [
      { low: 0.7, high: 0.3 },
      { low: 0.5, high: 0.5 },
      { low: -0.1, high: 0.5 },
      { low: 0.3, high: 1.2 },
      { low: NaN, high: 0.5 },
    ]) {
      expect(() => churnBand(0.5, thresholds)).toThrow(InvalidChurnThresholdsError);
    }
  });

  it('never bands a riskier customer lower', () => {
    const risk = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(risk, risk, (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(CHURN_BANDS.indexOf(churnBand(lo))).toBeLessThanOrEqual(CHURN_BANDS.indexOf(churnBand(hi)));
      }),
    );
  });
});
