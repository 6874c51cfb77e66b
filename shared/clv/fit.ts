/**
 * Fitting the engine's models to a tenant's summaries: each purchase model by
 * maximum likelihood on the compressed RFM rows, Gamma-Gamma on the repeat
 * buyers' mean values, each with its log-likelihood, data size and fit time.
 */
import type { FitOptions, MaximumLikelihoodFit, WarmStart } from './maximum-likelihood.ts';
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
  /** Inverse Hessian on the log scale at the optimum, to warm-start a refit. */
  inverseHessian: Float64Array;
}

export type FittedPurchaseModel<P extends Record<string, number> = Record<string, number>> =
  FittedModel<P> & {
    model: PurchaseModelName;
  };
export type FittedSpendModel = FittedModel<GammaGammaParams> & { model: 'gammaGamma'; excluded: number };

/** What every fit reports after its model's name: the optimum, the data it covers and the time it took. */
function fitted<P extends Record<string, number>>(
  fit: MaximumLikelihoodFit<P>,
  data: { customers: number; n: number },
  start: number,
): Omit<FittedModel<P>, 'model'> {
  return {
    params: fit.params,
    logLikelihood: fit.logLikelihood,
    customers: data.customers,
    rows: data.n,
    iterations: fit.iterations,
    seconds: (performance.now() - start) / 1000,
    inverseHessian: fit.inverseHessian,
  };
}

/** Above this many customers a fit first runs on a systematic sample of this size to find its start. */
const WARM_START_SAMPLE = 20_000;

/** Every k-th row: a systematic sample, deterministic so refits are reproducible. */
function systematicSample<T>(rows: ArrayLike<T>, size: number): T[] {
  const step = rows.length / size;
  return Array.from({ length: size }, (_, i) => rows[Math.floor(i * step)] as T);
}

/**
 * Starting a large fit at a small fit's optimum, with the small fit's inverse
 * Hessian: the sample's estimate is within a few percent and its curvature
 * nearly the full data's, so the full data needs a few BFGS iterations instead
 * of thirty. The result is still the full-data MLE.
 */
function warmStart<R>(
  rows: ArrayLike<R> | null,
  fitSample: (sample: R[]) => WarmStart,
): WarmStart | undefined {
  if (!rows || rows.length <= 5 * WARM_START_SAMPLE) return undefined;
  try {
    return fitSample(systematicSample(rows, WARM_START_SAMPLE));
  } catch {
    return undefined; // a sample that cannot be fitted just means no warm start
  }
}

/** Starting points: the unit point `lifetimes` uses, then one scaled to the data's time unit. */
function startsFor<P extends Record<string, number>>(
  model: PurchaseModel<P>,
  data: RfmData,
): Record<string, number>[] {
  let meanT = 0;
  for (let i = 0; i < data.n; i++) meanT += (data.weight[i] as number) * (data.T[i] as number);
  meanT /= data.customers;
  const scale = Math.max(meanT / 4, 1e-3);
  const scaled: Record<string, number> = { r: 0.5, alpha: scale, a: 1, b: 2, s: 0.5, beta: scale };
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
  const raw = 'weight' in rows ? null : rows;
  const data = raw ? compressRfm(raw) : (rows as RfmData);
  // Explicit starts are the caller's choice: no warm start then.
  const warm =
    options.warmStart ??
    (options.starts ? undefined : warmStart(raw, (sample) => fitPurchaseModel(model, sample, options)));
  const fit = maximizeLikelihood<P>(
    {
      name: model.name,
      paramNames: model.paramNames,
      analytic: model.gradient === 'analytic',
      customers: data.customers,
      logLikelihood: (params, grad) => model.logLikelihood(params, data, grad),
    },
    { ...options, warmStart: warm, starts: options.starts ?? startsFor(model, data) },
  );
  return { model: model.name, ...fitted(fit, data, start) };
}

export function fitGammaGamma(
  rows: ArrayLike<{ frequency: number; monetaryValue: number }>,
  options: FitOptions = {},
): FittedSpendModel {
  const start = performance.now();
  const data = spendData(rows);
  const warm =
    options.warmStart ??
    (options.starts ? undefined : warmStart(rows, (sample) => fitGammaGamma(sample, options)));
  const fit = maximizeLikelihood<GammaGammaParams>(
    {
      name: 'gammaGamma',
      paramNames: ['p', 'q', 'v'],
      analytic: true,
      customers: data.customers,
      logLikelihood: (params, grad) => gammaGammaLogLikelihood(params, data, grad),
    },
    { ...options, warmStart: warm },
  );
  return { model: 'gammaGamma', ...fitted(fit, data, start), excluded: data.excluded };
}
