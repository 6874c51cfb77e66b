/**
 * A scored population's segments, side by side with its scores: the RFM group
 * (from the order history), the value tier (from predicted CLV against the
 * tenant's percentile cuts) and the churn band (from churn risk).
 */
import type { CustomerScore, CustomerSummary } from '../clv/index.ts';
import type { ChurnBand, ChurnBandThresholds } from './churn.ts';
import { DEFAULT_CHURN_BAND_THRESHOLDS, churnBand } from './churn.ts';
import type { RfmGroup } from './rfm.ts';
import { assignRfmGroups } from './rfm.ts';
import type { Tier, TierCuts, TierThresholds } from './tiers.ts';
import { DEFAULT_TIER_THRESHOLDS, assignTiers } from './tiers.ts';

export interface CustomerSegments {
  segment: RfmGroup;
  tier: Tier;
  churnBand: ChurnBand;
}

export interface SegmentedPopulation {
  segments: Map<string, CustomerSegments>;
  /** The CLV values at the tier boundaries, to tier a single rescored customer later. */
  tierCuts: TierCuts;
}

export function segmentCustomers(
  summaries: readonly CustomerSummary[],
  scores: readonly CustomerScore[],
  observationEndDay: number,
  options: { tierThresholds?: TierThresholds; churnThresholds?: ChurnBandThresholds } = {},
): SegmentedPopulation {
  const groups = assignRfmGroups(
    summaries.map((s) => ({
      customerId: s.customerId,
      orders: s.purchaseDays,
      daysSinceLastOrder: observationEndDay - s.lastPurchaseDay,
      totalSpent: s.totalValue,
    })),
  );
  const { cuts, tiers } = assignTiers(
    scores.map((s) => ({ customerId: s.customerId, predictedClv: Math.max(0, s.predictedClv) })),
    options.tierThresholds ?? DEFAULT_TIER_THRESHOLDS,
  );
  const churn = options.churnThresholds ?? DEFAULT_CHURN_BAND_THRESHOLDS;
  const segments = new Map<string, CustomerSegments>();
  for (const s of scores) {
    segments.set(s.customerId, {
      segment: groups.get(s.customerId)?.group ?? 'Prospects',
      tier: tiers.get(s.customerId) ?? 'bronze',
      churnBand: churnBand(s.churnRisk, churn),
    });
  }
  return { segments, tierCuts: cuts };
}
