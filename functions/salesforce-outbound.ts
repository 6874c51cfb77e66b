/**
 * POST /salesforce/outbound: the listener of a workflow outbound message on
 * Order or Opportunity. The body is size-checked (413); then, before a byte
 * of it is read, the workspace is found by the secret token in the endpoint
 * URL (`?token=…`, see integrations/salesforce/outbound-token.ts; 401 when
 * absent, 403 when it opens no workspace), since Salesforce does not sign
 * outbound messages. So an unauthenticated body costs a hash and one read to
 * refuse, and the answer is the same whatever org it names. Only then is it
 * parsed as untrusted XML with no DOCTYPE, no entities and bounded shape
 * (400 SOAP fault), and its OrganizationId and callback URLs must be the
 * workspace's org (403). Each notification is then deduplicated on its id,
 * read as an Order, stored and its customer queued for scoring
 * (integrations/salesforce/outbound-notifications.ts), and the Ack is
 * answered only once every notification is done.
 *
 * A notification that is unusable (a bad field, no customer, a foreign
 * currency) is logged, recorded and still acknowledged: Salesforce redelivers
 * an unacknowledged message whole, for 24 hours, so one bad record out of 100
 * would otherwise hold the other 99 back for a day and then be dropped anyway.
 * Our own failures (DynamoDB, the org's Contact lookup) answer 500 once
 * everything else is stored, so Salesforce retries; the notifications done
 * before the failure are skipped on the retry.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Enqueue } from '../shared/pipeline/messages.ts';
import type { Store } from '../shared/store/store.ts';
import { storeFromEnv } from '../shared/store/store.ts';
import type { TenantSettings } from '../shared/store/tenants.ts';
import {
  getTenant,
  routeOutboundTokens,
  TenantNotFoundError,
  tenantIdForOutboundToken,
} from '../shared/store/tenants.ts';
import { sameSalesforceId } from '../integrations/salesforce/salesforce-ids.ts';
import { ingestNotifications } from '../integrations/salesforce/outbound-notifications.ts';
import {
  OUTBOUND_TOKEN_PARAM,
  outboundTokenHash,
  outboundTokenMatches,
} from '../integrations/salesforce/outbound-token.ts';
import type { OutboundMessage } from '../integrations/salesforce/outbound-message.ts';
import {
  OutboundMessageError,
  ackEnvelope,
  parseOutboundMessage,
  soapFault,
} from '../integrations/salesforce/outbound-message.ts';
import { rawBody } from './runtime/http.ts';
import type { ContactEmails } from '../integrations/salesforce/contact-emails.ts';
import type { ConnectionCache } from '../integrations/salesforce/connection-cache.ts';
import { connectionCache, connectOnFirstUse } from '../integrations/salesforce/connection-cache.ts';
import { lazy } from './runtime/lazy.ts';
import type { Metrics } from './runtime/observability.ts';
import { countWith, createMetrics, MetricUnit } from './runtime/observability.ts';
import { sqsSender } from '../shared/queue/sqs-sender.ts';

/**
 * Larger bodies are refused before anything else. 100 notifications of the
 * action `clv salesforce setup` deploys (8 fields, Status a 255-character
 * picklist value, a session id, sandbox My Domain callback URLs) measure
 * 85 KB, and 188 KB with every Status character escaped as `&amp;` (the
 * sandbox's envelope, bench/outbound-refusal.ts prints both).
 */
export const MAX_OUTBOUND_BYTES = 256 * 1024;

export interface SalesforceOutboundDeps {
  store: Store;
  logger: Logger;
  enqueue: Enqueue;
  /** Counts of messages received and rejected (by reason), notifications duplicate and stored (functions/metrics.ts). */
  metrics?: Metrics;
  now?: () => number;
  /**
   * How to ask a tenant's org for the emails of Contacts not known yet (integrations/salesforce/contact-emails.ts);
   * undefined for a tenant whose org clv-sync cannot call: its new Contacts are then known by id alone.
   */
  contactEmailsFor?: (tenant: TenantSettings) => ContactEmails | undefined;
}

/** A SOAP answer: the Ack, or a fault Salesforce shows in its outbound message delivery status. */
function soap(statusCode: number, body: string): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'text/xml; charset=utf-8' }, body };
}

/** Longer callback URLs are refused: Salesforce's are an instance host and `/services/Soap/c/62.0/00D…`. */
export const MAX_CALLBACK_URL_LENGTH = 2048;

const ORG_ID_SEGMENT = /^00D[0-9A-Za-z]{12}(?:[0-9A-Za-z]{3})?$/;

