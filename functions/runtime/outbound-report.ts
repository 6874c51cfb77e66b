/**
 * The log lines and counts of an outbound message once its notifications are handled
 * (integrations/salesforce/outbound-notifications.ts), and its answer: the Ack, or 503 while some wait for
 * their Contacts' emails. Unusable notifications are logged and still acknowledged: Salesforce redelivers an
 * unacknowledged message whole, for 24 hours, so one bad record would hold the others back for a day.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { NotificationOutcome } from '../../integrations/salesforce/outbound-notifications.ts';
import { soapFault } from '../../integrations/salesforce/outbound-message.ts';
import { TransientError } from '../../shared/errors.ts';
import type { Metrics, MetricName } from './observability.ts';
import { count } from './observability.ts';
import { soap, soapAck } from './soap-answer.ts';

export interface ReportOptions {
  logger: Logger;
  metrics?: Metrics;
  /** The message's fields, on every line. */
  log: Record<string, unknown>;
}

/** The failed Contact email lookup, by the error's name and message only: jsforce's can carry the token. */
export const lookupFailureLog =
  ({ logger, log }: ReportOptions) =>
  (error: unknown, { contacts, refused }: { contacts: number; refused: boolean }) =>
    logger.warn(
      refused
        ? 'the org refused the Contact email lookup: those Contacts are known by id alone'
        : 'the Contact email lookup failed: their notifications wait for the redelivery',
      { ...log, contacts, error: (error as Error).name, reason: (error as Error).message },
    );

export function reportOutcomes(
  outcomes: readonly NotificationOutcome[],
  { logger, metrics, log }: ReportOptions,
): APIGatewayProxyStructuredResultV2 {
  const counts: Record<string, number> = {};
  for (const o of outcomes) {
    counts[o.action] = (counts[o.action] ?? 0) + 1;
    const { notificationId, recordId, reason } = o;
    if (o.action === 'rejected')
      logger.warn('outbound notification rejected', {
        ...log,
        notificationId,
        sObjectType: o.sObjectType,
        recordId,
        error: o.error,
        reason,
      });
    else if (o.action === 'ignored')
      logger.info('outbound notification ignored', { ...log, notificationId, recordId, reason });
  }
  const counted = (name: MetricName, value: number) => {
    if (value) count(metrics, name, value);
  };
  counted('SalesforceNotificationsDuplicate', counts.duplicate ?? 0);
  counted('SalesforceNotificationsStored', (counts.stored ?? 0) + (counts.cancelled ?? 0));
  counted('SalesforceNotificationsRejected', counts.rejected ?? 0);
  logger.info('outbound message processed', { ...log, ...counts });
  if (!counts.deferred) return soapAck();
  // Not acknowledged: Salesforce sends the whole message again, and finds the rest already done.
  count(metrics, 'SalesforceNotificationsDeferred', counts.deferred);
  const deferred = new TransientError(
    `${counts.deferred} notifications wait for their Contacts' emails, which the org did not give; the message is taken again when Salesforce resends it`,
  );
  return soap(deferred.statusCode, soapFault(deferred.message, 'Server'));
}
