/**
 * Referral value, measured on the tenant's own customers: per customer, how many customers they
 * referred and the CLV those customers carry; per tenant, whether referred customers are worth more
 * than the rest, with a Welch 95 % interval on the difference so a merchant can tell a real uplift
 * from the noise of a dozen referred customers.
 *
 * A referral link counts only when it names another known customer. A self-referral (a customer using
 * their own code) or a referrer we have no record of is dropped and counted in `ignored`; the customer
 * then counts as not referred, since nothing known connects them to an advocate.
 */
import { InternalError } from '../errors.ts';
import { assertUniqueCustomerIds } from './customer-ids.ts';
import { sampleSummary, welchInterval } from './welch.ts';

export interface ReferralCustomer {
  customerId: string;
  /** Predicted or historic CLV, the same kind for every customer of the tenant. */
  clv: number;
  referredBy?: string | null;
}

export interface CustomerReferrals {
  /** Customers this customer referred. */
  referrals: number;
  /** Sum of the CLV of the customers they referred. */
  referralValue: number;
}

export interface ReferralUplift {
  referredCount: number;
  nonReferredCount: number;
  referredMeanClv: number | null;
  nonReferredMeanClv: number | null;
  /** referredMean / nonReferredMean − 1; null when a group is empty or the baseline is not positive. */
  uplift: number | null;
  /** referredMean − nonReferredMean; null when a group is empty. */
  difference: number | null;
  /** Welch standard error of the difference; null when a group has fewer than two customers. */
  standardError: number | null;
  degreesOfFreedom: number | null;
  interval95: { low: number; high: number } | null;
  /** Whether the 95 % interval excludes zero, i.e. the data can tell the groups apart. */
  measurable: boolean | null;
  /** Referral links dropped: self-referrals and referrers who are not known customers. */
  ignored: number;
}

export interface ReferralMetrics {
  customers: Map<string, CustomerReferrals>;
  tenant: ReferralUplift;
}

export interface Advocate extends CustomerReferrals {
  customerId: string;
}

export class InvalidReferralInputError extends InternalError {
  override name = 'InvalidReferralInputError';
}

export function referralMetrics(customers: readonly ReferralCustomer[]): ReferralMetrics {
  const known = assertUniqueCustomerIds(customers, 'referral metrics');
  const perCustomer = new Map<string, CustomerReferrals>();
  for (const { customerId, clv } of customers) {
    if (!Number.isFinite(clv)) {
      throw new InvalidReferralInputError(
        `customer "${customerId}": CLV is ${clv}; it must be a finite number`,
      );
    }
    perCustomer.set(customerId, { referrals: 0, referralValue: 0 });
  }

  const referredClv: number[] = [];
  const nonReferredClv: number[] = [];
  let ignored = 0;
  for (const { customerId, clv, referredBy } of customers) {
    if (referredBy === undefined || referredBy === null || referredBy === '') {
      nonReferredClv.push(clv);
      continue;
    }
    if (referredBy === customerId || !known.has(referredBy)) {
      ignored++;
      nonReferredClv.push(clv);
      continue;
    }
    const referrer = perCustomer.get(referredBy)!;
    referrer.referrals++;
    referrer.referralValue += clv;
    referredClv.push(clv);
  }

  return { customers: perCustomer, tenant: uplift(referredClv, nonReferredClv, ignored) };
}

/**
 * The tenant's advocates: its top referrers by referral value, the `topShare` of customers who referred
 * anyone (at least one when there are any). Everyone tied with the last advocate's value is included,
 * so equal referrers are never split. Highest value first.
 */
export function advocates(metrics: Pick<ReferralMetrics, 'customers'>, topShare = 0.05): Advocate[] {
  if (!(topShare > 0 && topShare <= 1)) {
    throw new InvalidReferralInputError(
      `advocates' topShare is ${topShare}; it is the share of referrers to keep, above 0 and at most 1, e.g. 0.05`,
    );
  }
  const referrers = [...metrics.customers]
    .filter(([, m]) => m.referrals >= 1)
    .map(([customerId, m]) => ({ customerId, referrals: m.referrals, referralValue: m.referralValue }))
    .sort(
      (a, b) =>
        b.referralValue - a.referralValue ||
        b.referrals - a.referrals ||
        (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0),
    );
  if (referrers.length === 0) return [];
  // Rounded, not ceiled, against floating-point excess (0.15 · 100 = 15.000000000000002).
  const count = Math.max(1, Math.round(topShare * referrers.length));
  const cut = referrers[count - 1]!.referralValue;
  return referrers.filter((r) => r.referralValue >= cut);
}

function uplift(referredClv: number[], nonReferredClv: number[], ignored: number): ReferralUplift {
  const referred = sampleSummary(referredClv);
  const rest = sampleSummary(nonReferredClv);
  const bothPresent = referred.n > 0 && rest.n > 0;
  const interval = welchInterval(referred, rest, 0.95);
  return {
    referredCount: referred.n,
    nonReferredCount: rest.n,
    referredMeanClv: referred.n > 0 ? referred.mean : null,
    nonReferredMeanClv: rest.n > 0 ? rest.mean : null,
    // A ratio against a zero or negative baseline says nothing about how much more referred customers are worth.
    uplift: bothPresent && rest.mean > 0 ? referred.mean / rest.mean - 1 : null,
    difference: bothPresent ? referred.mean - rest.mean : null,
    standardError: interval?.standardError ?? null,
    degreesOfFreedom: interval?.degreesOfFreedom ?? null,
    interval95: interval === null ? null : { low: interval.low, high: interval.high },
    measurable: interval === null ? null : interval.low > 0 || interval.high < 0,
    ignored,
  };
}