/**
 * The org ids a message names besides OrganizationId: its callback URLs end
 * with the org's 15-character id (`…/services/Soap/u/62.0/00D…`). Read with
 * the URL parser and one anchored test of the last path segment, so the work
 * is linear in the URL; a URL over MAX_CALLBACK_URL_LENGTH makes the message
 * malformed.
 */
export function urlOrgIds(
  message: Pick<OutboundMessage, 'enterpriseUrl' | 'partnerUrl'>,
): string[] | 'malformed' {
  const ids: string[] = [];
  for (const url of [message.enterpriseUrl, message.partnerUrl]) {
    if (url.length > MAX_CALLBACK_URL_LENGTH) return 'malformed';
    let path: string;
    try {
      path = new URL(url).pathname;
    } catch {
      continue; // not a URL: it names no org
    }
    const last = path.split('/').findLast((segment) => segment !== '');
    if (last && ORG_ID_SEGMENT.test(last)) ids.push(last);
  }
  return ids;
}

export function createSalesforceOutboundHandler({
  store,
  logger,
  enqueue,
  metrics,
  now = Date.now,
  contactEmailsFor,
}: SalesforceOutboundDeps) {
  const count = (name: string, value = 1) => {
    if (value) metrics?.addMetric(name, MetricUnit.Count, value);
  };
  const rejected = (reason: string) => {
    if (metrics) countWith(metrics, 'SalesforceOutboundRejected', { reason });
  };
  /** Set once the token routes of workspaces linked before they existed are written (tenants.ts). */
  let tokenRoutesMigrated = false;
  /** The workspace this token opens, or null: found by the token's hash, then compared with the tenant's own. */
  const workspaceOf = async (token: string): Promise<TenantSettings | null> => {
    const hash = outboundTokenHash(token);
    let tenantId = await tenantIdForOutboundToken(store, hash);
    if (!tenantId && !tokenRoutesMigrated) {
      const routed = await routeOutboundTokens(store);
      if (routed) logger.info('outbound token routes written for workspaces linked before them', { routed });
      tokenRoutesMigrated = true;
      tenantId = await tenantIdForOutboundToken(store, hash);
    }
    if (!tenantId) return null;
    let tenant: TenantSettings;
    try {
      tenant = await getTenant(store, tenantId);
    } catch (error) {
      if (!(error instanceof TenantNotFoundError)) throw error;
      return null;
    }
    // The route is an index; the tenant's hash is the authority (a rotated token's route is left behind).
    const stored = tenant.salesforceOutboundTokenHash;
    return stored && outboundTokenMatches(stored, token) ? tenant : null;
  };

  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    logger.removeKeys(['organizationId', 'actionId']);
    count('SalesforceOutboundReceived');
    const body = rawBody(event);
    if (body.length > MAX_OUTBOUND_BYTES) {
      logger.warn('outbound message rejected', { reason: 'body too large', bytes: body.length });
      rejected('too-large');
      return soap(413, soapFault(`body over ${MAX_OUTBOUND_BYTES} bytes`));
    }
    // Authenticated before the body is read: an unauthenticated body costs nothing to refuse, and the answer
    // cannot depend on the org it names (no oracle for which orgs are linked).
    const token = new URLSearchParams(event.rawQueryString ?? '').get(OUTBOUND_TOKEN_PARAM);
    if (!token) {
      logger.warn('outbound message rejected', { reason: 'no token' });
      rejected('no-token');
      return soap(
        401,
        soapFault(
          `the endpoint URL carries no ${OUTBOUND_TOKEN_PARAM}: deploy it as clv salesforce link shows`,
        ),
      );
    }
    const tenant = await workspaceOf(token);
    if (!tenant) {
      logger.warn('outbound message rejected', { reason: 'wrong token' });
      rejected('wrong-token');
      return soap(
        403,
        soapFault(
          `the ${OUTBOUND_TOKEN_PARAM} in the endpoint URL opens no clv-sync workspace: deploy the endpoint clv salesforce link showed last`,
        ),
      );
    }
    const { tenantId } = tenant;

    let message: OutboundMessage;
    try {
      message = parseOutboundMessage(body.toString('utf8'));
    } catch (error) {
      if (!(error instanceof OutboundMessageError)) throw error;
      logger.warn('outbound message rejected', { tenantId, reason: error.message });
      rejected('malformed');
      return soap(400, soapFault(`not an outbound message clv-sync accepts: ${error.message}`));
    }
    const log = {
      organizationId: message.organizationId,
      actionId: message.actionId,
      notifications: message.notifications.length,
    };
    logger.appendKeys({ organizationId: message.organizationId, actionId: message.actionId });
    const forbidden = (reason: string) => {
      logger.warn('outbound message rejected', { ...log, tenantId, reason });
      rejected('unknown-org');
      return soap(
        403,
        soapFault(
          `organization ${message.organizationId} is not linked to the clv-sync workspace of this endpoint`,
        ),
      );
    };
    // The token proves the message is for this workspace; the org it names and its callback URLs must be the workspace's.
    if (!tenant.salesforceOrgId || !sameSalesforceId(tenant.salesforceOrgId, message.organizationId))
      return forbidden('unknown org');
    const urls = urlOrgIds(message);
    if (urls === 'malformed') {
      logger.warn('outbound message rejected', { ...log, tenantId, reason: 'callback URL too long' });
      rejected('malformed');
      return soap(
        400,
        soapFault(
          `not an outbound message clv-sync accepts: a callback URL over ${MAX_CALLBACK_URL_LENGTH} characters`,
        ),
      );
    }
    const other = urls.find((id) => !sameSalesforceId(id, message.organizationId));
    if (other) return forbidden(`callback URLs name org ${other}`);

    const outcomes = await ingestNotifications(
      {
        store,
        tenant,
        enqueue,
        now: now(),
        contactEmails: contactEmailsFor?.(tenant),
        // The error's name and message only: jsforce's errors can carry the request, token included.
        onLookupFailure: (error, { contacts, refused }) =>
          logger.warn(
            refused
              ? 'the org refused the Contact email lookup: those Contacts are known by id alone'
              : 'the Contact email lookup failed: their notifications wait for the redelivery',
            { ...log, tenantId, contacts, error: (error as Error).name, reason: (error as Error).message },
          ),
      },
      message.notifications,
    );
    const counts: Record<string, number> = {};
    for (const o of outcomes) {
      counts[o.action] = (counts[o.action] ?? 0) + 1;
      if (o.action === 'rejected')
        logger.warn('outbound notification rejected', {
          ...log,
          tenantId,
          notificationId: o.notificationId,
          sObjectType: o.sObjectType,
          recordId: o.recordId,
          error: o.error,
          reason: o.reason,
        });
      else if (o.action === 'ignored')
        logger.info('outbound notification ignored', {
          ...log,
          tenantId,
          notificationId: o.notificationId,
          recordId: o.recordId,
          reason: o.reason,
        });
    }
    count('SalesforceNotificationsDuplicate', counts.duplicate ?? 0);
    count('SalesforceNotificationsStored', (counts.stored ?? 0) + (counts.cancelled ?? 0));
    count('SalesforceNotificationsRejected', counts.rejected ?? 0);
    logger.info('outbound message processed', { ...log, tenantId, ...counts });
    if (counts.deferred) {
      // Not acknowledged: Salesforce sends the whole message again, and finds the rest already done.
      count('SalesforceNotificationsDeferred', counts.deferred);
      return soap(
        503,
        soapFault(
          `${counts.deferred} notifications wait for their Contacts' emails, which the org did not give; the message is taken again when Salesforce resends it`,
          'Server',
        ),
      );
    }
    return soap(200, ackEnvelope(true));
  };
}

