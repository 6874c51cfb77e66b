/**
 * What the functions the Shopify admin calls (install, dashboard API) are built from: the app, its secret read
 * from SSM, and the store.
 */
import type { Shopify } from '@shopify/shopify-api';
import { createShopifyApp, shopifySettingsFromEnv } from '../../integrations/shopify/shopify-app.ts';
import type { Store } from '../../shared/store/store.ts';
import { storeFromEnv } from '../../shared/store/store.ts';

export async function shopifyAdminFromEnv(): Promise<{ shopify: Shopify; store: Store }> {
  return { shopify: createShopifyApp(await shopifySettingsFromEnv()), store: storeFromEnv() };
}
