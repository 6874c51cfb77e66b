/**
 * A tenant's Shopify Admin API client for the queue consumers (backfill, write-back). The token store and
 * the app are loaded with the first Shopify message: a function initialised for a Salesforce one never
 * loads shopify-api.
 */
import type { Shopify } from '@shopify/shopify-api';
import type { AdminClient, AdminClientOptions } from '../../integrations/shopify/admin-client.ts';
import type { Store } from '../../shared/store/store.ts';
import type { TenantSettings } from '../../shared/store/tenants.ts';
import type { OnDemand } from './lazy.ts';
import { resolveOnDemand } from './lazy.ts';

export async function shopifyAdmin(
  shopify: OnDemand<Shopify>,
  store: Store,
  tenant: TenantSettings,
  options?: AdminClientOptions,
): Promise<AdminClient> {
  const [{ shopAdmin }, app] = await Promise.all([
    import('../../integrations/shopify/access-token.ts'),
    resolveOnDemand(shopify),
  ]);
  return shopAdmin(app, store, tenant, options);
}
