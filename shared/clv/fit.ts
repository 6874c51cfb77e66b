/**
 * Fitting the engine's models to a tenant's summaries: each purchase model by
 * maximum likelihood on the compressed RFM rows, Gamma-Gamma on the repeat
 * buyers' mean values, each with its log-likelihood, data size and fit time.
 */
import type { FitOptions } from './maximum-likelihood.ts';
import { maximizeLikelihood } from './maximum-likelihood.ts';
import { gammaGammaLogLikelihood, spendData } from './gamma-gamma.ts';
import type { GammaGammaParams } from './gamma-gamma.ts';
import type { PurchaseModel, PurchaseModelName } from './purchase-model.ts';
import type { Rfm, RfmData } from './rfm-data.ts';
import { compressRfm } from './rfm-data.ts';

export interface FittedModel<P extends Record<string, number> = Record<string, number>> {
  model: string;
  params: P;
  logLikelihood: number;
  /** Customers the likelihood covers, and distinct rows after compression. */
  customers: number;
  rows: number;
  iterations: number;
  seconds: number;
}

export type FittedPurchaseModel<P extends Record<string, number> = Record<string, number>> =
  FittedModel<P> & {
    model: PurchaseModelName;
  };
export type FittedSpendModel = FittedModel<GammaGammaParams> & { model: 'gammaGamma'; excluded: number };

const seconds = (start: number): number => (performance.now() - start) / 1000;

/** Starting points: the unit point `lifetimes` uses, then one scaled to the data's time unit. */
function startsFor<P extends Record<string, number>>(
  model: PurchaseModel<P>,
  data: RfmData,
): Record<string, number>[] {
  let meanT = 0;
  for (let i = 0; i < data.n; i++) meanT += (data.weight[i] as number) * (data.T[i] as number);
  meanT /= data.customers;
  const scaled: Record<string, number> = {
    r: 0.5,
    alpha: Math.max(meanT / 4, 1e-3),
    a: 1,
    b: 2,
    s: 0.5,
    beta: Math.max(meanT / 4, 1e-3),
  };
  return [
    Object.fromEntries(model.paramNames.map((n) => [n, 1])),
    Object.fromEntries(model.paramNames.map((n) => [n, scaled[n] ?? 1])),
  ];
}

export function fitPurchaseModel<P extends Record<string, number>>(
  model: PurchaseModel<P>,
  rows: ArrayLike<Rfm> | RfmData,
  options: FitOptions = {},
): FittedPurchaseModel<P> {
  const start = performance.now();
  const data = 'weight' in rows ? rows : compressRfm(rows);
  const fit = maximizeLikelihood<P>(
    {
      name: model.name,
      paramNames: model.paramNames,
      analytic: model.gradient === 'analytic',
      customers: data.customers,
      logLikelihood: (params, grad) => model.logLikelihood(params, data, grad),
    },
    { starts: startsFor(model, data), ...options },
  );
  return {
    model: model.name,
    params: fit.params,
    logLikelihood: fit.logLikelihood,
    customers: data.customers,
    rows: data.n,
    iterations: fit.iterations,
    seconds: seconds(start),
  };
}

export function fitGammaGamma(
  rows: ArrayLike<{ frequency: number; monetaryValue: number }>,
  options: FitOptions = {},
): FittedSpendModel {
  const start = performance.now();
  const data = spendData(rows);
  const fit = maximizeLikelihood<GammaGammaParams>(
    {
      name: 'gammaGamma',
      paramNames: ['p', 'q', 'v'],
      analytic: true,
      customers: data.customers,
      logLikelihood: (params, grad) => gammaGammaLogLikelihood(params, data, grad),
    },
    options,
  );
  return {
    model: 'gammaGamma',
    params: fit.params,
    logLikelihood: fit.logLikelihood,
    customers: data.customers,
    rows: data.n,
    iterations: fit.iterations,
    seconds: seconds(start),
    excluded: data.excluded,
  };
}
