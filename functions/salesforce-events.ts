/**
 * The target of an EventBridge rule on the partner event bus of a Salesforce
 * Event Relay: one Order or Opportunity change event per invocation. The
 * event is read (integrations/salesforce/change-events.ts), routed by the org
 * id in its source to the workspace linked to that org, deduplicated, and the
 * records it names are read again from the org, stored and their customers
 * queued for scoring.
 *
 * EventBridge invokes Lambda asynchronously, so what the handler does with a
 * failure decides what happens to the event:
 * - an event that can never succeed (not a change event, an org linked to no
 *   workspace, an unusable record) is logged and the handler returns: a throw
 *   would only buy retries of something that cannot work;
 * - a failure that may pass (DynamoDB, Salesforce 5xx or limits, the network,
 *   a login refused until the connected app is fixed) is thrown: Lambda
 *   retries the invocation, then hands the event to the function's on-failure
 *   destination, from which it can be sent again. Records done before the
 *   failure are stored by version, so the retry changes nothing for them.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import type { Connection } from 'jsforce';
import type {
  ChangeEvent,
  ChangeEventOutcome,
  ChangeRecordOutcome,
} from '../integrations/salesforce/change-events.ts';
import {
  ChangeEventError,
  ingestChangeEvent,
  parseChangeEvent,
} from '../integrations/salesforce/change-events.ts';
import { connectionCache, connectOnFirstUse } from '../integrations/salesforce/connection-cache.ts';
import { sameSalesforceId } from '../integrations/salesforce/salesforce-ids.ts';
import type { SecretSource } from '../integrations/salesforce/secrets.ts';
import { secretsFromEnv } from '../integrations/salesforce/secrets.ts';
import type { Enqueue } from '../shared/pipeline/messages.ts';
import type { Store } from '../shared/store/store.ts';
import { storeFromEnv } from '../shared/store/store.ts';
import type { TenantSettings } from '../shared/store/tenants.ts';
import { getTenant, TenantNotFoundError, tenantIdFor } from '../shared/store/tenants.ts';
import { lazy } from './runtime/lazy.ts';
import type { Metrics } from './runtime/observability.ts';
import { countWith, createMetrics, MetricUnit } from './runtime/observability.ts';
import { sqsSender } from '../shared/queue/sqs-sender.ts';

export interface SalesforceEventsDeps {
  store: Store;
  logger: Logger;
  enqueue: Enqueue;
  /** The connected app's secret or key, per tenant. */
  secrets: SecretSource;
  /** Counts of events received, rejected (by reason), duplicate and failed (functions/metrics.ts). */
  metrics?: Metrics;
  now?: () => number;
}

/** What one relayed event came to: the status, the counts by record outcome, and each record's outcome. */
export interface SalesforceEventResult {
  /**
   * processed: its records were handled; duplicate: handled before, nothing done; ignored: nothing to do
   * (another object, no record ids); rejected: not a change event clv-sync reads, or from an org linked to
   * no workspace, nothing read or stored.
   */
  status: ChangeEventOutcome['status'] | 'rejected';
  reason?: string;
  tenantId?: string;
  /** Orders stored: new, or a newer version. */
  stored: number;
  /** Stored orders replaced as cancelled (deleted, deactivated, reopened). */
  cancelled: number;
  /** Records whose version (or a newer one) was already stored. */
  unchanged: number;
  /** Records not stored: not a purchase, a return, not found, or rejected. */
  skipped: number;
  records: ChangeRecordOutcome[];
}

function result(
  status: SalesforceEventResult['status'],
  extra: Partial<SalesforceEventResult> = {},
): SalesforceEventResult {
  const records = extra.records ?? [];
  const count = (...actions: ChangeRecordOutcome['action'][]) =>
    records.filter((r) => actions.includes(r.action)).length;
  return {
    status,
    ...extra,
    stored: count('stored'),
    cancelled: count('cancelled'),
    unchanged: count('unchanged'),
    skipped: count('ignored', 'missing', 'rejected'),
    records,
  };
}

/** What can be said of an event that failed to parse, for the log line. */
function envelopeOf(event: unknown): Record<string, unknown> {
  if (!event || typeof event !== 'object') return { eventType: typeof event };
  const e = event as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 200) : undefined);
  return { id: text(e.id), source: text(e.source), detailType: text(e['detail-type']) };
}

