/**
 * What installing the app does, whichever way the token arrived (token
 * exchange from the embedded admin, or the OAuth authorization-code flow):
 * store the offline session, link the shop to a tenant (creating one in the
 * shop's currency), create the `clv` metafield definitions, and ask for the
 * history backfill. Safe to run again: each step is idempotent. Shopify
 * refusing a definition (or its admin filter) is reported in the result, not
 * thrown: the backfill is queued all the same.
 */
import type { Session, Shopify } from '@shopify/shopify-api';
import { RequestedTokenType } from '@shopify/shopify-api';
import type { Store } from '../../shared/store/store.ts';
import type { TenantSettings } from '../../shared/store/tenants.ts';
import { getTenant, putTenant, tenantIdFor } from '../../shared/store/tenants.ts';
import type { AdminClient } from './admin-client.ts';
import { adminClient } from './admin-client.ts';
import type { DefinitionsReport } from './metafields.ts';
import { createMetafieldDefinitions } from './metafields.ts';
import { SHOP_INFO } from './operations.ts';
import { saveSession } from './session-storage.ts';
import { verifySessionToken } from './session-token.ts';

export interface BackfillRequest {
  tenantId: string;
  source: 'shopify';
}

export interface InstallDeps {
  shopify: Shopify;
  store: Store;
  requestBackfill: (request: BackfillRequest) => Promise<void>;
  /** For tests: the client options (sleep) used for the install's own Admin calls. */
  client?: (session: Session) => AdminClient;
}

export interface InstallResult {
  tenant: TenantSettings;
  newTenant: boolean;
  /** What became of the `clv` definitions; a refusal there never stops the install. */
  definitions: DefinitionsReport;
}

/** Embedded install: the App Bridge session token is exchanged for an expiring offline access token. */
export async function installWithSessionToken(
  deps: InstallDeps,
  sessionToken: string,
): Promise<InstallResult> {
  // The dashboard's verifier: signature, exp/nbf, a *.myshopify.com dest and an iss of that shop's admin.
  const { shop } = await verifySessionToken(deps.shopify, sessionToken);
  const { session } = await deps.shopify.auth.tokenExchange({
    shop,
    sessionToken,
    requestedTokenType: RequestedTokenType.OfflineAccessToken,
    expiring: true,
  });
  return completeInstall(deps, session);
}

/** A tenant id for a new shop: its handle, readable in logs and the CLI. */
export const tenantIdForShop = (shop: string) => `shopify-${shop.replace(/\.myshopify\.com$/, '')}`;

export async function completeInstall(deps: InstallDeps, session: Session): Promise<InstallResult> {
  const client = deps.client?.(session) ?? adminClient(deps.shopify, session);
  const existing = await tenantIdFor(deps.store, 'shopify', session.shop);
  let tenant: TenantSettings;
  if (existing) tenant = await getTenant(deps.store, existing);
  else {
    const { shop } = await client.request<{ shop: { currencyCode: string } }>(SHOP_INFO);
    // The workspace may exist already (Salesforce linked under this id first, as the README suggests):
    // the shop is merged into it, keeping its org link, outbound token, settings and currency.
    tenant = await putTenant(
      deps.store,
      { tenantId: tenantIdForShop(session.shop), shopifyShop: session.shop, currency: shop.currencyCode },
      { keepExisting: ['currency'] },
    );
  }
  await saveSession(deps.store, tenant.tenantId, session);
  const definitions = await createMetafieldDefinitions(client);
  await deps.requestBackfill({ tenantId: tenant.tenantId, source: 'shopify' });
  return { tenant, newTenant: !existing, definitions };
}
