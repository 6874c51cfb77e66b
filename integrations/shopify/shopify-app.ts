/**
 * The one configured `shopifyApi` instance, built from settings once (the
 * shopify-api style: a factory that takes config once). The web-api adapter
 * fits Lambda: requests arrive as Fetch `Request`s, and Node 24 has fetch.
 */
import { InternalError } from '../../shared/errors.ts';
import '@shopify/shopify-api/adapters/web-api';
import type { Shopify } from '@shopify/shopify-api';
import { ApiVersion, LogSeverity, shopifyApi } from '@shopify/shopify-api';
import type { SecretSettingsOptions } from '../../shared/config/secret-settings.ts';
import { requiredSecret } from '../../shared/config/secret-settings.ts';
import { routeAdminRequests } from './transport.ts';

/** The Admin API version every call uses: pinned, so Shopify's quarterly changes arrive by our choice. */
export const SHOPIFY_API_VERSION = ApiVersion.October26;

/**
 * What the app asks for: orders (all of history when granted), customers, writing their metafields and
 * tags, and products, for each line's unit cost (ProductVariant needs read_products, InventoryItem
 * read_products or read_inventory), so margins are the shop's real ones (docs/shopify.md, "Margins: why read_products").
 */
export const SHOPIFY_SCOPES = [
  'read_orders',
  'read_all_orders',
  'read_customers',
  'write_customers',
  'read_products',
];

export class ShopifyConfigError extends InternalError {
  override name = 'ShopifyConfigError';
}

export interface ShopifyAppSettings {
  apiKey: string;
  apiSecret: string;
  /** The app's public URL (HTTP API), e.g. https://abc.execute-api.us-east-1.amazonaws.com. */
  appUrl: string;
  /**
   * Only for tests and the local demo: where Admin API and OAuth requests go
   * instead of https://{shop}. Unset in production.
   */
  adminOrigin?: string;
  /** How long one Admin API request may take before it is abandoned and retried (default 60 s). */
  requestTimeoutMs?: number;
}

/**
 * The settings from the environment. The secret is read as secret settings are
 * (shared/config/secret-settings.ts): SHOPIFY_API_SECRET when set, else the
 * SSM parameter named by SHOPIFY_API_SECRET_PARAMETER.
 */
export async function shopifySettingsFromEnv(
  options: SecretSettingsOptions = {},
): Promise<ShopifyAppSettings> {
  const env = options.env ?? process.env;
  const missing = ['SHOPIFY_API_KEY', 'SHOPIFY_APP_URL'].filter((k) => !env[k]);
  if (missing.length)
    throw new ShopifyConfigError(
      `${missing.join(', ')} not set: copy them from the app's settings in the Partner Dashboard`,
    );
  return {
    apiKey: env.SHOPIFY_API_KEY!,
    apiSecret: await requiredSecret('SHOPIFY_API_SECRET', options),
    appUrl: env.SHOPIFY_APP_URL!,
    adminOrigin: env.SHOPIFY_ADMIN_ORIGIN || undefined,
  };
}

export function createShopifyApp(settings: ShopifyAppSettings): Shopify {
  const url = new URL(settings.appUrl);
  routeAdminRequests(settings.adminOrigin, settings.requestTimeoutMs);
  return shopifyApi({
    apiKey: settings.apiKey,
    apiSecretKey: settings.apiSecret,
    scopes: SHOPIFY_SCOPES,
    hostName: url.host,
    hostScheme: url.protocol === 'http:' ? 'http' : 'https',
    apiVersion: SHOPIFY_API_VERSION,
    isEmbeddedApp: true,
    // Our own logger reports what matters; the library's info lines would repeat every session creation.
    logger: { level: LogSeverity.Error },
  });
}