export function createSalesforceEventsHandler({
  store,
  logger,
  enqueue,
  secrets,
  metrics,
  now = Date.now,
}: SalesforceEventsDeps) {
  const count = (name: string) => metrics?.addMetric(name, MetricUnit.Count, 1);
  // Kept while the function is warm (connection-cache.ts); jsforce is imported with the first event that
  // needs to read records, not at cold start.
  const connections = connectionCache(connectOnFirstUse, secrets);
  const connect = async (tenant: TenantSettings): Promise<Connection> =>
    (await connections.connect(tenant)).conn;

  return async (event: EventBridgeEvent<string, unknown>): Promise<SalesforceEventResult> => {
    logger.removeKeys(['eventId', 'orgId']);
    count('SalesforceEventsReceived');
    let change: ChangeEvent;
    try {
      change = parseChangeEvent(event);
    } catch (error) {
      if (!(error instanceof ChangeEventError)) throw error;
      logger.warn('change event rejected', { ...envelopeOf(event), reason: error.message });
      if (metrics) countWith(metrics, 'SalesforceEventsRejected', { reason: 'malformed' });
      return result('rejected', { reason: error.message });
    }
    logger.appendKeys({ eventId: change.eventId, orgId: change.orgId });
    const log = {
      eventId: change.eventId,
      orgId: change.orgId,
      channel: change.channel,
      changeType: change.changeType,
      entityName: change.entityName,
      recordIds: change.recordIds.length,
    };
    const rejected = (reason: string) => {
      logger.warn('change event rejected', { ...log, reason });
      // Every rejection past parsing is about the org: not linked, or linked inconsistently.
      if (metrics) countWith(metrics, 'SalesforceEventsRejected', { reason: 'unknown-org' });
      return result('rejected', { reason });
    };

    const tenantId = await tenantIdFor(store, 'salesforce', change.orgId);
    if (!tenantId) return rejected('unknown org');
    let tenant: TenantSettings;
    try {
      tenant = await getTenant(store, tenantId);
    } catch (error) {
      if (!(error instanceof TenantNotFoundError)) throw error;
      return rejected(`org routed to tenant ${tenantId}, which does not exist`);
    }
    // The route and the workspace must agree on the org.
    if (!tenant.salesforceOrgId || !sameSalesforceId(tenant.salesforceOrgId, change.orgId))
      return rejected(`tenant ${tenantId} is linked to org ${tenant.salesforceOrgId ?? 'none'}`);

    let outcome: ChangeEventOutcome;
    try {
      outcome = await ingestChangeEvent(
        { store, tenant, enqueue, now: now(), connect: () => connect(tenant) },
        change,
      );
    } catch (error) {
      // The retry logs in afresh: a rotated secret or a revoked token must not stick to a warm function.
      connections.forget(tenant.tenantId);
      count('SalesforceEventsFailed');
      // Thrown on: Lambda retries the event, then sends it to the on-failure destination.
      logger.error('change event failed', {
        ...log,
        tenantId,
        reason: `${(error as Error).name}: ${(error as Error).message}`,
      });
      throw error;
    }

    const out = result(outcome.status, { tenantId, reason: outcome.reason, records: outcome.records });
    if (outcome.status === 'duplicate') count('SalesforceEventsDuplicate');
    for (const r of outcome.records) {
      if (r.action === 'rejected')
        logger.warn('change event record rejected', {
          ...log,
          tenantId,
          sObjectType: r.sObjectType,
          recordId: r.recordId,
          error: r.error,
          reason: r.reason,
        });
      else if (r.action === 'missing' || r.action === 'ignored')
        logger.info(`change event record ${r.action}`, {
          ...log,
          tenantId,
          recordId: r.recordId,
          reason: r.reason,
        });
    }
    if (outcome.status === 'ignored')
      logger.warn('change event ignored', { ...log, tenantId, reason: outcome.reason });
    else
      logger.info('change event processed', {
        ...log,
        tenantId,
        status: out.status,
        stored: out.stored,
        cancelled: out.cancelled,
        unchanged: out.unchanged,
        skipped: out.skipped,
      });
    return out;
  };
}

const logger = new Logger({ serviceName: 'clv-sync' });
const metrics = createMetrics();

export const handler = middy(
  lazy(() =>
    createSalesforceEventsHandler({
      store: storeFromEnv(),
      logger,
      enqueue: sqsSender(process.env.CLV_SCORE_QUEUE_URL, 'CLV_SCORE_QUEUE_URL'),
      secrets: secretsFromEnv(),
      metrics,
    }),
  ),
)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
