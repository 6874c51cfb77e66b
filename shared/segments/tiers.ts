/**
 * Value tiers by predicted CLV percentile within the tenant. Thresholds are cumulative shares from the
 * top: by default the top 5 % are platinum, the top 20 % gold or better, the top 50 % silver or better,
 * the rest bronze.
 *
 * The percentiles are turned into CLV cut values once per refit and stored, so a customer rescored
 * between refits is tiered against the same cuts (`tierFor`) instead of re-ranking the whole tenant.
 * A customer is in the highest tier whose cut they reach, so everyone tied at a cut shares its tier
 * (a tie can make a tier a little larger than its share). Zero CLV is bronze whatever the cuts say:
 * a customer expected to bring nothing is never "top" value, even when most of the tenant is at zero.
 */
import { InternalError } from '../errors.ts';
import { assertUniqueCustomerIds } from './customer-ids.ts';

export const TIERS = ['platinum', 'gold', 'silver', 'bronze'] as const;
export type Tier = (typeof TIERS)[number];

/** Share of customers, from the top, in each tier or a better one; 0 < platinum < gold < silver < 1. */
export interface TierThresholds {
  platinum: number;
  gold: number;
  silver: number;
}

/**
 * The lowest predicted CLV that reaches each tier. Null when the tier's share rounds to no customer
 * at all (a small tenant); null rather than Infinity because Infinity does not survive JSON.
 */
export interface TierCuts {
  platinum: number | null;
  gold: number | null;
  silver: number | null;
}

export interface TierAssignment {
  cuts: TierCuts;
  tiers: Map<string, Tier>;
}

export const DEFAULT_TIER_THRESHOLDS: Readonly<TierThresholds> = Object.freeze({
  platinum: 0.05,
  gold: 0.2,
  silver: 0.5,
});

const RANKED_TIERS = ['platinum', 'gold', 'silver'] as const;

/** Out-of-range tier input, named after its subclass (ClvError names each) so each says which input was wrong. */
class TierRangeError extends InternalError {}

export class InvalidTierThresholdsError extends TierRangeError {}
export class InvalidTierCutsError extends TierRangeError {}
export class InvalidClvError extends TierRangeError {}

/** The CLV cut values that split `values` at the thresholds' percentiles. */
export function tierThresholdsFromPercentiles(
  values: readonly number[],
  thresholds: TierThresholds = DEFAULT_TIER_THRESHOLDS,
): TierCuts {
  assertValidThresholds(thresholds);
  values.forEach((value, i) => assertFiniteClv(value, `value ${i}`));
  const descending = [...values].sort((a, b) => b - a);
  const cutAt = (share: number): number | null => {
    // Rounded, not ceiled: 0.15 · 100 is 15.000000000000002 in floating point.
    const count = Math.round(share * descending.length);
    return count === 0 ? null : descending[count - 1]!;
  };
  return {
    platinum: cutAt(thresholds.platinum),
    gold: cutAt(thresholds.gold),
    silver: cutAt(thresholds.silver),
  };
}

/** The tier of one predicted CLV against stored cuts. */
export function tierFor(predictedClv: number, cuts: TierCuts): Tier {
  assertFiniteClv(predictedClv, 'predicted CLV');
  assertValidCuts(cuts);
  if (predictedClv <= 0) return 'bronze';
  for (const tier of RANKED_TIERS) {
    const cut = cuts[tier];
    if (cut !== null && predictedClv >= cut) return tier;
  }
  return 'bronze';
}

/** Tiers for a whole tenant, with the cuts to store for tiering single customers later. */
export function assignTiers(
  values: readonly { customerId: string; predictedClv: number }[],
  thresholds: TierThresholds = DEFAULT_TIER_THRESHOLDS,
): TierAssignment {
  assertUniqueCustomerIds(values, 'tiers');
  values.forEach((v) => assertFiniteClv(v.predictedClv, `customer "${v.customerId}"`));
  const cuts = tierThresholdsFromPercentiles(
    values.map((v) => v.predictedClv),
    thresholds,
  );
  return { cuts, tiers: new Map(values.map((v) => [v.customerId, tierFor(v.predictedClv, cuts)])) };
}

function assertValidThresholds(thresholds: TierThresholds): void {
  const { platinum, gold, silver } = thresholds;
  const valid =
    [platinum, gold, silver].every((share) => Number.isFinite(share) && share > 0 && share < 1) &&
    platinum < gold &&
    gold < silver;
  if (!valid) {
    throw new InvalidTierThresholdsError(
      `tier thresholds {platinum: ${platinum}, gold: ${gold}, silver: ${silver}} are not valid: each is the ` +
        'share of customers from the top in that tier or better, so they must be strictly increasing ' +
        'and between 0 and 1 exclusive, e.g. {platinum: 0.05, gold: 0.2, silver: 0.5}',
    );
  }
}

// Stored cuts come back from a database; a swapped pair would silently put gold above platinum.
function assertValidCuts(cuts: TierCuts): void {
  let above: number | null = null;
  for (const tier of RANKED_TIERS) {
    const cut = cuts[tier];
    if (cut === null) {
      if (above !== null) {
        throw new InvalidTierCutsError(
          `${tier} cut is null below a set cut; recompute the cuts from the tenant`,
        );
      }
      continue;
    }
    if (!Number.isFinite(cut) || (above !== null && cut > above)) {
      throw new InvalidTierCutsError(
        `${tier} cut ${cut} is not a number at or below the tier above it (${above}); recompute the cuts`,
      );
    }
    above = cut;
  }
}

function assertFiniteClv(value: number, what: string): void {
  if (!Number.isFinite(value)) {
    throw new InvalidClvError(`${what}: predicted CLV is ${value}; tiers need a finite number`);
  }
}