const logger = new Logger({ serviceName: 'clv-sync' });
const metrics = createMetrics();

/**
 * The org's Contact emails through the tenant's connected app. jsforce is imported on the first lookup
 * only: most messages name Contacts already known, and the function starts faster without it.
 */
function orgContactEmails(tenant: TenantSettings): ContactEmails | undefined {
  if (!tenant.salesforce) return undefined;
  return async (contactIds) => {
    const [{ secretsFromEnv }, { contactEmailsFrom }] = await Promise.all([
      import('../integrations/salesforce/secrets.ts'),
      import('../integrations/salesforce/contact-emails.ts'),
    ]);
    lookupConnections ??= connectionCache(connectOnFirstUse, secretsFromEnv());
    const { conn } = await lookupConnections.connect(tenant);
    return contactEmailsFrom(conn)(contactIds);
  };
}

/** Kept while the function is warm (connection-cache.ts): messages do not each cost a login. */
let lookupConnections: ConnectionCache | undefined;

export const handler = middy(
  lazy(() =>
    createSalesforceOutboundHandler({
      store: storeFromEnv(),
      logger,
      enqueue: sqsSender(process.env.CLV_SCORE_QUEUE_URL, 'CLV_SCORE_QUEUE_URL'),
      metrics,
      contactEmailsFor: orgContactEmails,
    }),
  ),
)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
