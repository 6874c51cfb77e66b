/**
 * Where an order becomes a score: a customer's summary is recomputed from its
 * stored orders (derive, don't accumulate), scored with the tenant's current
 * model (or the labelled heuristic), segmented, and stored; when a field a
 * person sees in a CRM changed, one outbox entry per linked CRM is written in
 * the same transaction.
 */
import type { CustomerScore, CustomerSummary } from '../clv/index.ts';
import {
  PURCHASE_MODELS,
  dayNumber,
  purchaseDayHistory,
  scoreWithHeuristic,
  scoreWithModel,
  summarize,
} from '../clv/index.ts';
import type { CrmFields } from '../crm/fields.ts';
import { TransientError } from '../errors.ts';
import { changedFields, crmFields } from '../crm/fields.ts';
import { churnBand, tierFor } from '../segments/index.ts';
import type { RfmGroup } from '../segments/index.ts';
import { findCustomers, partitionItems } from '../store/identities.ts';
import type { StoredModel } from '../store/models.ts';
import type { CustomerIdentity } from '../store/order.ts';
import { identityKeys } from '../store/order.ts';
import { ordersToPurchases } from '../store/orders.ts';
import type {
  CrmTarget,
  OutboxEntry,
  PurchaseHistory,
  ReferrerLink,
  ScoreChange,
  StoredScore,
} from '../store/scores.ts';
import { putScoreWithOutbox } from '../store/scores.ts';
import type { Store } from '../store/store.ts';
import type { TenantSettings } from '../store/tenants.ts';

export interface ScoringResult {
  status: 'scored' | 'unchanged' | 'gone';
  outbox: OutboxEntry[];
  score?: StoredScore;
}

export function scoringOptions(tenant: TenantSettings) {
  return {
    horizonMonths: tenant.horizonMonths,
    monthlyDiscountRate: tenant.monthlyDiscountRate,
    churnWindowDays: tenant.churnWindowDays,
    defaultMarginRate: tenant.defaultMarginRate,
    basis: tenant.basis,
    timeUnit: 'day' as const,
  };
}

/** The CRMs a customer can be written to: a linked system in which the customer has an id. */
export function crmTargets(tenant: TenantSettings, identities: readonly string[]): CrmTarget[] {
  const targets: CrmTarget[] = [];
  if (tenant.shopifyShop && identities.some((k) => k.startsWith('shopify:'))) targets.push('shopify');
  const sfPrefix = tenant.salesforceGrain === 'account' ? 'sfaccount:' : 'sfcontact:';
  if (tenant.salesforceOrgId && identities.some((k) => k.startsWith(sfPrefix))) targets.push('salesforce');
  return targets;
}

/** Scores one customer with the stored model; before any refit, with the heuristic on the customer alone. */
export function scoreSummary(
  summary: CustomerSummary,
  tenant: TenantSettings,
  model: StoredModel | null,
  endDay: number,
): CustomerScore {
  const options = scoringOptions(tenant);
  if (model?.method === 'model' && model.purchaseModel) {
    const engine = {
      purchaseModel: PURCHASE_MODELS[model.purchaseModel.name],
      purchaseParams: model.purchaseModel.params,
      spendParams: model.spendModel?.params ?? null,
      pooledMeanValue: model.pooledMeanValue ?? undefined,
    };
    return scoreWithModel([summary], engine, endDay, options)[0] as CustomerScore;
  }
  // Below the minimums the tenant's own rates, from the last refit; before any refit, the customer's.
  return scoreWithHeuristic([summary], endDay, options, model?.heuristicRates)[0] as CustomerScore;
}

export function historyOf(
  days: readonly { day: number; value: number; margin: number | null }[],
): PurchaseHistory {
  return {
    days: days.map((d) => d.day),
    values: days.map((d) => d.value),
    margins: days.map((d) => d.margin),
  };
}

/**
 * When a visible field changes, the change is dated and the predicted CLV and tier before it kept;
 * otherwise the last change stands (absent on scores stored before changes were recorded).
 */
export function lastChange(
  previous: Pick<StoredScore, 'fields' | 'lastChange'> | null | undefined,
  fields: CrmFields,
  at: string,
): ScoreChange | undefined {
  if (previous && !changedFields(previous.fields, fields).length) return previous.lastChange;
  return {
    at,
    previousPredictedClv: previous?.fields.predicted_clv ?? null,
    previousTier: previous?.fields.tier ?? null,
  };
}

/**
 * The referrer named by the customer's earliest order that names one (the order that brought them),
 * resolved to our customer id when that person is already known.
 */
export async function referrerOf(
  store: Store,
  tenantId: string,
  items: readonly Record<string, unknown>[],
): Promise<ReferrerLink | null> {
  let earliest: { at: number; referredBy: CustomerIdentity } | null = null;
  for (const i of items) {
    if (!String(i.sk).startsWith('ORDER#') || !i.referredBy) continue;
    const at = Number(i.placedAtMs);
    if (!earliest || at < earliest.at) earliest = { at, referredBy: i.referredBy as CustomerIdentity };
  }
  if (!earliest) return null;
  const identities = identityKeys(earliest.referredBy);
  if (!identities.length) return null;
  const [customerId] = await findCustomers(store, tenantId, earliest.referredBy);
  return { identities, customerId: customerId ?? null };
}

