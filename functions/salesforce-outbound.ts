/**
 * POST /salesforce/outbound: the listener of a workflow outbound message on
 * Order or Opportunity. The body is size-checked (413), parsed as untrusted
 * XML with no DOCTYPE and no entities (400 SOAP fault), and routed by its
 * OrganizationId to the workspace linked to that org (403 for any other org:
 * nothing is read or stored for it), and authenticated by the workspace's
 * secret token in the endpoint URL (`?token=…`, see
 * integrations/salesforce/outbound-token.ts: 401 when absent, 403 when
 * wrong), since Salesforce does not sign outbound messages. Each notification is then deduplicated
 * on its id, read as an Order, stored and its customer queued for scoring
 * (integrations/salesforce/outbound-notifications.ts), and the Ack is
 * answered only once every notification is done.
 *
 * A notification that is unusable (a bad field, no customer, a foreign
 * currency) is logged, recorded and still acknowledged: Salesforce redelivers
 * an unacknowledged message whole, for 24 hours, so one bad record out of 100
 * would otherwise hold the other 99 back for a day and then be dropped anyway.
 * Our own failures (DynamoDB) answer 500, so Salesforce retries; the
 * notifications done before the failure are skipped on the retry.
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
import { getTenant, TenantNotFoundError, tenantIdFor } from '../shared/store/tenants.ts';
import { sameSalesforceId } from '../integrations/salesforce/salesforce-ids.ts';
import { ingestNotifications } from '../integrations/salesforce/outbound-notifications.ts';
import { OUTBOUND_TOKEN_PARAM, outboundTokenMatches } from '../integrations/salesforce/outbound-token.ts';
import type { OutboundMessage } from '../integrations/salesforce/outbound-message.ts';
import {
  OutboundMessageError,
  ackEnvelope,
  parseOutboundMessage,
  soapFault,
} from '../integrations/salesforce/outbound-message.ts';
import { rawBody } from './http.ts';
import type { ContactEmails } from '../integrations/salesforce/contact-emails.ts';
import type { ConnectionCache } from '../integrations/salesforce/connection-cache.ts';
import { connectionCache, connectOnFirstUse } from '../integrations/salesforce/connection-cache.ts';
import { lazy } from './lazy.ts';
import type { Metrics } from './metrics.ts';
import { countWith, createMetrics, MetricUnit } from './metrics.ts';
import { sqsSender } from './sqs-sender.ts';

/**
 * Larger bodies are refused before parsing: 100 notifications of an order's
 * fields are a few hundred kilobytes at most.
 */
export const MAX_OUTBOUND_BYTES = 2 * 1024 * 1024;

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

/**
 * The org ids a message names besides OrganizationId: its callback URLs end
 * with the org's 15-character id (`…/services/Soap/u/62.0/00D…`).
 */
function urlOrgIds(message: OutboundMessage): string[] {
  return [message.enterpriseUrl, message.partnerUrl]
    .map((url) => /\/(00D[0-9A-Za-z]{12}(?:[0-9A-Za-z]{3})?)\/?(?:[?#].*)?$/.exec(url)?.[1])
    .filter((id): id is string => id !== undefined);
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
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    logger.removeKeys(['organizationId', 'actionId']);
    count('SalesforceOutboundReceived');
    const body = rawBody(event);
    if (body.length > MAX_OUTBOUND_BYTES) {
      logger.warn('outbound message rejected', { reason: 'body too large', bytes: body.length });
      rejected('too-large');
      return soap(413, soapFault(`body over ${MAX_OUTBOUND_BYTES} bytes`));
    }
    let message: OutboundMessage;
    try {
      message = parseOutboundMessage(body.toString('utf8'));
    } catch (error) {
      if (!(error instanceof OutboundMessageError)) throw error;
      logger.warn('outbound message rejected', { reason: error.message });
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
      logger.warn('outbound message rejected', { ...log, reason });
      rejected('unknown-org');
      return soap(
        403,
        soapFault(`organization ${message.organizationId} is not linked to a clv-sync workspace`),
      );
    };

    const tenantId = await tenantIdFor(store, 'salesforce', message.organizationId);
    if (!tenantId) return forbidden('unknown org');
    let tenant: TenantSettings;
    try {
      tenant = await getTenant(store, tenantId);
    } catch (error) {
      if (!(error instanceof TenantNotFoundError)) throw error;
      return forbidden(`org routed to tenant ${tenantId}, which does not exist`);
    }
    // The org id is no secret: the workspace's token proves the message comes from its org's outbound message.
    const token = new URLSearchParams(event.rawQueryString ?? '').get(OUTBOUND_TOKEN_PARAM);
    if (!token) {
      logger.warn('outbound message rejected', { ...log, reason: 'no token' });
      return soap(
        401,
        soapFault(
          `the endpoint URL carries no ${OUTBOUND_TOKEN_PARAM}: deploy it as clv salesforce link shows`,
        ),
      );
    }
    if (
      !tenant.salesforceOutboundTokenHash ||
      !outboundTokenMatches(tenant.salesforceOutboundTokenHash, token)
    )
      return forbidden(
        tenant.salesforceOutboundTokenHash ? 'wrong token' : `tenant ${tenantId} has no outbound token`,
      );
    // The route and the workspace must agree on the org, and so must the message's own callback URLs.
    if (!tenant.salesforceOrgId || !sameSalesforceId(tenant.salesforceOrgId, message.organizationId))
      return forbidden(`tenant ${tenantId} is linked to org ${tenant.salesforceOrgId ?? 'none'}`);
    const other = urlOrgIds(message).find((id) => !sameSalesforceId(id, message.organizationId));
    if (other) return forbidden(`callback URLs name org ${other}`);

    const outcomes = await ingestNotifications(
      { store, tenant, enqueue, now: now(), contactEmails: contactEmailsFor?.(tenant) },
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
