/**
 * RFM groups as Shopify names and draws them: Shopify Help Center, "RFM customer analysis" (Analytics ›
 * Reports › Customers), and the `CustomerRfmGroup` enum of the GraphQL Admin API
 * (https://shopify.dev/docs/api/admin-graphql/latest/enums/customerrfmgroup).
 *
 * Shopify scores each customer 1–5 on recency (days since the last order), frequency (number of orders)
 * and monetary value (total spent), each relative to the store's own customers (5 = top 20 %), then
 * places them on a grid of R against FM = (F + M) / 2:
 *
 *            FM 1          FM 2          FM 3              FM 4        FM 5
 *   R 5   New           Active        Active            Champions   Champions
 *   R 4   Promising     Active        Active            Loyal       Loyal
 *   R 3   Almost lost   Almost lost   Needs attention   Loyal       Loyal
 *   R 2   Dormant       Dormant       At risk           At risk     Previously loyal
 *   R 1   Dormant       Dormant       At risk           At risk     Previously loyal
 *
 * i.e. Champions R 5, FM 4–5; Loyal R 3–4, FM 4–5; Active R 4–5, FM 2–3; New R 5, FM 1; Promising R 4,
 * FM 1; Needs attention R 3, FM 3; Almost lost R 3, FM 1–2; At risk R 1–2, FM 3–4; Previously loyal
 * R 1–2, FM 5; Dormant R 1–2, FM 1–2; Prospects: no orders yet. Every cell has exactly one group, and
 * each group matches its description in the enum (e.g. Previously loyal: "without recent purchases, but
 * with a very strong history"). If Shopify redraws the report's grid, this table is the one place to change.
 *
 * FM is a half whenever F and M differ in parity, but the grid's columns are whole scores. A half goes
 * to the column above it, FM = ⌈(F + M) / 2⌉, reading "FM 4–5" as "FM above 3": a customer high on one
 * of frequency and spend and middling on the other is given the benefit of the doubt.
 */
import { InternalError } from '../errors.ts';
import { assertUniqueCustomerIds } from './customer-ids.ts';
import { quintileScores } from './quintiles.ts';
import type { QuintileScore } from './quintiles.ts';

export const RFM_GROUPS = [
  'Champions',
  'Loyal',
  'Active',
  'Promising',
  'New',
  'Needs attention',
  'At risk',
  'Almost lost',
  'Previously loyal',
  'Dormant',
  'Prospects',
] as const;

export type RfmGroup = (typeof RFM_GROUPS)[number];

/** The groups a customer with at least one order can land in. */
export type RatedRfmGroup = Exclude<RfmGroup, 'Prospects'>;

export interface RfmCustomer {
  customerId: string;
  orders: number;
  /** Null when the customer has never ordered. */
  daysSinceLastOrder: number | null;
  totalSpent: number;
}

export interface RfmScores {
  r: QuintileScore;
  f: QuintileScore;
  m: QuintileScore;
}

export type RfmAssignment =
  (RfmScores & { group: RatedRfmGroup }) | { r: null; f: null; m: null; group: 'Prospects' };

export class InvalidRfmInputError extends InternalError {
  override name = 'InvalidRfmInputError';
}

export class InvalidRfmScoreError extends InternalError {
  override name = 'InvalidRfmScoreError';
}

type GridRow = readonly [RatedRfmGroup, RatedRfmGroup, RatedRfmGroup, RatedRfmGroup, RatedRfmGroup];

// Indexed [R][FM − 1], laid out as in the grid above.
const SHOPIFY_RFM_GRID: Readonly<Record<QuintileScore, GridRow>> = {
  5: ['New', 'Active', 'Active', 'Champions', 'Champions'],
  4: ['Promising', 'Active', 'Active', 'Loyal', 'Loyal'],
  3: ['Almost lost', 'Almost lost', 'Needs attention', 'Loyal', 'Loyal'],
  2: ['Dormant', 'Dormant', 'At risk', 'At risk', 'Previously loyal'],
  1: ['Dormant', 'Dormant', 'At risk', 'At risk', 'Previously loyal'],
};

/** Shopify's combined frequency–monetary score, a half rounded up (see the note at the top). */
export function fmScore(f: QuintileScore, m: QuintileScore): QuintileScore {
  return Math.ceil((f + m) / 2) as QuintileScore;
}

/** Where a customer's scores fall on Shopify's grid; no scores (never ordered) means Prospects. */
export function rfmGroup(scores: RfmScores | null): RfmGroup {
  return scores === null ? 'Prospects' : gridGroup(scores);
}

function gridGroup(scores: RfmScores): RatedRfmGroup {
  for (const key of ['r', 'f', 'm'] as const) {
    const score = scores[key];
    if (!Number.isInteger(score) || score < 1 || score > 5) {
      throw new InvalidRfmScoreError(`${key.toUpperCase()} score is ${score}; RFM scores are integers 1–5`);
    }
  }
  return SHOPIFY_RFM_GRID[scores.r][fmScore(scores.f, scores.m) - 1]!;
}

/**
 * R, F and M quintile scores for every customer who has ordered, relative to the others who have.
 * Prospects are left out: they have no recency, and counting them would push every buyer's F and M up.
 */
export function rfmScores(customers: readonly RfmCustomer[]): Map<string, RfmScores> {
  assertUniqueCustomerIds(customers, 'RFM scores');
  const buyers = customers.filter((customer) => !neverOrdered(validated(customer)));
  // Fewer days since the last order is better, so recency is ranked on the negated days.
  const r = quintileScores(buyers.map((c) => -(c.daysSinceLastOrder as number)));
  const f = quintileScores(buyers.map((c) => c.orders));
  const m = quintileScores(buyers.map((c) => c.totalSpent));
  return new Map(buyers.map((c, i) => [c.customerId, { r: r[i]!, f: f[i]!, m: m[i]! }]));
}

/** Scores and Shopify group for every customer; those who never ordered are Prospects. */
export function assignRfmGroups(customers: readonly RfmCustomer[]): Map<string, RfmAssignment> {
  const scores = rfmScores(customers);
  const assignments = new Map<string, RfmAssignment>();
  for (const { customerId } of customers) {
    const s = scores.get(customerId);
    assignments.set(
      customerId,
      s === undefined ? { r: null, f: null, m: null, group: 'Prospects' } : { ...s, group: gridGroup(s) },
    );
  }
  return assignments;
}

// Either signal means no purchase to score: zero orders (e.g. all cancelled) or no last-order date.
function neverOrdered(customer: RfmCustomer): boolean {
  return customer.orders === 0 || customer.daysSinceLastOrder === null;
}

function validated(customer: RfmCustomer): RfmCustomer {
  const { customerId, orders, daysSinceLastOrder, totalSpent } = customer;
  if (!Number.isInteger(orders) || orders < 0) {
    throw new InvalidRfmInputError(
      `customer "${customerId}": orders is ${orders}; it must be a whole number of orders, 0 or more`,
    );
  }
  if (daysSinceLastOrder !== null && !(Number.isFinite(daysSinceLastOrder) && daysSinceLastOrder >= 0)) {
    throw new InvalidRfmInputError(
      `customer "${customerId}": daysSinceLastOrder is ${daysSinceLastOrder}; pass days ≥ 0, or null if they never ordered`,
    );
  }
  if (!Number.isFinite(totalSpent)) {
    throw new InvalidRfmInputError(
      `customer "${customerId}": totalSpent is ${totalSpent}; it must be a number`,
    );
  }
  return customer;
}
