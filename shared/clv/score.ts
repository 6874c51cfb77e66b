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
 * The costly part, what a customer still alive would do over the horizon,
 * depends on (x, T) only and is computed once per distinct pair (see
 * purchase-model.ts): this is what lets a million customers score in about a
 * second.
 */
import { InternalError } from '../errors.ts';
import type { GammaGammaParams } from './gamma-gamma.ts';
import { gammaGamma } from './gamma-gamma.ts';
import { DoubleInterner, TripleInterner } from './hash-table.ts';
import type { PurchaseModel } from './purchase-model.ts';
import { timeToNextPurchaseGivenAlive } from './purchase-model.ts';
import type { TimeUnit } from './purchases.ts';
import { unitDays } from './purchases.ts';
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
  /** Gamma-Gamma's parameters; null when it had no interior optimum and the pooled mean stands in. */
  spendParams: GammaGammaParams | null;
  /** Mean value of all repeat purchases: Gamma-Gamma's limit when customers do not differ in spend. */
  pooledMeanValue?: number;
}

/**
 * Gamma-Gamma's likelihood rises toward q, γ → ∞ (γ/q fixed) when customers'
 * spend does not vary beyond chance; its conditional mean then tends to the
 * pooled mean transaction value, which is what is used in that case.
 */
export function pooledMeanValue(
  summaries: readonly Pick<CustomerSummary, 'frequency' | 'monetaryValue'>[],
): number {
  let value = 0;
  let purchases = 0;
  for (const s of summaries) {
    if (s.frequency > 0 && s.monetaryValue > 0) {
      value += s.frequency * s.monetaryValue;
      purchases += s.frequency;
    }
  }
  return purchases ? value / purchases : 0;
}

export class InvalidScoringOptionsError extends InternalError {
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

export function scoreWithModel(
  summaries: readonly CustomerSummary[],
  engine: FittedEngine,
  observationEndDay: number,
  options: ScoringOptions = {},
): CustomerScore[] {
  const o = resolveScoringOptions(options);
  const { purchaseModel: model, purchaseParams: p, spendParams } = engine;
  const expectedValue = (s: CustomerSummary): number =>
    spendParams
      ? gammaGamma.conditionalExpectedMeanValue(spendParams, s.frequency, s.monetaryValue)
      : (engine.pooledMeanValue ?? 0);
  const unit = unitDays(o.timeUnit);
  const month = DAYS_PER_MONTH / unit;
  const horizon = o.horizonMonths * month;
  const churnWindow = o.churnWindowDays / unit;
  const discount = Array.from({ length: o.horizonMonths }, (_, i) =>
    Math.pow(1 + o.monthlyDiscountRate, -(i + 1)),
  );
  const monthEnds = Float64Array.from({ length: o.horizonMonths }, (_, i) => (i + 1) * month);
  const cumulative = new Float64Array(o.horizonMonths);

  // What a customer alive at T would do depends on (x, T) only: computed once per distinct pair.
  const xs = new DoubleInterner(64);
  const Ts = new DoubleInterner(1024);
  const pairs = new TripleInterner(summaries.length);
  const discountedIfAlive: number[] = [];
  const expectedIfAlive: number[] = [];
  const noneIfAlive: number[] = [];
  const ifAlive = (x: number, T: number): number => {
    const k = pairs.of(xs.of(x), Ts.of(T), 0);
    if (k < discountedIfAlive.length) return k;
    if (model.expectedPurchasesIfAlivePath)
      model.expectedPurchasesIfAlivePath(p, monthEnds, x, T, cumulative);
    else
      for (let i = 0; i < monthEnds.length; i++)
        cumulative[i] = model.expectedPurchasesIfAlive(p, monthEnds[i] as number, x, T);
    // lifetimes' customer_lifetime_value: the purchases expected in month i, discounted by (1 + d)^i.
    let previous = 0;
    let sum = 0;
    for (let i = 0; i < monthEnds.length; i++) {
      sum += ((cumulative[i] as number) - previous) * (discount[i] as number);
      previous = cumulative[i] as number;
    }
    discountedIfAlive.push(sum);
    expectedIfAlive.push(previous);
    noneIfAlive.push(model.probabilityNoPurchaseIfAlive(p, churnWindow, x, T));
    return k;
  };

  const label = `${model.name}+${spendParams ? 'gammaGamma' : 'pooledMean'}`;
  return summaries.map((s) => {
    const k = ifAlive(s.frequency, s.T);
    const alive = model.pAlive(p, s.frequency, s.recency, s.T);
    const value = expectedValue(s) * marginRate(s, o);
    const wait = timeToNextPurchaseGivenAlive(model, p, alive, s.frequency, s.T, 10 * horizon);
    return {
      customerId: s.customerId,
      method: 'model',
      model: label,
      predictedClv: alive * (discountedIfAlive[k] as number) * value,
      historicClv: historicClv(s, o),
      expectedOrders: alive * (expectedIfAlive[k] as number),
      pAlive: alive,
      churnRisk: 1 - alive + alive * (noneIfAlive[k] as number),
      // Beyond the horizon a "next order date" is not a forecast anyone should act on.
      nextOrderDay: wait <= horizon ? observationEndDay + Math.round(wait * unit) : null,
      expectedOrderValue: value,
    };
  });
}
