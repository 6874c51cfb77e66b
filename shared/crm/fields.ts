/**
 * The CRM field contract (ARCHITECTURE.md, "CRM fields"), rounded as the CRMs
 * store them, so "changed" means a change a person would see: money to the
 * cent, probabilities to a tenth of a percent, dates to the day. scored_at is
 * not compared: a rescore that changes nothing writes nothing.
 */
import type { CustomerScore } from '../clv/index.ts';
import { formatDay } from '../clv/index.ts';
import type { CustomerSegments } from '../segments/index.ts';

export interface CrmFields {
  predicted_clv: number;
  historic_clv: number;
  expected_orders: number;
  p_alive: number | null;
  churn_risk: 'low' | 'medium' | 'high';
  next_order_date: string | null;
  segment: string;
  tier: string;
  referrals: number;
  referral_value: number;
}

const round = (v: number, places: number) => Math.round(v * 10 ** places) / 10 ** places;

export function crmFields(
  score: CustomerScore,
  segments: CustomerSegments,
  referrals: { referrals: number; referralValue: number } = { referrals: 0, referralValue: 0 },
): CrmFields {
  return {
    predicted_clv: round(Math.max(0, score.predictedClv), 2),
    historic_clv: round(score.historicClv, 2),
    expected_orders: round(score.expectedOrders, 2),
    p_alive: score.pAlive === null ? null : round(score.pAlive, 3),
    churn_risk: segments.churnBand,
    next_order_date: score.nextOrderDay === null ? null : formatDay(score.nextOrderDay),
    segment: segments.segment,
    tier: segments.tier,
    referrals: referrals.referrals,
    referral_value: round(referrals.referralValue, 2),
  };
}

/** The names of the fields whose visible value differs. */
export function changedFields(before: CrmFields | null | undefined, after: CrmFields): (keyof CrmFields)[] {
  return (Object.keys(after) as (keyof CrmFields)[]).filter((k) => !before || before[k] !== after[k]);
}
