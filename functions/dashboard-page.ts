/**
 * The app's page in the Shopify admin (application_url in shopify.app.toml):
 *   GET /shopify/app                 the HTML shell: App Bridge from Shopify's CDN, then our bundle
 *   GET /shopify/app/assets/{file}   the React + Polaris bundle and its CSS (web/dist)
 * After install, Shopify opens the app URL in an iframe with ?shop=&host=&embedded=1 (dashboard/page-html.ts).
 *
 * The bundle ships inside this function's package (serverless.yml patterns: web/dist/**) and is read
 * from disk on first request, so the function needs no bucket or CDN of its own. File names carry a
 * content hash, so assets are cached for a year and a new deploy is picked up by the next page load.
 *
 * It refuses nothing and counts nothing, so it needs no chain of its own: Lambda runs this factory's
 * function under deployed.ts alone.
 */
import { InternalError, NotFoundError } from '../shared/errors.ts';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { assetAnswer, pageAnswer } from './dashboard/page-answers.ts';
import { APP_PATH, ASSETS_PATH, pageHtml } from './dashboard/page-html.ts';
import type { WebAssets } from './dashboard/web-assets.ts';
import { webAssets } from './dashboard/web-assets.ts';
import { deployed } from './runtime/deployed.ts';
import { createLogger } from './runtime/observability.ts';

export { APP_BRIDGE_URL, APP_PATH, ASSETS_PATH, pageHtml } from './dashboard/page-html.ts';
export type { WebAssets, WebManifest } from './dashboard/web-assets.ts';
export { WebBundleMissingError, webAssets } from './dashboard/web-assets.ts';

export class AppPageConfigError extends InternalError {
  override name = 'AppPageConfigError';
}

export function createDashboardPageHandler(deps: { apiKey: string; assets: WebAssets }) {
  const html = pageHtml(deps.apiKey, deps.assets.manifest);
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const method = event.requestContext.http.method;
    if (method === 'GET' && event.rawPath === APP_PATH) return pageAnswer(event, html);
    if (method === 'GET' && event.rawPath.startsWith(ASSETS_PATH)) {
      const asset = assetAnswer(event, deps.assets, event.rawPath.slice(ASSETS_PATH.length));
      if (asset) return asset;
    }
    const missing = new NotFoundError(`no page ${event.rawPath}`);
    return {
      statusCode: missing.statusCode,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: missing.message,
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

const logger = createLogger();

export const handler = deployed(
  () => createDashboardPageHandler({ apiKey: apiKeyFromEnv(), assets: webAssets(WEB_DIST) }),
  { logger },
);
