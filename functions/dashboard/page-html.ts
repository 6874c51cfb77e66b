/**
 * The app page's HTML shell. App Bridge must be loaded from Shopify's CDN, first and synchronously, with the
 * API key in a meta tag; it then exposes the `shopify` global whose idToken() the page sends to /api/*.
 */
import type { WebManifest } from './web-assets.ts';

export const APP_PATH = '/shopify/app';
export const ASSETS_PATH = `${APP_PATH}/assets/`;
export const APP_BRIDGE_URL = 'https://cdn.shopify.com/shopifycloud/app-bridge.js';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function pageHtml(apiKey: string, manifest: WebManifest): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="shopify-api-key" content="${escapeHtml(apiKey)}" />
    <script src="${APP_BRIDGE_URL}"></script>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${ASSETS_PATH}${manifest.css}" />
    <title>Customer lifetime value</title>
  </head>
  <body>
    <div id="root"></div>
    <script type="module" src="${ASSETS_PATH}${manifest.js}"></script>
  </body>
</html>
`;
}
