/**
 * Summaries in, scores out: the one path every caller (the CLI, the scoring
 * Lambda, a tenant refit) takes. Checks the data minimums, fits the chosen
 * purchase model (or the first of several that fits) and Gamma-Gamma, and
 * scores; below the minimums, or when no fit converges, it scores with the
 * labelled heuristic and says why, never with a confident number from an
 * unfit model.
 */
import type { CalibrationHoldoutRow } from './calibration-holdout.ts';
import { calibrationHoldoutSplit } from './calibration-holdout.ts';
import type { DataMinimums, DataSufficiency } from './data-minimums.ts';
import { checkDataSufficiency } from './data-minimums.ts';
import type { ModelSelection } from './evaluate.ts';
import { selectModel } from './evaluate.ts';
import type { FittedPurchaseModel, FittedSpendModel } from './fit.ts';
import { HypergeometricSeriesError } from './special.ts';
import { fitGammaGamma, fitPurchaseModel } from './fit.ts';
import type { FitOptions } from './maximum-likelihood.ts';
import { FitDidNotConvergeError } from './maximum-likelihood.ts';
import { PURCHASE_MODELS } from './models.ts';
import type { PurchaseModel, PurchaseModelName } from './purchase-model.ts';
import type { Purchase } from './purchases.ts';
import { DAY_MS, dayNumber } from './purchases.ts';
import type { CustomerScore, ScoringOptions } from './score.ts';
import { pooledMeanValue, scoreWithModel } from './score.ts';
import { scoreWithHeuristic } from './heuristic.ts';
import type { CustomerSummary } from './summarize.ts';

export interface EngineOptions {
  /**
   * The purchase model, or several in order of preference (a backtest's ranking): the first that fits and
   * scores is used (default BG/NBD); the heuristic only when none does.
   */
  model?: PurchaseModelName | readonly PurchaseModelName[];
  scoring?: ScoringOptions;
  minimums?: DataMinimums;
  fit?: FitOptions;
  /** Called with the share of scoring done, for progress bars. */
  onProgress?: (done: number, total: number) => void;
}

export interface EngineResult {
  sufficiency: DataSufficiency;
  /** Why the heuristic was used, when it was. */
  fallbackReason: string | null;
  /** Preferred models that did not fit, with why, before the one used (or the heuristic). */
  modelFailures: string[];
  purchaseModel: FittedPurchaseModel | null;
  spendModel: FittedSpendModel | null;
  /** Why the pooled mean order value stands in for Gamma-Gamma, when it does. */
  spendFallbackReason: string | null;
  scores: CustomerScore[];
}

const CHUNK = 50_000;

function inChunks(
  summaries: readonly CustomerSummary[],
  score: (chunk: readonly CustomerSummary[]) => CustomerScore[],
  onProgress?: (done: number, total: number) => void,
): CustomerScore[] {
  const out: CustomerScore[] = [];
  for (let i = 0; i < summaries.length; i += CHUNK) {
    for (const s of score(summaries.slice(i, i + CHUNK))) out.push(s);
    onProgress?.(Math.min(i + CHUNK, summaries.length), summaries.length);
  }
  return out;
}

export function runEngine(
  summaries: readonly CustomerSummary[],
  observationEndDay: number,
  options: EngineOptions = {},
): EngineResult {
  const sufficiency = checkDataSufficiency(summaries, observationEndDay, options.minimums);
  const heuristic = (reason: string): EngineResult => ({
    sufficiency,
    fallbackReason: reason,
    modelFailures: [],
    purchaseModel: null,
    spendModel: null,
    spendFallbackReason: null,
    scores: inChunks(
      summaries,
      (c) => scoreWithHeuristic(c, observationEndDay, options.scoring),
      options.onProgress,
    ),
  });
  if (!sufficiency.sufficient) return heuristic(`insufficient data: ${sufficiency.reasons.join('; ')}`);
  const preference = typeof options.model === 'string' ? [options.model] : (options.model ?? ['bgnbd']);
  const failures: string[] = [];
  for (const name of preference) {
    try {
      const fitted = fitAndScore(PURCHASE_MODELS[name], summaries, observationEndDay, options);
      return { sufficiency, modelFailures: failures, ...fitted };
    } catch (error) {
      // A model that cannot be fitted, or whose predictions cannot be computed, is not used: the next is tried.
      if (!(error instanceof FitDidNotConvergeError || error instanceof HypergeometricSeriesError))
        throw error;
      failures.push(preference.length > 1 ? `${name}: ${error.message}` : error.message);
    }
  }
  return { ...heuristic(failures.join('; ')), modelFailures: failures };
}

function fitAndScore(
  model: PurchaseModel,
  summaries: readonly CustomerSummary[],
  observationEndDay: number,
  options: EngineOptions,
): Omit<EngineResult, 'sufficiency' | 'modelFailures'> {
  const purchaseModel = fitPurchaseModel(model, summaries, options.fit);
  let spendModel: FittedSpendModel | null = null;
  let spendFallbackReason: string | null = null;
  try {
    spendModel = fitGammaGamma(summaries, options.fit);
  } catch (error) {
    if (!(error instanceof FitDidNotConvergeError)) throw error;
    spendFallbackReason = `pooled mean order value used: ${error.message}`;
  }
  const engine = {
    purchaseModel: model,
    purchaseParams: purchaseModel.params,
    spendParams: spendModel?.params ?? null,
    pooledMeanValue: pooledMeanValue(summaries),
  };
  const score = (c: readonly CustomerSummary[]) =>
    scoreWithModel(c, engine, observationEndDay, options.scoring);
  return {
    fallbackReason: null,
    purchaseModel,
    spendModel,
    spendFallbackReason,
    scores: inChunks(summaries, score, options.onProgress),
  };
}

/**
 * Picks the purchase model for a tenant by backtest: the last `holdoutShare`
 * of the history is held out, each model is fitted on the rest and judged on it.
 */
export function chooseModelByBacktest(
  purchases: readonly Purchase[],
  observationEnd: number,
  options: {
    holdoutShare?: number;
    timeUnit?: 'day' | 'week';
    models?: readonly PurchaseModel[];
    fit?: FitOptions;
  } = {},
): ModelSelection & { calibrationEnd: number; rows: CalibrationHoldoutRow[] } {
  let first = Infinity;
  for (const p of purchases) first = Math.min(first, p.at);
  const endDay = dayNumber(observationEnd);
  const share = options.holdoutShare ?? 0.25;
  const calibrationEnd = (dayNumber(first) + Math.floor((endDay - dayNumber(first)) * (1 - share))) * DAY_MS;
  const rows = calibrationHoldoutSplit(purchases, {
    calibrationEnd,
    holdoutEnd: observationEnd,
    timeUnit: options.timeUnit,
  });
  const models = options.models ?? Object.values(PURCHASE_MODELS);
  return { ...selectModel(models, rows, options.fit), calibrationEnd, rows };
}
