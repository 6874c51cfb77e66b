import { describe, expect, it } from 'vitest';
import { TRUE_BGNBD, TRUE_GAMMA_GAMMA, simulateSummaries } from '../../../shared/clv/simulate.ts';
import { bgNbd, fitGammaGamma, fitPurchaseModel, mbgNbd } from '../../../shared/clv/index.ts';

// Parameter recovery on the models' own process: the benchmark does the same at 1M customers.
describe('fitting recovers the parameters that generated the data', () => {
  const summaries = simulateSummaries({ customers: 200_000, seed: 7, grain: 'exact' });

  it('BG/NBD and Gamma-Gamma, 200,000 simulated customers, within 5 %', () => {
    const bg = fitPurchaseModel(bgNbd, summaries);
    for (const [k, v] of Object.entries(TRUE_BGNBD))
      expect(Math.abs(bg.params[k]! / v - 1), k).toBeLessThan(0.05);
    const gg = fitGammaGamma(summaries);
    for (const [k, v] of Object.entries(TRUE_GAMMA_GAMMA)) {
      expect(Math.abs(gg.params[k as 'p'] / v - 1), k).toBeLessThan(0.05);
    }
  });

  it('prefers BG/NBD to MBG/NBD on BG/NBD data by likelihood', () => {
    const sample = summaries.slice(0, 50_000);
    expect(fitPurchaseModel(bgNbd, sample).logLikelihood).toBeGreaterThan(
      fitPurchaseModel(mbgNbd, sample).logLikelihood,
    );
  });

  it('reaches the same optimum whether warm-started from a sample or not', () => {
    const cold = fitPurchaseModel(bgNbd, summaries, { starts: [{ r: 1, alpha: 1, a: 1, b: 1 }] });
    const warm = fitPurchaseModel(bgNbd, summaries);
    for (const k of bgNbd.paramNames)
      expect(Math.abs(warm.params[k]! / cold.params[k]! - 1), k).toBeLessThan(1e-5);
  });
});
