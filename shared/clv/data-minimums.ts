/**
 * Below these a fitted model is not to be trusted: few customers or few repeat
 * buyers leave the heterogeneity parameters unidentified, and a short history
 * cannot separate "slow buyer" from "gone". The engine then says so and scores
 * with a labelled heuristic instead.
 */
import type { CustomerSummary } from './summarize.ts';

export interface DataMinimums {
  customers: number;
  repeatBuyers: number;
  historyDays: number;
}

export const DEFAULT_DATA_MINIMUMS: DataMinimums = { customers: 100, repeatBuyers: 20, historyDays: 90 };

export interface DataSufficiency {
  sufficient: boolean;
  /** Plain-language reasons, one per minimum not met. */
  reasons: string[];
  customers: number;
  repeatBuyers: number;
  historyDays: number;
}

export function checkDataSufficiency(
  summaries: readonly Pick<CustomerSummary, 'frequency' | 'firstPurchaseDay'>[],
  observationEndDay: number,
  minimums: DataMinimums = DEFAULT_DATA_MINIMUMS,
): DataSufficiency {
  let repeatBuyers = 0;
  let firstDay = Infinity;
  for (const s of summaries) {
    if (s.frequency > 0) repeatBuyers++;
    firstDay = Math.min(firstDay, s.firstPurchaseDay);
  }
  const historyDays = summaries.length ? observationEndDay - firstDay : 0;
  const reasons: string[] = [];
  if (summaries.length < minimums.customers) {
    reasons.push(
      `only ${summaries.length} customers have purchased; the model needs at least ${minimums.customers}`,
    );
  }
  if (repeatBuyers < minimums.repeatBuyers) {
    reasons.push(
      `only ${repeatBuyers} customers have bought more than once; the model needs at least ${minimums.repeatBuyers}`,
    );
  }
  if (historyDays < minimums.historyDays) {
    reasons.push(
      `the order history spans ${historyDays} days; the model needs at least ${minimums.historyDays}`,
    );
  }
  return {
    sufficient: reasons.length === 0,
    reasons,
    customers: summaries.length,
    repeatBuyers,
    historyDays,
  };
}
