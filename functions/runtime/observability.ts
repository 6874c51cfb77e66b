/**
 * The logger and the metrics every function writes with. Metrics are CloudWatch Embedded Metric Format lines
 * on stdout (Powertools Metrics): no API call, CloudWatch Logs extracts them. Namespace `clv-sync`, dimension
 * `service` = clv-sync. Each function flushes once per invocation (middy `logMetrics`); a count that needs its
 * own dimension (a rejection's reason) is a single metric, written at once.
 *
 * Names, by function (a reason or target in brackets is a dimension):
 * - shopify-webhooks: ShopifyWebhooksReceived (every request), ShopifyWebhooksRejected [reason: too-large,
 *   signature, missing-headers, unknown-topic, unknown-shop, malformed, shop-mismatch, unusable-order,
 *   unknown-tenant], ShopifyWebhooksDuplicate, ShopifyWebhooksProcessed;
 * - salesforce-outbound: SalesforceOutboundReceived, SalesforceOutboundRejected [reason: too-large, no-token,
 *   wrong-token, malformed, unknown-org], SalesforceNotificationsStored, SalesforceNotificationsDuplicate,
 *   SalesforceNotificationsRejected, SalesforceNotificationsDeferred;
 * - salesforce-events: SalesforceEventsReceived, SalesforceEventsRejected [reason: malformed, unknown-org],
 *   SalesforceEventsDuplicate, SalesforceEventsFailed;
 * - score: CustomersScored, ScoringFailures; refit: CustomersScored, TenantsRefitted, RefitFailures,
 *   RefitsQueued, RefitsPending, RefitRequestFailures, RefitsSkipped;
 * - writeback: FlushRequests; CustomersWritten, WriteFailures, FlushFailures [target]; FieldsWritten
 *   [target: shopify] (metafield values).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export { MetricUnit };
export type { Metrics };

export const METRICS_NAMESPACE = 'clv-sync';

export type MetricName =
  | 'ShopifyWebhooksReceived'
  | 'ShopifyWebhooksRejected'
  | 'ShopifyWebhooksDuplicate'
  | 'ShopifyWebhooksProcessed'
  | 'SalesforceOutboundReceived'
  | 'SalesforceOutboundRejected'
  | 'SalesforceNotificationsStored'
  | 'SalesforceNotificationsDuplicate'
  | 'SalesforceNotificationsRejected'
  | 'SalesforceNotificationsDeferred'
  | 'SalesforceEventsReceived'
  | 'SalesforceEventsRejected'
  | 'SalesforceEventsDuplicate'
  | 'SalesforceEventsFailed'
  | 'CustomersScored'
  | 'ScoringFailures'
  | 'TenantsRefitted'
  | 'RefitFailures'
  | 'RefitsQueued'
  | 'RefitsPending'
  | 'RefitRequestFailures'
  | 'RefitsSkipped'
  | 'FlushRequests'
  | 'CustomersWritten'
  | 'FieldsWritten'
  | 'WriteFailures'
  | 'FlushFailures';

export const createLogger = (options: ConstructorOptions = {}) =>
  new Logger({ serviceName: 'clv-sync', ...options });

export const createMetrics = () => new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'clv-sync' });

/** The logger and metrics of one deployed function, built once per module. */
export const observability = (logger?: ConstructorOptions) => ({
  logger: createLogger(logger),
  metrics: createMetrics(),
});

/** A count in the invocation's metrics, flushed with them at its end. */
export function count(metrics: Metrics | undefined, name: MetricName, value = 1): void {
  metrics?.addMetric(name, MetricUnit.Count, value);
}

/** One count under its own dimensions, written at once: other metrics of the invocation keep theirs. */
export function countWith(
  metrics: Metrics,
  name: MetricName,
  dimensions: Record<string, string>,
  value = 1,
): void {
  const single = metrics.singleMetric();
  for (const [k, v] of Object.entries(dimensions)) single.addDimension(k, v);
  single.addMetric(name, MetricUnit.Count, value);
}

/** A failure's `reason` on its log line: the error's class and message. */
export const reasonOf = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);
