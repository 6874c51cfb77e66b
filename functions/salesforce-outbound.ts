/**
 * POST /salesforce/outbound: the listener of a workflow outbound message on
 * Order or Opportunity. The body is size-checked (413); then, before a byte
 * of it is read, the workspace is found by the secret token in the endpoint
 * URL (runtime/outbound-workspace.ts: 401, 403). Only then is it parsed, and
 * its OrganizationId and callback URLs must be the workspace's org
 * (runtime/outbound-message-checks.ts: 400, 403). Each notification is then
 * deduplicated on its id, read as an Order, stored and its customer queued
 * for scoring (integrations/salesforce/outbound-notifications.ts), and the
 * Ack is answered only once every notification is done.
 *
 * A notification that is unusable (a bad field, no customer, a foreign
 * currency) is logged, recorded and still acknowledged (runtime/outbound-report.ts).
 * Our own failures (DynamoDB, the org's Contact lookup) answer 500 once
 * everything else is stored, so Salesforce retries; the notifications done
 * before the failure are skipped on the retry.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Enqueue } from '../shared/pipeline/messages.ts';
import type { Store } from '../shared/store/store.ts';
import { storeFromEnv } from '../shared/store/store.ts';
import type { TenantSettings } from '../shared/store/tenants.ts';
import type { ContactEmails } from '../integrations/salesforce/contact-emails.ts';
import { ingestNotifications } from '../integrations/salesforce/outbound-notifications.ts';
import { bodyLimit } from './runtime/body-limit.ts';
import { chain } from './runtime/chain.ts';
import { deployed } from './runtime/deployed.ts';
import { rawBody } from './runtime/http.ts';
import type { Metrics } from './runtime/observability.ts';
import { observability } from './runtime/observability.ts';
import { orgContactEmails } from './runtime/org-contact-emails.ts';
import { assertWorkspaceOrg, readOutboundMessage } from './runtime/outbound-message-checks.ts';
import { lookupFailureLog, reportOutcomes } from './runtime/outbound-report.ts';
import { outboundWorkspace } from './runtime/outbound-workspace.ts';
import { soapRejection } from './runtime/soap-answer.ts';
import { sqsSender } from '../shared/queue/sqs-sender.ts';

export { MAX_CALLBACK_URL_LENGTH, urlOrgIds } from '../integrations/salesforce/callback-org-ids.ts';

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
  /** Counts of messages received and rejected (by reason), notifications duplicate and stored (runtime/observability.ts). */
  metrics?: Metrics;
  now?: () => number;
  /**
   * How to ask a tenant's org for the emails of Contacts not known yet (integrations/salesforce/contact-emails.ts);
   * undefined for a tenant whose org clv-sync cannot call: its new Contacts are then known by id alone.
   */
  contactEmailsFor?: (tenant: TenantSettings) => ContactEmails | undefined;
}

export function createSalesforceOutboundHandler(deps: SalesforceOutboundDeps) {
  const { store, logger, enqueue, metrics, now = Date.now, contactEmailsFor } = deps;
  const workspaceOf = outboundWorkspace(store, logger);
  const inner = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const tenant = await workspaceOf(event);
    const { tenantId } = tenant;
    const message = readOutboundMessage(rawBody(event), tenantId);
    const { organizationId, actionId } = message;
    const log = { organizationId, actionId, notifications: message.notifications.length, tenantId };
    logger.appendKeys({ organizationId, actionId });
    assertWorkspaceOrg(tenant, message, log);
    const report = { logger, metrics, log };
    const context = { store, tenant, enqueue, now: now(), contactEmails: contactEmailsFor?.(tenant) };
    const onLookupFailure = lookupFailureLog(report);
    const outcomes = await ingestNotifications({ ...context, onLookupFailure }, message.notifications);
    return reportOutcomes(outcomes, report);
  };
  return chain(inner, {
    logger,
    metrics,
    received: 'SalesforceOutboundReceived',
    rejected: 'SalesforceOutboundRejected',
    rejectedMessage: 'outbound message rejected',
    keys: ['organizationId', 'actionId'],
    answer: soapRejection,
    before: [bodyLimit(MAX_OUTBOUND_BYTES)],
  });
}

const { logger, metrics } = observability();

export const handler = deployed(
  () =>
    createSalesforceOutboundHandler({
      store: storeFromEnv(),
      logger,
      enqueue: sqsSender(process.env.CLV_SCORE_QUEUE_URL, 'CLV_SCORE_QUEUE_URL'),
      metrics,
      contactEmailsFor: orgContactEmails,
    }),
  { logger, metrics, resetKeys: true },
);
