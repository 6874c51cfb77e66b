/**
 * A customer's scores from a fitted purchase model and Gamma-Gamma:
 * discounted CLV over a horizon, expected orders, P(alive), churn risk and
 * the expected date of the next order.
 *
 * CLV follows `lifetimes`' customer_lifetime_value: the horizon is cut into
 * months; the purchases expected in month i, times the expected value of a
 * purchase, are discounted by (1 + d)^i. The expected value is margin when
 * the customer's margins are known (their margin share of revenue), else the
 * tenant's default margin rate, else revenue.
 *
 * Customers with the same (x, t_x, T) share every purchase-model quantity, so
 * those are computed once per distinct row: this is what lets a million
 * customers score in about a second.
 */
import type { GammaGammaParams } from './gamma-gamma.ts';
import { gammaGamma } from './gamma-gamma.ts';
import type { PurchaseModel } from './purchase-model.ts';
import type { TimeUnit } from './purchases.ts';
import { unitDays } from './purchases.ts';
import { compressRfm } from './rfm-data.ts';
import type { CustomerSummary } from './summarize.ts';

export const DAYS_PER_MONTH = 365.25 / 12;

export interface ScoringOptions {
  horizonMonths?: number;
  /** Monthly discount rate, e.g. 0.01. */
  monthlyDiscountRate?: number;
  /** Churn risk is P(no order in this many days). */
  churnWindowDays?: number;
  timeUnit?: TimeUnit;
  /** Share of revenue that is profit, used where a customer's margin is unknown; 1 scores revenue. */
  defaultMarginRate?: number;
  /** 'revenue' ignores margins altogether. */
  basis?: 'margin' | 'revenue';
}

export interface CustomerScore {
  customerId: string;
  method: 'model' | 'heuristic';
  model: string;
  predictedClv: number;
  historicClv: number;
  expectedOrders: number;
  /** Null under the heuristic, which has no notion of being alive. */
  pAlive: number | null;
  churnRisk: number;
  /** Day number (UTC days since epoch) of the expected next order; null when none is expected. */
  nextOrderDay: number | null;
  expectedOrderValue: number;
}

export interface FittedEngine {
  purchaseModel: PurchaseModel;
  purchaseParams: Record<string, number>;
  spendParams: GammaGammaParams;
}

export class InvalidScoringOptionsError extends Error {
  override name = 'InvalidScoringOptionsError';
}

export function resolveScoringOptions(o: ScoringOptions): Required<ScoringOptions> {
  const r = {
    horizonMonths: o.horizonMonths ?? 12,
    monthlyDiscountRate: o.monthlyDiscountRate ?? 0.01,
    churnWindowDays: o.churnWindowDays ?? 90,
    timeUnit: o.timeUnit ?? 'day',
    defaultMarginRate: o.defaultMarginRate ?? 1,
    basis: o.basis ?? 'margin',
  };
  if (!(Number.isInteger(r.horizonMonths) && r.horizonMonths >= 1 && r.horizonMonths <= 120)) {
    throw new InvalidScoringOptionsError(
      `horizon must be a whole number of months from 1 to 120, got ${r.horizonMonths}`,
    );
  }
  if (!(r.monthlyDiscountRate >= 0 && r.monthlyDiscountRate < 1)) {
    throw new InvalidScoringOptionsError(
      `monthly discount rate must be in [0, 1), got ${r.monthlyDiscountRate}`,
    );
  }
  if (!(r.defaultMarginRate > 0 && r.defaultMarginRate <= 1)) {
    throw new InvalidScoringOptionsError(`default margin rate must be in (0, 1], got ${r.defaultMarginRate}`);
  }
  if (!(r.churnWindowDays > 0))
    throw new InvalidScoringOptionsError('churn window must be a positive number of days');
  return r;
}

