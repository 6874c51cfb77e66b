/**
 * Shopify session items: one per session under the tenant's session
 * partition, without gsi1 keys (keys.ts says why). What is in them (sealed
 * tokens) is integrations/shopify/session-storage.ts's concern.
 */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { conditionally } from './conditional.ts';
import { keys } from './keys.ts';
import { getItem } from './query.ts';
import type { Store } from './store.ts';

export interface SessionCondition {
  ConditionExpression?: string;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/** Stores the session item; false when `condition` refused the write. */
export const putSessionItem = (
  store: Store,
  tenantId: string,
  sessionId: string,
  fields: Record<string, unknown>,
  condition: SessionCondition = {},
) =>
  conditionally(() =>
    store.doc.send(
      new PutCommand({
        TableName: store.table,
        Item: { ...keys.shopifySession(tenantId, sessionId), ...fields },
        ...condition,
      }),
    ),
  );

export const getSessionItem = (store: Store, tenantId: string, sessionId: string) =>
  getItem(store, keys.shopifySession(tenantId, sessionId));

export async function deleteSessionItem(store: Store, tenantId: string, sessionId: string): Promise<void> {
  await store.doc.send(
    new DeleteCommand({ TableName: store.table, Key: keys.shopifySession(tenantId, sessionId) }),
  );
}
