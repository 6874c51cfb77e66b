/**
 * The part of App Bridge's `shopify` global the page uses. App Bridge is loaded from Shopify's CDN
 * (Shopify requires it so), so there is no npm package to take its types from.
 */
interface ShopifyAppBridge {
  /** A fresh session token (a JWT signed by Shopify with the app's secret), valid for about a minute. */
  idToken(): Promise<string>;
  toast?: { show(message: string, options?: { isError?: boolean; duration?: number }): void };
}

declare const shopify: ShopifyAppBridge;
