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
 * genuine token for a shop that has not installed the app gets 403 (dashboard/session.ts).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Shopify } from '@shopify/shopify-api';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { EnqueueRefit } from '../shared/pipeline/messages.ts';
import type { TenantReport } from '../shared/report/tenant-report.ts';
import { tenantReport } from '../shared/report/tenant-report.ts';
import { listDataExports } from '../shared/store/data-exports.ts';
import type { Store } from '../shared/store/store.ts';
import { getTenant } from '../shared/store/tenants.ts';
import { NotFoundError } from '../shared/errors.ts';
import { refitSender } from '../shared/queue/sqs-sender.ts';
import { dashboardSettingsOf } from './dashboard-settings.ts';
import { privateJson, refusalAnswer } from './dashboard/answers.ts';
import { dataRequestDownload } from './dashboard/data-request-download.ts';
import type { DashboardResponse, DataRequestsResponse, SettingsResponse } from './dashboard/responses.ts';
import { routeOf } from './dashboard/routes.ts';
import { saveSettings } from './dashboard/save-settings.ts';
import { installedTenantId, sessionClaims } from './dashboard/session.ts';
import { chain } from './runtime/chain.ts';
import { deployed } from './runtime/deployed.ts';
import { rawBody } from './runtime/http.ts';
import { createLogger } from './runtime/observability.ts';
import { shopifyAdminFromEnv } from './runtime/shopify-app-env.ts';

export type { DashboardResponse, DataRequestsResponse, SettingsResponse } from './dashboard/responses.ts';

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

export function createDashboardApiHandler(deps: DashboardApiDeps) {
  const { shopify, store, logger, requestRefit, report = tenantReport, now = Date.now } = deps;
  const inner = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const { route, exportId, known } = routeOf(event);
    const { shop } = await sessionClaims(shopify, event);
    if (!known) return refusalAnswer(new NotFoundError(`no route ${route}`));
    const tenantId = await installedTenantId(store, shop);
    const tenant = await getTenant(store, tenantId);

    if (route === 'GET /api/dashboard') {
      const body: DashboardResponse = {
        shop,
        settings: dashboardSettingsOf(tenant),
        report: await report(store, tenantId),
      };
      return privateJson(200, body);
    }
    if (route === 'GET /api/data-requests') {
      const body: DataRequestsResponse = {
        shop,
        dataRequests: await listDataExports(store, tenantId, now()),
      };
      return privateJson(200, body);
    }
    if (exportId) return dataRequestDownload({ store, logger, now }, tenantId, shop, exportId);
    if (route === 'GET /api/settings') {
      const body: SettingsResponse = { shop, settings: dashboardSettingsOf(tenant) };
      return privateJson(200, body);
    }
    // PUT /api/settings
    return privateJson(
      200,
      await saveSettings({ store, logger, requestRefit, now }, tenantId, shop, rawBody(event)),
    );
  };
  // No keys and no counts: the API's log lines carry their tenant themselves, and it writes no metrics.
  return chain(inner, {
    logger,
    rejectedMessage: 'dashboard request refused',
    keys: [],
    answer: refusalAnswer,
  });
}

const logger = createLogger();

export const handler = deployed(
  async () =>
    createDashboardApiHandler({ ...(await shopifyAdminFromEnv()), logger, requestRefit: refitSender() }),
  { logger },
);
