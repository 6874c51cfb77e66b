/**
 * The JSON API behind the dashboard in the Shopify admin:
 *   GET /api/dashboard  the shop's tenant report (figures, histogram, segments, changes)
 *   GET /api/settings   the settings the merchant can edit
 *   PUT /api/settings   save them (zod-validated, 400 on bad input), then ask for a refit so every
 *                       customer is rescored with them (coalesced: none queued while one is pending)
 *   GET /api/data-requests       the customers/data_request exports not yet expired (30 days)
 *   GET /api/data-requests/{id}  one of them, as a JSON download for the merchant to pass on
 * Every request carries the App Bridge session token (`Authorization: Bearer …`); the shop comes from
 * the verified token alone and is mapped to its tenant through the shop route, so no path, query or
 * body can select another shop's data. Missing, forged, expired or foreign-app tokens get 401; a
 * genuine token for a shop that has not installed the app gets 403.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Shopify } from '@shopify/shopify-api';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { SessionTokenClaims } from '../integrations/shopify/session-token.ts';
import { SessionTokenError, bearerToken, verifySessionToken } from '../integrations/shopify/session-token.ts';
import { createShopifyApp, shopifySettingsFromEnv } from '../integrations/shopify/shopify-app.ts';
import type { EnqueueRefit } from '../shared/pipeline/messages.ts';
import { requestRefit as queueRefit } from '../shared/pipeline/request-refit.ts';
import type { TenantReport } from '../shared/report/tenant-report.ts';
import { tenantReport } from '../shared/report/tenant-report.ts';
import type { Store } from '../shared/store/store.ts';
import type { DataExportSummary } from '../shared/store/data-exports.ts';
import { getDataExport, listDataExports } from '../shared/store/data-exports.ts';
import { storeFromEnv } from '../shared/store/store.ts';
import { getTenant, saveTenantSettings, tenantIdFor } from '../shared/store/tenants.ts';
import type { DashboardSettings } from './dashboard-settings.ts';
import { DashboardSettingsSchema, dashboardSettingsOf } from './dashboard-settings.ts';
import { json, rawBody } from './runtime/http.ts';
import { lazy } from './runtime/lazy.ts';
import { refitSender } from '../shared/queue/sqs-sender.ts';

export interface DashboardApiDeps {
  shopify: Shopify;
  store: Store;
  logger: Logger;
  /** Where a saved settings change asks for its rescore: the refit queue (sent to only when none is pending). */
  requestRefit: EnqueueRefit;
  now?: () => number;
  /** The figures (shared/report); a dependency so the handler stays a thin edge. */
  report?: (store: Store, tenantId: string) => Promise<TenantReport>;
}

/** What GET /api/dashboard answers: the page renders this and nothing else. */
export interface DashboardResponse {
  shop: string;
  settings: DashboardSettings;
  report: TenantReport;
}

export interface SettingsResponse {
  shop: string;
  settings: DashboardSettings;
  /** After a save: whether the rescore is queued, or left to the nightly refit because queueing failed. */
  rescore?: 'queued' | 'nightly';
}

// Per-shop data must never sit in a shared cache.
const PRIVATE = { 'cache-control': 'no-store' };

/**
 * App Bridge retries a request once with a fresh token when a 401 carries this header: an expired
 * token (a tab left open) then heals without the merchant noticing.
 */
const RETRY_WITH_NEW_TOKEN = { 'x-shopify-retry-invalid-session-request': '1' };

const ROUTES = new Set([
  'GET /api/dashboard',
  'GET /api/settings',
  'PUT /api/settings',
  'GET /api/data-requests',
]);
/** Export ids are ours (`shopify-<digits>`); anything else names no export. */
const EXPORT_ROUTE = /^GET \/api\/data-requests\/([A-Za-z0-9-]{1,80})$/;

export interface DataRequestsResponse {
  shop: string;
  dataRequests: DataExportSummary[];
}

