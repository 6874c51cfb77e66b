import { describe, expect, it } from 'vitest';
import { fitGammaGamma, gammaGamma, spendData } from '../../../shared/clv/index.ts';
import { gammaGammaLogLikelihood } from '../../../shared/clv/gamma-gamma.ts';
import { cdnowSummary } from '../../helpers/cdnow.ts';
import { expectGradientMatchesDifferences } from '../../helpers/gradient.ts';

const summaries = cdnowSummary();

describe('Gamma-Gamma on the CDNOW sample (Fader, Hardie & Lee 2005)', () => {
  const fit = fitGammaGamma(summaries);

  it('is fitted on the 946 repeat buyers', () => {
    expect(fit.customers).toBe(946);
  });

  it('reaches the maximum-likelihood estimate to 1e-3 and the published figures to their two decimals', () => {
    // The published p=6.25, q=3.74, γ=15.44 are rounded; the MLE to more digits, found independently with
    // scipy.optimize (Nelder–Mead, xatol 1e-10) on the same likelihood, is p=6.248803, q=3.744588, γ=15.447746.
    expect(Math.abs(fit.params.p - 6.248803)).toBeLessThan(1e-3);
    expect(Math.abs(fit.params.q - 3.744588)).toBeLessThan(1e-3);
    expect(Math.abs(fit.params.v - 15.447746)).toBeLessThan(1e-3);
    expect(Math.abs(fit.params.p - 6.25)).toBeLessThan(0.01);
    expect(Math.abs(fit.params.q - 3.74)).toBeLessThan(0.01);
    expect(Math.abs(fit.params.v - 15.44)).toBeLessThan(0.01);
    expect(fit.logLikelihood).toBeCloseTo(-4055.92, 2);
  });

  it('reproduces the published expected average values of the first ten customers', () => {
    const published = [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17];
    summaries.slice(0, 10).forEach((s, i) => {
      const value = gammaGamma.conditionalExpectedMeanValue(fit.params, s.frequency, s.monetaryValue);
      expect(Math.abs(value - published[i]!), `customer ${s.customerId}`).toBeLessThan(0.015);
    });
  });

  it('has an analytic gradient that matches finite differences', () => {
    const data = spendData(summaries);
    expectGradientMatchesDifferences((p, g) => gammaGammaLogLikelihood(p as never, data, g), {
      p: 6,
      q: 3.5,
      v: 15,
    });
  });

  it('shrinks a customer with few purchases toward the population mean', () => {
    const population = gammaGamma.expectedMeanValue(fit.params);
    const one = gammaGamma.conditionalExpectedMeanValue(fit.params, 1, 200);
    const many = gammaGamma.conditionalExpectedMeanValue(fit.params, 30, 200);
    expect(one).toBeGreaterThan(population);
    expect(one).toBeLessThan(many);
    expect(many).toBeLessThan(200);
    expect(gammaGamma.conditionalExpectedMeanValue(fit.params, 0, 0)).toBeCloseTo(population, 10);
  });

  it('leaves out repeat buyers with no positive mean value, and says how many', () => {
    const data = spendData([
      { frequency: 2, monetaryValue: 10 },
      { frequency: 3, monetaryValue: 0 },
      { frequency: 1, monetaryValue: -5 },
      { frequency: 0, monetaryValue: 0 },
    ]);
    expect(data.customers).toBe(1);
    expect(data.excluded).toBe(2);
  });
});
