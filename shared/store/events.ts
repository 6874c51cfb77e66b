/**
 * Delivery dedupe: webhooks and outbound messages arrive at least once, so
 * each delivery id is recorded once, with a TTL (DynamoDB deletes it after
 * the retention), and a second delivery of it is recognised.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { conditionally } from './conditional.ts';
import { keys } from './keys.ts';
import { getItem } from './query.ts';
import type { Store } from './store.ts';

/** Shopify retries for 48 hours, Salesforce outbound messages for 24: a week covers both with room. */
export const EVENT_RETENTION_SECONDS = 7 * 24 * 3600;

/** True when this is the first time the event is seen. */
export async function recordEvent(
  store: Store,
  tenantId: string,
  eventId: string,
  now = Date.now(),
): Promise<boolean> {
  return conditionally(() =>
    store.doc.send(
      new PutCommand({
        TableName: store.table,
        Item: {
          ...keys.event(tenantId, eventId),
          kind: 'event',
          seenAt: new Date(now).toISOString(),
          expiresAt: Math.floor(now / 1000) + EVENT_RETENTION_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
}

/** Whether a delivery id was already recorded (a read, so a check before the work stores nothing). */
export async function hasEvent(store: Store, tenantId: string, eventId: string): Promise<boolean> {
  return (await getItem(store, keys.event(tenantId, eventId))) !== undefined;
}
