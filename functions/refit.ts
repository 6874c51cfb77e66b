/**
 * The nightly refit: every tenant (or the one named in the event) gets its
 * model refitted and every customer rescored. One tenant's failure is logged
 * and does not stop the others; the invocation fails at the end so the
 * schedule's retry and alarms see it.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { EnqueueWriteback } from '../shared/pipeline/messages.ts';
import { requestWritebacks } from '../shared/pipeline/messages.ts';
import type { RefitReport } from '../shared/pipeline/refit-tenant.ts';
import { lazy } from './lazy.ts';
import type { Metrics } from './metrics.ts';
import { createMetrics, MetricUnit } from './metrics.ts';
import { writebackSender } from './sqs-sender.ts';
import { refitTenant } from '../shared/pipeline/refit-tenant.ts';
import { hasPendingWrites } from '../shared/store/outbox.ts';
import type { Store } from '../shared/store/store.ts';
import { storeFromEnv } from '../shared/store/store.ts';
import { getTenant, listTenantIds } from '../shared/store/tenants.ts';

export class RefitFailedError extends Error {
  override name = 'RefitFailedError';
}

export interface RefitHandlerDeps {
  store: Store;
  logger: Logger;
  now?: () => number;
  /** Where flush requests for the refit's changed CRM fields go: the write-back queue. */
  enqueueWriteback: EnqueueWriteback;
  /** CustomersScored, TenantsRefitted and RefitFailures (functions/metrics.ts). */
  metrics?: Metrics;
}

export function createRefitHandler({
  store,
  logger,
  now = Date.now,
  enqueueWriteback,
  metrics,
}: RefitHandlerDeps) {
  return async (event: { tenantId?: string } = {}): Promise<Record<string, RefitReport>> => {
    const tenantIds = event.tenantId ? [event.tenantId] : await listTenantIds(store);
    const reports: Record<string, RefitReport> = {};
    const failed: string[] = [];
    for (const tenantId of tenantIds) {
      try {
        const tenant = await getTenant(store, tenantId);
        const report = await refitTenant(store, tenant, now());
        reports[tenantId] = report;
        metrics?.addMetric('CustomersScored', MetricUnit.Count, report.customers);
        metrics?.addMetric('TenantsRefitted', MetricUnit.Count, 1);
        // Entries an earlier, failed attempt wrote are unchanged now, but still unwritten: flush them too.
        if (report.outboxEntries || (await hasPendingWrites(store, tenantId)))
          await requestWritebacks(tenant, enqueueWriteback);
        logger.info('refit', { tenantId, ...reports[tenantId] });
      } catch (error) {
        failed.push(tenantId);
        metrics?.addMetric('RefitFailures', MetricUnit.Count, 1);
        logger.error('refit failed', {
          tenantId,
          reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
      }
    }
    if (failed.length)
      throw new RefitFailedError(`refit failed for ${failed.join(', ')}; see the log lines above`);
    return reports;
  };
}

const logger = new Logger({ serviceName: 'clv-sync' });

const metrics = createMetrics();

export const handler = middy(
  lazy(() =>
    createRefitHandler({
      store: storeFromEnv(),
      logger,
      enqueueWriteback: writebackSender(),
      metrics,
    }),
  ),
)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
