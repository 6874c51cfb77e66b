/**
 * The refit, in two parts. The nightly schedule's handler only fans out: one
 * refit request per tenant onto the refit queue, coalesced (none where a
 * tenant's request is pending already, shared/pipeline/request-refit.ts). Each
 * tenant's refit is then its own SQS message with its own 900 s, retries and
 * dead letter (functions/refit-requests.ts), so a long tenant no longer keeps
 * the last ones from being refitted, and a retry does not start again from the
 * first. createRefitHandler is that refit of one tenant.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
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
import { deployed } from './runtime/deployed.ts';
import type { Metrics } from './runtime/observability.ts';
import { count, observability, reasonOf } from './runtime/observability.ts';
import { refitSender } from '../shared/queue/sqs-sender.ts';

export interface RefitHandlerDeps {
  store: Store;
  logger: Logger;
  now?: () => number;
  /** Where flush requests for the refit's changed CRM fields go: the write-back queue. */
  enqueueWriteback: EnqueueWriteback;
  /** CustomersScored, TenantsRefitted and RefitFailures (runtime/observability.ts). */
  metrics?: Metrics;
}

/** One tenant's refit and rescore; a failure is logged, counted and rethrown for its message's retry. */
export function createRefitHandler(deps: RefitHandlerDeps) {
  const { store, logger, now = Date.now, enqueueWriteback, metrics } = deps;
  return async ({ tenantId }: { tenantId: string }): Promise<Record<string, RefitReport>> => {
    try {
      const tenant = await getTenant(store, tenantId);
      const report = await refitTenant(store, tenant, now());
      count(metrics, 'CustomersScored', report.customers);
      count(metrics, 'TenantsRefitted');
      // Entries an earlier, failed attempt wrote are unchanged now, but still unwritten: flush them too.
      if (report.outboxEntries || (await hasPendingWrites(store, tenantId)))
        await requestWritebacks(tenant, enqueueWriteback);
      logger.info('refit', { tenantId, ...report });
      return { [tenantId]: report };
    } catch (error) {
      count(metrics, 'RefitFailures');
      logger.error('refit failed', { tenantId, reason: reasonOf(error) });
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
  /** RefitsQueued, RefitsPending, RefitRequestFailures (runtime/observability.ts). */
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

export function createRefitScheduleHandler(deps: RefitScheduleDeps) {
  const { store, logger, requestRefit: send, now = Date.now, metrics } = deps;
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
        logger.error('refit request not queued', { tenantId, reason: reasonOf(error) });
      }
    });
    count(metrics, 'RefitsQueued', report.queued);
    count(metrics, 'RefitsPending', report.pending);
    count(metrics, 'RefitRequestFailures', report.failed.length);
    logger.info('refits requested', { ...report, failed: report.failed.length });
    if (report.failed.length)
      throw new RefitFanOutError(
        `no refit request queued for ${report.failed.length} of ${report.tenants} tenants (${report.failed.slice(0, 10).join(', ')}); see the log lines above`,
      );
    return report;
  };
}

const { logger, metrics } = observability();

export const handler = deployed(
  () => createRefitScheduleHandler({ store: storeFromEnv(), logger, requestRefit: refitSender(), metrics }),
  { logger, metrics },
);
