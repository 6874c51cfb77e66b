/**
 * The refit, in two parts. The nightly schedule's handler only fans out: one
 * refit request per tenant onto the refit queue, coalesced (none where a
 * tenant's request is pending already, shared/pipeline/request-refit.ts). Each
 * tenant's refit is then its own SQS message with its own 900 s, retries and
 * dead letter (functions/refit-requests.ts), so a long tenant no longer keeps
 * the last ones from being refitted, and a retry does not start again from the
 * first. createRefitHandler is that refit of one tenant.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { TransientError } from '../shared/errors.ts';
import { mapLimited } from '../shared/pipeline/map-limited.ts';
import type { EnqueueRefit, EnqueueWriteback } from '../shared/pipeline/messages.ts';
import { requestWritebacks } from '../shared/pipeline/messages.ts';
import type { RefitReport } from '../shared/pipeline/refit-tenant.ts';
import { refitTenant } from '../shared/pipeline/refit-tenant.ts';
import { requestRefit } from '../shared/pipeline/request-refit.ts';
import { hasPendingWrites } from '../shared/store/outbox.ts';
import type { Store } from '../shared/store/store.ts';
import { storeFromEnv } from '../shared/store/store.ts';
import { getTenant, listTenantIds } from '../shared/store/tenants.ts';
import { lazy } from './runtime/lazy.ts';
import type { Metrics } from './runtime/observability.ts';
import { createMetrics, MetricUnit } from './runtime/observability.ts';
import { refitSender } from '../shared/queue/sqs-sender.ts';

export interface RefitHandlerDeps {
  store: Store;
  logger: Logger;
  now?: () => number;
  /** Where flush requests for the refit's changed CRM fields go: the write-back queue. */
  enqueueWriteback: EnqueueWriteback;
  /** CustomersScored, TenantsRefitted and RefitFailures (functions/metrics.ts). */
  metrics?: Metrics;
}

const reason = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/** One tenant's refit and rescore; a failure is logged, counted and rethrown for its message's retry. */
export function createRefitHandler({
  store,
  logger,
  now = Date.now,
  enqueueWriteback,
  metrics,
}: RefitHandlerDeps) {
  return async ({ tenantId }: { tenantId: string }): Promise<Record<string, RefitReport>> => {
    try {
      const tenant = await getTenant(store, tenantId);
      const report = await refitTenant(store, tenant, now());
      metrics?.addMetric('CustomersScored', MetricUnit.Count, report.customers);
      metrics?.addMetric('TenantsRefitted', MetricUnit.Count, 1);
      // Entries an earlier, failed attempt wrote are unchanged now, but still unwritten: flush them too.
      if (report.outboxEntries || (await hasPendingWrites(store, tenantId)))
        await requestWritebacks(tenant, enqueueWriteback);
      logger.info('refit', { tenantId, ...report });
      return { [tenantId]: report };
    } catch (error) {
      metrics?.addMetric('RefitFailures', MetricUnit.Count, 1);
      logger.error('refit failed', { tenantId, reason: reason(error) });
      throw error;
    }
  };
}

/** Tenants whose request could not be queued: the schedule's retry asks again (queued ones are skipped). */
export class RefitFanOutError extends TransientError {
  override name = 'RefitFanOutError';
}

export interface RefitScheduleDeps {
  store: Store;
  logger: Logger;
  /** The refit queue (FIFO, one message group per tenant). */
  requestRefit: EnqueueRefit;
  now?: () => number;
  /** RefitsQueued, RefitsPending, RefitRequestFailures (functions/metrics.ts). */
  metrics?: Metrics;
}

export interface FanOutReport {
  tenants: number;
  queued: number;
  /** Tenants whose refit was queued already (a settings save's, not started yet): nothing sent. */
  pending: number;
  failed: string[];
}

/** Requests in flight at once: a few thousand tenants are asked for in seconds, well inside SQS's limits. */
const FAN_OUT_CONCURRENCY = 8;

export function createRefitScheduleHandler({
  store,
  logger,
  requestRefit: send,
  now = Date.now,
  metrics,
}: RefitScheduleDeps) {
  return async (): Promise<FanOutReport> => {
    const tenantIds = await listTenantIds(store);
    const report: FanOutReport = { tenants: tenantIds.length, queued: 0, pending: 0, failed: [] };
    await mapLimited(tenantIds, FAN_OUT_CONCURRENCY, async (tenantId) => {
      try {
        const outcome = await requestRefit(store, tenantId, send, now());
        report[outcome]++;
      } catch (error) {
        // One tenant's failure does not keep the others from being asked for.
        report.failed.push(tenantId);
        logger.error('refit request not queued', { tenantId, reason: reason(error) });
      }
    });
    metrics?.addMetric('RefitsQueued', MetricUnit.Count, report.queued);
    metrics?.addMetric('RefitsPending', MetricUnit.Count, report.pending);
    metrics?.addMetric('RefitRequestFailures', MetricUnit.Count, report.failed.length);
    logger.info('refits requested', { ...report, failed: report.failed.length });
    if (report.failed.length)
      throw new RefitFanOutError(
        `no refit request queued for ${report.failed.length} of ${report.tenants} tenants (${report.failed.slice(0, 10).join(', ')}); see the log lines above`,
      );
    return report;
  };
}

const logger = new Logger({ serviceName: 'clv-sync' });

const metrics = createMetrics();

export const handler = middy(
  lazy(() =>
    createRefitScheduleHandler({ store: storeFromEnv(), logger, requestRefit: refitSender(), metrics }),
  ),
)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
