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
import type { Logger } from '@aws-lambda-powertools/logger';
import type { EventBridgeEvent } from 'aws-lambda';
import type { ChangeEvent } from '../integrations/salesforce/change-events.ts';
import {
  ChangeEventError,
  ingestChangeEvent,
  parseChangeEvent,
} from '../integrations/salesforce/change-events.ts';
import { connectionCache, connectOnFirstUse } from '../integrations/salesforce/connection-cache.ts';
import type { SecretSource } from '../integrations/salesforce/secrets.ts';
import { secretsFromEnv } from '../integrations/salesforce/secrets.ts';
import type { Enqueue } from '../shared/pipeline/messages.ts';
import type { Store } from '../shared/store/store.ts';
import { storeFromEnv } from '../shared/store/store.ts';
import { chain } from './runtime/chain.ts';
import type { SalesforceEventResult } from './runtime/change-event-result.ts';
import { envelopeOf, eventResult, logEventResult } from './runtime/change-event-result.ts';
import { deployed } from './runtime/deployed.ts';
import type { Metrics } from './runtime/observability.ts';
import { count, observability, reasonOf } from './runtime/observability.ts';
import { orgTenant } from './runtime/org-tenant.ts';
import { BadRequestError } from '../shared/errors.ts';
import { Rejection } from './runtime/rejection.ts';
import { sqsSender } from '../shared/queue/sqs-sender.ts';

export type { SalesforceEventResult };

export interface SalesforceEventsDeps {
  store: Store;
  logger: Logger;
  enqueue: Enqueue;
  /** The connected app's secret or key, per tenant. */
  secrets: SecretSource;
  /** Counts of events received, rejected (by reason), duplicate and failed (runtime/observability.ts). */
  metrics?: Metrics;
  now?: () => number;
}

export function createSalesforceEventsHandler(deps: SalesforceEventsDeps) {
  const { store, logger, enqueue, metrics, now = Date.now } = deps;
  // Kept while the function is warm (connection-cache.ts); jsforce is imported with the first event that
  // needs to read records, not at cold start.
  const connections = connectionCache(connectOnFirstUse, deps.secrets);
  const inner = async (event: EventBridgeEvent<string, unknown>): Promise<SalesforceEventResult> => {
    let change: ChangeEvent;
    try {
      change = parseChangeEvent(event);
    } catch (error) {
      if (!(error instanceof ChangeEventError)) throw error;
      const log = { ...envelopeOf(event), reason: error.message };
      throw new Rejection(error, { reason: 'malformed', log });
    }
    logger.appendKeys({ eventId: change.eventId, orgId: change.orgId });
    const { eventId, orgId, channel, changeType, entityName } = change;
    const log = { eventId, orgId, channel, changeType, entityName, recordIds: change.recordIds.length };
    // Every rejection past parsing is about the org: not linked, or linked inconsistently.
    const rejected = (reason: string) =>
      new Rejection(new BadRequestError(reason), { reason: 'unknown-org', log: { ...log, reason } });

    const { tenantId, tenant } = await orgTenant(store, change.orgId, rejected);
    const connect = async () => (await connections.connect(tenant)).conn;
    const { status, reason, records } = await ingestChangeEvent(
      { store, tenant, enqueue, now: now(), connect },
      change,
    ).catch((error: unknown) => {
      // The retry logs in afresh: a rotated secret or a revoked token must not stick to a warm function.
      connections.forget(tenant.tenantId);
      count(metrics, 'SalesforceEventsFailed');
      // Thrown on: Lambda retries the event, then sends it to the on-failure destination.
      logger.error('change event failed', { ...log, tenantId, reason: reasonOf(error) });
      throw error;
    });
    const out = eventResult(status, { tenantId, reason, records });
    if (status === 'duplicate') count(metrics, 'SalesforceEventsDuplicate');
    logEventResult(logger, log, out);
    return out;
  };
  return chain(inner, {
    logger,
    metrics,
    received: 'SalesforceEventsReceived',
    rejected: 'SalesforceEventsRejected',
    rejectedMessage: 'change event rejected',
    keys: ['eventId', 'orgId'],
    answer: (r) => eventResult('rejected', { reason: r.message }),
  });
}

const { logger, metrics } = observability();

export const handler = deployed(
  () =>
    createSalesforceEventsHandler({
      store: storeFromEnv(),
      logger,
      enqueue: sqsSender(process.env.CLV_SCORE_QUEUE_URL, 'CLV_SCORE_QUEUE_URL'),
      secrets: secretsFromEnv(),
      metrics,
    }),
  { logger, metrics, resetKeys: true },
);