/** What is kept of a score: its CRM fields, how it was made, and the history a refit re-reads. */
export function storedScore(
  customerId: string,
  score: CustomerScore,
  fields: CrmFields,
  identities: string[],
  history: PurchaseHistory,
  modelVersion: string | null,
  scoredAt: string,
  links: Pick<StoredScore, 'referredBy' | 'lastChange' | 'orderSet'> = {},
): StoredScore {
  return {
    ...(links.referredBy ? { referredBy: links.referredBy } : {}),
    ...(links.lastChange ? { lastChange: links.lastChange } : {}),
    ...(links.orderSet ? { orderSet: links.orderSet } : {}),
    customerId,
    fields,
    method: score.method,
    modelVersion,
    scoredAt,
    history,
    identities,
    detail: {
      pAlive: score.pAlive,
      churnRisk: score.churnRisk,
      expectedOrderValue: score.expectedOrderValue,
      predictedClv: score.predictedClv,
    },
  };
}

export function buildOutbox(
  tenant: TenantSettings,
  customerId: string,
  identities: string[],
  before: CrmFields | null,
  after: CrmFields,
  scoredAt: string,
): OutboxEntry[] {
  const changed = changedFields(before, after);
  if (!changed.length) return [];
  return crmTargets(tenant, identities).map((target) => ({
    target,
    customerId,
    identities,
    fields: after,
    changed,
    scoredAt,
  }));
}

/** Scorings of one customer racing the orders that keep arriving: after this many, the message is retried. */
const SCORING_ATTEMPTS = 5;

export class ScoringSupersededError extends TransientError {
  override name = 'ScoringSupersededError';
}

/**
 * Scores a customer from its stored orders. The score is written only on the order set it was read
 * at (putScoreWithOutbox); when orders arrived or moved meanwhile, it reads them again and rescores,
 * so the score kept is always one computed from every order stored when it was written.
 */
export async function scoreCustomer(
  store: Store,
  tenant: TenantSettings,
  customerId: string,
  model: StoredModel | null,
  now = Date.now(),
): Promise<ScoringResult> {
  for (let attempt = 0; attempt < SCORING_ATTEMPTS; attempt++) {
    const result = await scoreOnce(store, tenant, customerId, model, now);
    if (result !== 'superseded') return result;
  }
  throw new ScoringSupersededError(
    `a customer of tenant ${tenant.tenantId} kept receiving orders while it was scored (${SCORING_ATTEMPTS} attempts); the scoring is retried`,
  );
}

async function scoreOnce(
  store: Store,
  tenant: TenantSettings,
  customerId: string,
  model: StoredModel | null,
  now: number,
): Promise<ScoringResult | 'superseded'> {
  const items = await partitionItems(store, tenant.tenantId, customerId);
  const profile = items.find((i) => i.sk === 'PROFILE');
  if (!profile) return { status: 'gone', outbox: [] }; // merged into another customer, or deleted
  const previous = items.find((i) => i.sk === 'SCORE') as StoredScore | undefined;
  const identities = [...((profile.identities as Set<string> | undefined) ?? [])].sort();
  const purchases = ordersToPurchases(customerId, items);
  const endDay = dayNumber(now);
  const options = { observationEnd: now, timeUnit: 'day' as const };
  const [summary] = summarize(purchases, options);
  if (!summary) return { status: 'unchanged', outbox: [] }; // nothing bought yet (all cancelled or refunded)
  const score = scoreSummary(summary, tenant, model, endDay);
  const segments = {
    // The RFM group ranks a customer against the whole tenant, so it comes from the last refit.
    segment: (previous?.fields.segment as RfmGroup | undefined) ?? 'New',
    tier: model ? tierFor(Math.max(0, score.predictedClv), model.tierCuts) : 'bronze',
    churnBand: churnBand(score.churnRisk),
  };
  const fields = crmFields(score, segments, {
    referrals: previous?.fields.referrals ?? 0,
    referralValue: previous?.fields.referral_value ?? 0,
  });
  const scoredAt = new Date(now).toISOString();
  const history = historyOf(purchaseDayHistory(purchases, options).get(customerId) ?? []);
  const stored = storedScore(
    customerId,
    score,
    fields,
    identities,
    history,
    model?.version ?? null,
    scoredAt,
    {
      referredBy: await referrerOf(store, tenant.tenantId, items),
      lastChange: lastChange(previous, fields, scoredAt),
      orderSet: Number(profile.orderSet ?? 0),
    },
  );

  const outbox = buildOutbox(tenant, customerId, identities, previous?.fields ?? null, fields, scoredAt);
  const put = await putScoreWithOutbox(store, tenant.tenantId, stored, outbox);
  // Merged away or deleted while we scored: nothing to store (the survivor is scored on its own).
  if (put === 'gone') return { status: 'gone', outbox: [] };
  if (put === 'superseded') return put;
  return { status: outbox.length || !previous ? 'scored' : 'unchanged', outbox, score: stored };
}
