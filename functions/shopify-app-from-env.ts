/**
 * The production Shopify app, built on first need. shopify-api is a large
 * import: loaded here, by dynamic import, a function whose invocation never
 * touches Shopify (a Salesforce write-back or backfill) does not pay for it.
 */
import type { Shopify } from '@shopify/shopify-api';
import { once } from './runtime/lazy.ts';

export const shopifyAppFromEnv = (): (() => Promise<Shopify>) =>
  once(async () => {
    const { createShopifyApp, shopifySettingsFromEnv } =
      await import('../integrations/shopify/shopify-app.ts');
    return createShopifyApp(await shopifySettingsFromEnv());
  });
