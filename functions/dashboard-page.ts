/**
 * The app's page in the Shopify admin (application_url in shopify.app.toml):
 *   GET /shopify/app                 the HTML shell: App Bridge from Shopify's CDN, then our bundle
 *   GET /shopify/app/assets/{file}   the React + Polaris bundle and its CSS (web/dist)
 * After install, Shopify opens the app URL in an iframe with ?shop=&host=&embedded=1. App Bridge
 * must be loaded from Shopify's CDN, first and synchronously, with the API key in a meta tag; it then
 * exposes the `shopify` global whose idToken() the page sends to /api/*.
 *
 * The bundle ships inside this function's package (serverless.yml patterns: web/dist/**) and is read
 * from disk on first request, so the function needs no bucket or CDN of its own. File names carry a
 * content hash, so assets are cached for a year and a new deploy is picked up by the next page load.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { lazy } from './runtime/lazy.ts';

export const APP_PATH = '/shopify/app';
export const ASSETS_PATH = `${APP_PATH}/assets/`;
export const APP_BRIDGE_URL = 'https://cdn.shopify.com/shopifycloud/app-bridge.js';

/** What web/build.ts writes to web/dist/manifest.json: the hashed names of the entry's JS and CSS. */
export interface WebManifest {
  js: string;
  css: string;
}

export class AppPageConfigError extends Error {
  override name = 'AppPageConfigError';
}

export class WebBundleMissingError extends Error {
  override name = 'WebBundleMissingError';
}

function readIfExists(url: URL): Buffer | null {
  try {
    return readFileSync(url);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** The built page: the manifest, and each file read (and gzipped) once per container. */
export function webAssets(dist: URL) {
  let manifest: WebManifest;
  try {
    manifest = JSON.parse(readFileSync(new URL('manifest.json', dist), 'utf8')) as WebManifest;
  } catch {
    throw new WebBundleMissingError(
      `no web bundle in ${dist.pathname}: run \`npm run build:web\` before serving or packaging`,
    );
  }
  const files = new Map<string, { body: Buffer; gzipped: Buffer }>();
  const allowed = new Set([manifest.js, manifest.css]);
  return {
    manifest,
    /** The file's bytes, or null for any name the manifest does not list (no path ever reaches the disk). */
    file(name: string) {
      if (!allowed.has(name)) return null;
      let entry = files.get(name);
      if (!entry) {
        // The build gzips each file at its best level (web/build.ts) and the package ships only that copy:
        // unzipping for the rare browser without gzip costs milliseconds, gzipping on request ten times more.
        const gzipped = readIfExists(new URL(`${name}.gz`, dist));
        const body = gzipped ? gunzipSync(gzipped) : readFileSync(new URL(name, dist));
        files.set(name, (entry = { body, gzipped: gzipped ?? gzipSync(body) }));
      }
      return entry;
    },
  };
}

export type WebAssets = ReturnType<typeof webAssets>;

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

const SHOP = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

/**
 * Shopify requires embedded apps to allow framing by the shop's admin and by nobody else
 * (clickjacking protection), per request, for the shop in the query string.
 */
function frameAncestors(event: APIGatewayProxyEventV2): string {
  const shop = new URLSearchParams(event.rawQueryString).get('shop') ?? '';
  return `frame-ancestors ${SHOP.test(shop) ? `https://${shop} ` : ''}https://admin.shopify.com;`;
}

export function createDashboardPageHandler(deps: { apiKey: string; assets: WebAssets }) {
  const html = pageHtml(deps.apiKey, deps.assets.manifest);
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const method = event.requestContext.http.method;
    if (method === 'GET' && event.rawPath === APP_PATH)
      return {
        statusCode: 200,
        headers: {
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': frameAncestors(event),
          'cache-control': 'no-store',
        },
        body: html,
      };
    if (method === 'GET' && event.rawPath.startsWith(ASSETS_PATH)) {
      const name = event.rawPath.slice(ASSETS_PATH.length);
      const file = deps.assets.file(name);
      if (file) {
        // API Gateway does not compress: the bundle is sent gzipped to every browser that says it can take it.
        const gzip = /\bgzip\b/.test(event.headers?.['accept-encoding'] ?? '');
        return {
          statusCode: 200,
          headers: {
            'content-type': name.endsWith('.css')
              ? 'text/css; charset=utf-8'
              : 'text/javascript; charset=utf-8',
            'cache-control': 'public, max-age=31536000, immutable',
            ...(gzip ? { 'content-encoding': 'gzip' } : {}),
            vary: 'accept-encoding',
          },
          body: (gzip ? file.gzipped : file.body).toString('base64'),
          isBase64Encoded: true,
        };
      }
    }
    return {
      statusCode: 404,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: `no page ${event.rawPath}`,
    };
  };
}

/** web/dist beside functions/ in the source tree and in the deployed package alike. */
export const WEB_DIST = new URL('../web/dist/', import.meta.url);

// Only the public API key: the page needs neither the secret nor shopify-api (a smaller, faster bundle).
function apiKeyFromEnv(): string {
  const key = process.env.SHOPIFY_API_KEY;
  if (!key)
    throw new AppPageConfigError(
      "SHOPIFY_API_KEY not set: copy it from the app's settings in the Partner Dashboard",
    );
  return key;
}

const logger = new Logger({ serviceName: 'clv-sync' });

export const handler = middy(
  lazy(() =>
    createDashboardPageHandler({
      apiKey: apiKeyFromEnv(),
      assets: webAssets(WEB_DIST),
    }),
  ),
).use(injectLambdaContext(logger));
