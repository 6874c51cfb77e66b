/**
 * A usable offline session for a shop. Expiring offline tokens (required of
 * public apps from 2027-01-01) live an hour; they are refreshed a few minutes
 * before expiry with the rotating refresh token, and a refresh that lost a
 * race to another worker takes the winner's session instead of failing.
 */
import { TransientError } from '../../shared/errors.ts';
import type { Session, Shopify } from '@shopify/shopify-api';
import type { Store } from '../../shared/store/store.ts';
import type { TenantSettings } from '../../shared/store/tenants.ts';
import type { AdminClient, AdminClientOptions } from './admin-client.ts';
import { adminClient } from './admin-client.ts';
import { loadSession, offlineSessionId, saveSession, SessionChangedError } from './session-storage.ts';

/** Refresh when less than this is left, so a long backfill or write-back never starts on a dying token. */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/** The shop's offline token is missing or revoked: the work is retried (then dead-lettered) until it is installed again. */
export class ShopNotInstalledError extends TransientError {
  override name = 'ShopNotInstalledError';
}

export class ReauthorizationRequiredError extends TransientError {
  override name = 'ReauthorizationRequiredError';
}

export async function offlineSession(
  shopify: Shopify,
  store: Store,
  tenantId: string,
  shop: string,
  now = Date.now(),
): Promise<Session> {
  const id = offlineSessionId(shop);
  const session = await loadSession(store, tenantId, id);
  if (!session?.accessToken)
    throw new ShopNotInstalledError(
      `${shop} has no access token: open the app in the Shopify admin to install it`,
    );
  if (!session.expires || session.expires.getTime() - now > REFRESH_BEFORE_EXPIRY_MS) return session;
  if (!session.refreshToken || (session.refreshTokenExpires && session.refreshTokenExpires.getTime() <= now))
    throw new ReauthorizationRequiredError(
      `the access token of ${shop} expired and cannot be refreshed: open the app in the Shopify admin once to reauthorize`,
    );
  try {
    const { session: fresh } = await shopify.auth.refreshToken({ shop, refreshToken: session.refreshToken });
    await saveSession(store, tenantId, fresh, { refreshToken: session.refreshToken });
    return fresh;
  } catch (error) {
    // Another worker rotated the refresh token first: its session is the current one.
    const current = await loadSession(store, tenantId, id);
    if (current?.refreshToken !== session.refreshToken && current?.accessToken) return current;
    if (error instanceof SessionChangedError) throw error;
    throw new ReauthorizationRequiredError(
      `refreshing the access token of ${shop} failed (${(error as Error).message}): open the app in the Shopify admin to reauthorize`,
    );
  }
}

export class ShopNotLinkedError extends TransientError {
  override name = 'ShopNotLinkedError';
}

/** An Admin API client for a tenant's shop, on a fresh offline token. */
export async function shopAdmin(
  shopify: Shopify,
  store: Store,
  tenant: TenantSettings,
  options: AdminClientOptions = {},
): Promise<AdminClient> {
  if (!tenant.shopifyShop)
    throw new ShopNotLinkedError(`tenant ${tenant.tenantId} has no Shopify shop linked`);
  return adminClient(
    shopify,
    await offlineSession(shopify, store, tenant.tenantId, tenant.shopifyShop),
    options,
  );
}
