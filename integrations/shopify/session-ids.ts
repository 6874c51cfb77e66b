/**
 * Naming and deleting a stored Shopify session: what the webhook handler needs on uninstall. Apart from
 * session-storage.ts so that a function that never reads a token does not carry the Encryption SDK.
 */
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../shared/store/keys.ts';
import type { Store } from '../../shared/store/store.ts';

export const offlineSessionId = (shop: string) => `offline_${shop}`;

export async function deleteSession(store: Store, tenantId: string, sessionId: string): Promise<void> {
  const { pk, sk } = keys.shopifySession(tenantId, sessionId);
  await store.doc.send(new DeleteCommand({ TableName: store.table, Key: { pk, sk } }));
}