/** Share of a customer's revenue that is profit, by the rules in the header. */
export function marginRate(
  s: Pick<CustomerSummary, 'totalMargin' | 'totalValue'>,
  o: Required<ScoringOptions>,
): number {
  if (o.basis === 'revenue') return 1;
  if (s.totalMargin !== null && s.totalValue > 0)
    return Math.min(1, Math.max(0, s.totalMargin / s.totalValue));
  return o.defaultMarginRate;
}

export function historicClv(s: CustomerSummary, o: Required<ScoringOptions>): number {
  if (o.basis === 'margin' && s.totalMargin !== null) return s.totalMargin;
  return s.totalValue * (o.basis === 'revenue' ? 1 : o.defaultMarginRate);
}

/** Bisection for models without a closed-form median: P(none in t) is decreasing in t. */
function medianByBisection(
  model: PurchaseModel,
  p: Record<string, number>,
  x: number,
  tx: number,
  T: number,
  limit: number,
): number {
  if (model.probabilityNoPurchase(p, limit, x, tx, T) > 0.5) return Infinity;
  let lo = 0;
  let hi = limit;
  for (let k = 0; k < 40; k++) {
    const mid = (lo + hi) / 2;
    if (model.probabilityNoPurchase(p, mid, x, tx, T) > 0.5) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export function scoreWithModel(
  summaries: readonly CustomerSummary[],
  engine: FittedEngine,
  observationEndDay: number,
  options: ScoringOptions = {},
): CustomerScore[] {
  const o = resolveScoringOptions(options);
  const { purchaseModel: model, purchaseParams: p, spendParams } = engine;
  const unit = unitDays(o.timeUnit);
  const month = DAYS_PER_MONTH / unit;
  const churnWindow = o.churnWindowDays / unit;
  const data = compressRfm(summaries);
  // Per distinct (x, t_x, T): discounted expected purchases, expected purchases, P(alive), churn risk, median wait.
  const discounted = new Float64Array(data.n);
  const expected = new Float64Array(data.n);
  const alive = new Float64Array(data.n);
  const churn = new Float64Array(data.n);
  const median = new Float64Array(data.n);
  const discount = Array.from({ length: o.horizonMonths }, (_, i) =>
    Math.pow(1 + o.monthlyDiscountRate, -(i + 1)),
  );
  for (let k = 0; k < data.n; k++) {
    const x = data.x[k] as number;
    const tx = data.tx[k] as number;
    const T = data.T[k] as number;
    let previous = 0;
    let sum = 0;
    for (let i = 1; i <= o.horizonMonths; i++) {
      const cumulative = model.conditionalExpectedPurchases(p, i * month, x, tx, T);
      sum += (cumulative - previous) * (discount[i - 1] as number);
      previous = cumulative;
    }
    discounted[k] = sum;
    expected[k] = previous;
    alive[k] = model.pAlive(p, x, tx, T);
    churn[k] = model.probabilityNoPurchase(p, churnWindow, x, tx, T);
    median[k] = model.medianTimeToNextPurchase
      ? model.medianTimeToNextPurchase(p, x, tx, T)
      : medianByBisection(model, p, x, tx, T, 10 * o.horizonMonths * month);
  }
  const label = `${model.name}+gammaGamma`;
  return summaries.map((s, i) => {
    const k = data.rowOfInput[i] as number;
    const value =
      gammaGamma.conditionalExpectedMeanValue(spendParams, s.frequency, s.monetaryValue) * marginRate(s, o);
    const wait = median[k] as number;
    return {
      customerId: s.customerId,
      method: 'model',
      model: label,
      predictedClv: (discounted[k] as number) * value,
      historicClv: historicClv(s, o),
      expectedOrders: expected[k] as number,
      pAlive: alive[k] as number,
      churnRisk: churn[k] as number,
      // Beyond the horizon a "next order date" is not a forecast anyone should act on.
      nextOrderDay: wait <= o.horizonMonths * month ? observationEndDay + Math.round(wait * unit) : null,
      expectedOrderValue: value,
    };
  });
}
