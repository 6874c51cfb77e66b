/**
 * The labelled fallback for tenants below the data minimums: the textbook
 * CLV = average order value × purchase rate × expected lifespan, with the
 * customer's own average order value and the tenant's rate and lifespan
 * (one customer's history is too short to say anything about either).
 *
 * - purchase rate: purchase days per customer-month observed, tenant-wide;
 * - expected lifespan: the mean first-to-last span of repeat buyers, at least
 *   one month, capped at the horizon;
 * - churn risk: P(no order in the window) for a Poisson buyer at that rate;
 * - next order: last order + one mean gap, while the customer is inside the
 *   typical lifespan.
 * No P(alive): without a model there is no honest number for it.
 */
import type { CustomerScore, ScoringOptions } from './score.ts';
import { DAYS_PER_MONTH, historicClv, marginRate, resolveScoringOptions } from './score.ts';
import type { CustomerSummary } from './summarize.ts';

export interface HeuristicRates {
  ordersPerMonth: number;
  lifespanMonths: number;
  averageOrderValue: number;
}

export function heuristicRates(
  summaries: readonly CustomerSummary[],
  observationEndDay: number,
): HeuristicRates {
  let purchases = 0;
  let monthsObserved = 0;
  let value = 0;
  let spanDays = 0;
  let repeatBuyers = 0;
  for (const s of summaries) {
    purchases += s.purchaseDays;
    value += s.totalValue;
    monthsObserved += (observationEndDay - s.firstPurchaseDay + 1) / DAYS_PER_MONTH;
    if (s.purchaseDays > 1) {
      spanDays += s.lastPurchaseDay - s.firstPurchaseDay;
      repeatBuyers++;
    }
  }
  return {
    ordersPerMonth: monthsObserved > 0 ? purchases / monthsObserved : 0,
    lifespanMonths: Math.max(1, repeatBuyers ? spanDays / repeatBuyers / DAYS_PER_MONTH : 1),
    averageOrderValue: purchases ? value / purchases : 0,
  };
}

/** `rates` default to the ones of the customers given; a single rescored customer passes the tenant's. */
export function scoreWithHeuristic(
  summaries: readonly CustomerSummary[],
  observationEndDay: number,
  options: ScoringOptions = {},
  rates: HeuristicRates = heuristicRates(summaries, observationEndDay),
): CustomerScore[] {
  const o = resolveScoringOptions(options);
  const months = Math.min(rates.lifespanMonths, o.horizonMonths);
  const expectedOrders = rates.ordersPerMonth * months;
  const perDay = rates.ordersPerMonth / DAYS_PER_MONTH;
  const gapDays = perDay > 0 ? 1 / perDay : Infinity;
  const lifespanDays = rates.lifespanMonths * DAYS_PER_MONTH;
  return summaries.map((s) => {
    // Purchase days' own values: a refund with no order of its own lowers historic value only.
    const bought = s.firstValue + s.monetaryValue * s.frequency;
    const aov = s.purchaseDays ? Math.max(0, bought / s.purchaseDays) : rates.averageOrderValue;
    const value = aov * marginRate(s, o);
    const next = s.lastPurchaseDay + Math.round(gapDays);
    return {
      customerId: s.customerId,
      method: 'heuristic',
      model: 'heuristic: average order value × purchase rate × expected lifespan',
      predictedClv: value * expectedOrders,
      historicClv: historicClv(s, o),
      expectedOrders,
      pAlive: null,
      churnRisk: Math.exp(-perDay * o.churnWindowDays),
      nextOrderDay:
        Number.isFinite(gapDays) && observationEndDay - s.lastPurchaseDay <= lifespanDays
          ? Math.max(next, observationEndDay + 1)
          : null,
      expectedOrderValue: value,
    };
  });
}
