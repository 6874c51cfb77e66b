/**
 * The outbox as the write-back consumers see it: pending CRM writes, read a
 * page at a time, settled only if no newer score replaced them meanwhile (a
 * conditional delete on scoredAt), and failures counted on the entry so one
 * that can never be written stops being retried and says why.
 */
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionally } from './conditional.ts';
import { keyOf, keys } from './keys.ts';
import { getItem, queryPages } from './query.ts';
import type { CrmTarget, OutboxEntry } from './scores.ts';
import type { Store } from './store.ts';

/** After this many failed writes an entry is a dead letter: kept, with its reason, but no longer sent. */
export const MAX_WRITE_ATTEMPTS = 5;

export interface PendingWrite extends OutboxEntry {
  attempts?: number;
  lastError?: string;
}

export async function* outboxPages(
  store: Store,
  tenantId: string,
  target: CrmTarget,
  pageSize = 1000,
): AsyncGenerator<PendingWrite[]> {
  yield* queryPages<PendingWrite>(store, outboxQuery(tenantId, target, pageSize));
}

/** The tenant's outbox, one CRM's entries or (`target` null) all of them, as last written. */
function outboxQuery(tenantId: string, target: CrmTarget | null, limit: number) {
  return {
    KeyConditionExpression: target ? 'pk = :pk AND begins_with(sk, :t)' : 'pk = :pk',
    ExpressionAttributeValues: {
      ':pk': keys.outboxPartition(tenantId),
      ...(target ? { ':t': `${target}#` } : {}),
    },
    ConsistentRead: true,
    Limit: limit,
  };
}

/**
 * Entries settled at once after a write: one conditional delete each (BatchWriteItem cannot be conditional), so
 * one at a time a flush of 20,000 customers spent most of its time waiting on DynamoDB.
 */
export const SETTLE_CONCURRENCY = 16;

/** A command on the entry that holds only while it still carries this score. */
function whileSameScore(
  store: Store,
  tenantId: string,
  entry: OutboxEntry,
  values: Record<string, unknown> = {},
) {
  return {
    TableName: store.table,
    Key: keyOf(keys.outbox(tenantId, entry.target, entry.customerId)),
    ConditionExpression: 'scoredAt = :s',
    ExpressionAttributeValues: { ...values, ':s': entry.scoredAt },
  };
}

/** Removes a written entry, unless a newer score has replaced it (then it stays for the next flush). */
export function settleOutboxEntry(store: Store, tenantId: string, entry: OutboxEntry): Promise<boolean> {
  return conditionally(() => store.doc.send(new DeleteCommand(whileSameScore(store, tenantId, entry))));
}

/** Counts a failed write on the entry (if it is still the same score) with the reason a person can act on. */
export async function recordWriteFailure(
  store: Store,
  tenantId: string,
  entry: OutboxEntry,
  reason: string,
): Promise<void> {
  await conditionally(() =>
    store.doc.send(
      new UpdateCommand({
        ...whileSameScore(store, tenantId, entry, { ':one': 1, ':e': reason.slice(0, 1000) }),
        UpdateExpression: 'ADD attempts :one SET lastError = :e',
      }),
    ),
  );
}

/**
 * Whether a tenant's outbox holds any entry: a retried refit or import whose first attempt wrote the
 * entries and then failed finds nothing changed, yet those entries still need a flush.
 */
export async function hasPendingWrites(store: Store, tenantId: string): Promise<boolean> {
  for await (const page of queryPages(store, outboxQuery(tenantId, null, 1))) return page.length > 0;
  return false;
}

export const isDeadLetter = (entry: PendingWrite) => (entry.attempts ?? 0) >= MAX_WRITE_ATTEMPTS;

/**
 * The CRMs for which this customer still has an entry to write (dead letters aside): a rescoring that
 * changed nothing still asks for their flush, because the attempt that wrote them may have failed
 * before its own flush request was sent (a timeout, a failed SQS send).
 */
export async function pendingTargetsOf(
  store: Store,
  tenantId: string,
  customerId: string,
  targets: readonly CrmTarget[],
): Promise<CrmTarget[]> {
  const pending: CrmTarget[] = [];
  for (const target of targets) {
    const entry = await getItem<PendingWrite>(store, keys.outbox(tenantId, target, customerId));
    if (entry && !isDeadLetter(entry)) pending.push(target);
  }
  return pending;
}