export function createDashboardApiHandler(deps: DashboardApiDeps) {
  const { shopify, store, logger, requestRefit, report = tenantReport, now = Date.now } = deps;

  const authenticate = async (
    event: APIGatewayProxyEventV2,
  ): Promise<{ claims: SessionTokenClaims } | { refused: APIGatewayProxyStructuredResultV2 }> => {
    const token = bearerToken(event.headers ?? {});
    if (!token) {
      logger.warn('dashboard request refused', { reason: 'no session token' });
      return {
        refused: json(
          401,
          { error: 'missing session token: send Authorization: Bearer <App Bridge session token>' },
          PRIVATE,
        ),
      };
    }
    try {
      return { claims: await verifySessionToken(shopify, token) };
    } catch (error) {
      if (!(error instanceof SessionTokenError)) throw error;
      logger.warn('dashboard request refused', { reason: error.message });
      return {
        refused: json(
          401,
          { error: `invalid session token: ${error.message}` },
          {
            ...PRIVATE,
            ...RETRY_WITH_NEW_TOKEN,
          },
        ),
      };
    }
  };

  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const route = `${event.requestContext.http.method} ${event.rawPath}`;
    const auth = await authenticate(event);
    if ('refused' in auth) return auth.refused;
    const { claims } = auth;
    const exportId = EXPORT_ROUTE.exec(route)?.[1];
    if (!ROUTES.has(route) && !exportId) return json(404, { error: `no route ${route}` }, PRIVATE);

    const tenantId = await tenantIdFor(store, 'shopify', claims.shop);
    if (!tenantId) {
      logger.warn('dashboard request refused', { shop: claims.shop, reason: 'shop not installed' });
      return json(
        403,
        {
          error: 'not-installed',
          message: `${claims.shop} has not installed clv-sync: open the app to install it`,
        },
        PRIVATE,
      );
    }
    const tenant = await getTenant(store, tenantId);

    if (route === 'GET /api/dashboard') {
      const body: DashboardResponse = {
        shop: claims.shop,
        settings: dashboardSettingsOf(tenant),
        report: await report(store, tenantId),
      };
      return json(200, body, PRIVATE);
    }
    if (route === 'GET /api/data-requests') {
      const body: DataRequestsResponse = {
        shop: claims.shop,
        dataRequests: await listDataExports(store, tenantId, now()),
      };
      return json(200, body, PRIVATE);
    }
    if (exportId) {
      // Looked up in the token's tenant only: another shop's export id finds nothing here.
      const found = await getDataExport(store, tenantId, exportId, now());
      if (!found) return json(404, { error: `no data request ${exportId} for ${claims.shop}` }, PRIVATE);
      logger.info('data request downloaded', { tenantId, exportId });
      return {
        statusCode: 200,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'content-disposition': `attachment; filename="clv-sync-${exportId}.json"`,
          ...PRIVATE,
        },
        body: found.json,
      };
    }
    if (route === 'GET /api/settings') {
      const body: SettingsResponse = { shop: claims.shop, settings: dashboardSettingsOf(tenant) };
      return json(200, body, PRIVATE);
    }

    // PUT /api/settings
    let input: unknown;
    try {
      input = JSON.parse(rawBody(event).toString('utf8'));
    } catch {
      logger.warn('settings refused', { tenantId, reason: 'body is not JSON' });
      return json(400, { error: 'the body is not JSON: send the settings as a JSON object' }, PRIVATE);
    }
    const parsed = DashboardSettingsSchema.safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      logger.warn('settings refused', { tenantId, issues });
      return json(400, { error: 'invalid settings', issues }, PRIVATE);
    }
    // Only the dashboard's own fields, as one conditional update: a save from this (possibly stale) read
    // must not write back the rest of the tenant, such as an outbound token rotated meanwhile.
    const saved = await saveTenantSettings(store, tenantId, parsed.data);
    let rescore: SettingsResponse['rescore'] = 'queued';
    let refit: 'queued' | 'pending' | undefined;
    try {
      // Coalesced: while a queued refit has not started, it will read these settings; no second message.
      refit = await queueRefit(store, tenantId, requestRefit, now());
    } catch (error) {
      // The settings are saved either way; the nightly refit applies them if the queue is unreachable now.
      rescore = 'nightly';
      logger.error('rescore not queued', {
        tenantId,
        reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }
    logger.info('settings saved', { tenantId, settings: parsed.data, rescore, refit });
    const body: SettingsResponse = { shop: claims.shop, settings: dashboardSettingsOf(saved), rescore };
    return json(200, body, PRIVATE);
  };
}

const logger = new Logger({ serviceName: 'clv-sync' });

export const handler = middy(
  lazy(async () =>
    createDashboardApiHandler({
      shopify: createShopifyApp(await shopifySettingsFromEnv()),
      store: storeFromEnv(),
      logger,
      requestRefit: refitSender(),
    }),
  ),
).use(injectLambdaContext(logger));
