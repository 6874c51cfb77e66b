/**
 * Hold-out evaluation: fit on the calibration period, predict each customer's
 * purchases over the hold-out period, and compare with what they did. Model
 * selection picks the smallest mean absolute error per customer, the
 * measure that matches what a merchant sees (how far off each customer's
 * forecast is), with RMSE and totals reported beside it.
 */
import { InternalError } from '../errors.ts';
import type { CalibrationHoldoutRow } from './calibration-holdout.ts';
import type { FitOptions } from './maximum-likelihood.ts';
import { FitDidNotConvergeError } from './maximum-likelihood.ts';
import { HypergeometricSeriesError } from './special.ts';
import type { FittedPurchaseModel } from './fit.ts';
import { fitPurchaseModel } from './fit.ts';
import type { PurchaseModel } from './purchase-model.ts';
import { conditionalExpectedPurchases } from './purchase-model.ts';

export interface HoldoutEvaluation {
  model: string;
  customers: number;
  predictedTotal: number;
  actualTotal: number;
  mae: number;
  rmse: number;
  correlation: number;
}

export interface CustomerHoldoutPrediction {
  customerId: string;
  predicted: number;
  actual: number;
}

export function predictHoldout(
  model: PurchaseModel,
  params: Record<string, number>,
  rows: readonly CalibrationHoldoutRow[],
): CustomerHoldoutPrediction[] {
  const cache = new Map<string, number>();
  return rows.map((r) => {
    const key = `${r.frequency},${r.recency},${r.T},${r.holdoutDuration}`;
    let predicted = cache.get(key);
    if (predicted === undefined) {
      predicted = conditionalExpectedPurchases(model, params, r.holdoutDuration, r.frequency, r.recency, r.T);
      cache.set(key, predicted);
    }
    return { customerId: r.customerId, predicted, actual: r.holdoutFrequency };
  });
}

export function holdoutErrors(
  model: string,
  predictions: readonly CustomerHoldoutPrediction[],
): HoldoutEvaluation {
  const n = predictions.length;
  let sp = 0;
  let sa = 0;
  let abs = 0;
  let sq = 0;
  for (const { predicted, actual } of predictions) {
    sp += predicted;
    sa += actual;
    abs += Math.abs(predicted - actual);
    sq += (predicted - actual) ** 2;
  }
  const mp = sp / n;
  const ma = sa / n;
  let cov = 0;
  let vp = 0;
  let va = 0;
  for (const { predicted, actual } of predictions) {
    cov += (predicted - mp) * (actual - ma);
    vp += (predicted - mp) ** 2;
    va += (actual - ma) ** 2;
  }
  return {
    model,
    customers: n,
    predictedTotal: sp,
    actualTotal: sa,
    mae: abs / n,
    rmse: Math.sqrt(sq / n),
    correlation: vp > 0 && va > 0 ? cov / Math.sqrt(vp * va) : NaN,
  };
}

export interface Backtest {
  evaluation: HoldoutEvaluation;
  fitted: FittedPurchaseModel;
}

export interface ModelSelection {
  best: Backtest;
  candidates: Backtest[];
  /** Models that could not be fitted, with why. */
  failed: { model: string; reason: string }[];
}

export class NoModelFitsError extends InternalError {
  override name = 'NoModelFitsError';
}

export function backtest(
  model: PurchaseModel,
  rows: readonly CalibrationHoldoutRow[],
  options: FitOptions = {},
): Backtest {
  const fitted = fitPurchaseModel(model, rows, options);
  const evaluation = holdoutErrors(model.name, predictHoldout(model, fitted.params, rows));
  return { evaluation, fitted };
}

/** Fits every candidate on the calibration period and keeps the one with the smallest hold-out MAE. */
export function selectModel(
  models: readonly PurchaseModel[],
  rows: readonly CalibrationHoldoutRow[],
  options: FitOptions = {},
): ModelSelection {
  const candidates: Backtest[] = [];
  const failed: { model: string; reason: string }[] = [];
  for (const model of models) {
    try {
      candidates.push(backtest(model, rows, options));
    } catch (error) {
      if (!(error instanceof FitDidNotConvergeError || error instanceof HypergeometricSeriesError))
        throw error;
      failed.push({ model: model.name, reason: error.message });
    }
  }
  const best = [...candidates].sort((a, b) => a.evaluation.mae - b.evaluation.mae)[0];
  if (!best)
    throw new NoModelFitsError(`no model could be fitted: ${failed.map((f) => f.reason).join('; ')}`);
  return { best, candidates, failed };
}
