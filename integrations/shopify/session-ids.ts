/**
 * Naming and deleting a stored Shopify session: what the webhook handler needs on uninstall. Apart from
 * session-storage.ts so that a function that never reads a token does not carry the Encryption SDK.
 */
import type { Store } from '../../shared/store/store.ts';
import { tenantStore } from '../../shared/store/tenant-store.ts';

export const offlineSessionId = (shop: string) => `offline_${shop}`;

export async function deleteSession(store: Store, tenantId: string, sessionId: string): Promise<void> {
  await tenantStore(store, tenantId).sessions.delete(sessionId);
}
