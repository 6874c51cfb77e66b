/**
 * A customer's stored score: its CRM fields, how they were computed, and the
 * compact purchase history (one entry per purchase day) that a refit reads
 * instead of every order. Written together with the outbox entries for the
 * CRMs whose visible fields changed, in one transaction.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { CrmFields } from '../crm/fields.ts';
import { cancellationCodes, failedOnCondition } from './dynamo-errors.ts';
import { keys } from './keys.ts';
import { queryAll, queryPages } from './query.ts';
import type { Store } from './store.ts';

export type CrmTarget = 'shopify' | 'salesforce';

export interface PurchaseHistory {
  /** UTC day numbers of the purchase days, ascending. */
  days: number[];
  values: number[];
  /** Null where any order that day has no known cost. */
  margins: (number | null)[];
}

export interface StoredScore {
  customerId: string;
  fields: CrmFields;
  method: 'model' | 'heuristic';
  modelVersion: string | null;
  scoredAt: string;
  history: PurchaseHistory;
  identities: string[];
  /**
   * The customer's order-set version (the profile's `orderSet`, orders.ts) the history was read at:
   * absent or 0 before the customer's first order changed it, and on scores stored before it existed.
   */
  orderSet?: number;
  /** Derived detail kept for reports: not CRM-visible. */
  detail: { pAlive: number | null; churnRisk: number; expectedOrderValue: number; predictedClv: number };
  /**
   * Who referred this customer, from the earliest order naming a referrer: the identities the order
   * gave, and our customer id for them when one was known at scoring time. The refit resolves the
   * identities again (the referrer may have bought since). Absent on scores stored before referrals.
   */
  referredBy?: ReferrerLink | null;
  /**
   * The last time a CRM-visible field changed, with the predicted CLV and tier before it (null for a
   * first score): what the tenant report lists as recent changes. Absent on scores stored before it.
   */
  lastChange?: ScoreChange;
}

export interface ReferrerLink {
  identities: string[];
  customerId: string | null;
}

export interface ScoreChange {
  at: string;
  previousPredictedClv: number | null;
  previousTier: string | null;
}

export interface OutboxEntry {
  target: CrmTarget;
  customerId: string;
  identities: string[];
  fields: CrmFields;
  changed: (keyof CrmFields)[];
  scoredAt: string;
}

export function scoreItem(tenantId: string, score: StoredScore): Record<string, unknown> {
  const k = keys.score(tenantId, score.customerId);
  return { ...k, gsi1sk: `SCORED#${score.customerId}`, kind: 'score', ...score };
}

export function outboxItem(tenantId: string, entry: OutboxEntry): Record<string, unknown> {
  return { ...keys.outbox(tenantId, entry.target, entry.customerId), kind: 'outbox', ...entry };
}

/**
 * Writes a score and its outbox entries atomically (DynamoDB allows 100 items a transaction), only
 * while the customer exists and its order set is still the one the score was computed from.
 * - gone: merged away or deleted since its orders were read (nothing to store);
 * - superseded: its orders changed since they were read; the caller reads them again.
 */
export async function putScoreWithOutbox(
  store: Store,
  tenantId: string,
  score: StoredScore,
  outbox: readonly OutboxEntry[],
): Promise<'stored' | 'gone' | 'superseded'> {
  const profile = keys.profile(tenantId, score.customerId);
  const orderSet = score.orderSet ?? 0;
  try {
    await store.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          // Only while the customer still exists: a merge (or a deletion) that ran after the orders were read
          // removed this partition, and a score written now would be a phantom customer the refit keeps.
          // And only on the order set it was computed from: of two scorings in flight, the one that read
          // fewer orders could otherwise write last, and the refit would keep its history.
          {
            ConditionCheck: {
              TableName: store.table,
              Key: { pk: profile.pk, sk: profile.sk },
              ConditionExpression: orderSet
                ? 'attribute_exists(pk) AND orderSet = :n'
                : 'attribute_exists(pk) AND attribute_not_exists(orderSet)',
              ...(orderSet ? { ExpressionAttributeValues: { ':n': orderSet } } : {}),
              // The profile as it is now, on failure: tells a customer gone from one whose orders moved on.
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          ...[scoreItem(tenantId, score), ...outbox.map((e) => outboxItem(tenantId, e))].map((Item) => ({
            Put: { TableName: store.table, Item },
          })),
        ],
      }),
    );
    return 'stored';
  } catch (error) {
    // Any other reason (a conflict, a throttle) says nothing about the customer: rethrown, the message retried.
    if (!failedOnCondition(error) || cancellationCodes(error)?.[0] !== 'ConditionalCheckFailed') throw error;
    const reasons = (error as { CancellationReasons?: { Item?: unknown }[] }).CancellationReasons;
    return reasons?.[0]?.Item ? 'superseded' : 'gone';
  }
}

/** Pages through a tenant's stored scores via the tenant index, a page at a time: constant memory per page. */
export async function* scorePages(
  store: Store,
  tenantId: string,
  pageSize = 1000,
): AsyncGenerator<StoredScore[]> {
  yield* queryPages<StoredScore>(store, {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :t AND begins_with(gsi1sk, :s)',
    ExpressionAttributeValues: { ':t': keys.tenantIndex(tenantId), ':s': 'SCORED#' },
    Limit: pageSize,
  });
}

/** The pending CRM writes of a tenant, for one target. */
export async function outboxEntries(
  store: Store,
  tenantId: string,
  target?: CrmTarget,
): Promise<OutboxEntry[]> {
  const items = await queryAll(store, {
    KeyConditionExpression: target ? 'pk = :pk AND begins_with(sk, :t)' : 'pk = :pk',
    ExpressionAttributeValues: {
      ':pk': keys.outboxPartition(tenantId),
      ...(target ? { ':t': `${target}#` } : {}),
    },
    ConsistentRead: true,
  });
  return items as unknown as OutboxEntry[];
}
