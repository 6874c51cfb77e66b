/** Segments' public surface: RFM groups, value tiers, churn bands and referral value. Pure functions, no I/O. */
export {
  RFM_GROUPS,
  rfmScores,
  rfmGroup,
  assignRfmGroups,
  fmScore,
  InvalidRfmInputError,
  InvalidRfmScoreError,
} from './rfm.ts';
export type { RfmGroup, RatedRfmGroup, RfmCustomer, RfmScores, RfmAssignment } from './rfm.ts';
export type { QuintileScore } from './quintiles.ts';
export {
  TIERS,
  DEFAULT_TIER_THRESHOLDS,
  tierThresholdsFromPercentiles,
  tierFor,
  assignTiers,
  InvalidTierThresholdsError,
  InvalidTierCutsError,
  InvalidClvError,
} from './tiers.ts';
export type { Tier, TierThresholds, TierCuts, TierAssignment } from './tiers.ts';
export {
  CHURN_BANDS,
  DEFAULT_CHURN_BAND_THRESHOLDS,
  churnBand,
  InvalidChurnRiskError,
  InvalidChurnThresholdsError,
} from './churn.ts';
export type { ChurnBand, ChurnBandThresholds } from './churn.ts';
export { referralMetrics, advocates, InvalidReferralInputError } from './referrals.ts';
export type {
  ReferralCustomer,
  CustomerReferrals,
  ReferralUplift,
  ReferralMetrics,
  Advocate,
} from './referrals.ts';
export { DuplicateCustomerError } from './customer-ids.ts';
export { segmentCustomers } from './segment-customers.ts';
export type { CustomerSegments, SegmentedPopulation } from './segment-customers.ts';
