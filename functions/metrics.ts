/**
 * CloudWatch metrics, as Embedded Metric Format lines on stdout (Powertools
 * Metrics): no API call, CloudWatch Logs extracts them. Namespace `clv-sync`,
 * dimension `service` = clv-sync. Each function flushes once per invocation
 * (middy `logMetrics`); a count that needs its own dimension (a rejection's
 * reason) is a single metric, written at once.
 *
 * Names, by function (a reason or target in brackets is a dimension):
 * - shopify-webhooks: ShopifyWebhooksReceived (every request), ShopifyWebhooksRejected [reason: too-large,
 *   signature, missing-headers, unknown-topic, unknown-shop, malformed, unusable-order, unknown-tenant],
 *   ShopifyWebhooksDuplicate, ShopifyWebhooksProcessed;
 * - salesforce-outbound: SalesforceOutboundReceived, SalesforceOutboundRejected [reason: too-large,
 *   malformed, unknown-org], SalesforceNotificationsStored, SalesforceNotificationsDuplicate,
 *   SalesforceNotificationsRejected;
 * - salesforce-events: SalesforceEventsReceived, SalesforceEventsRejected [reason: malformed, unknown-org],
 *   SalesforceEventsDuplicate, SalesforceEventsFailed;
 * - score: CustomersScored, ScoringFailures; refit: CustomersScored, TenantsRefitted, RefitFailures;
 * - writeback: FlushRequests; CustomersWritten, WriteFailures, FlushFailures [target]; FieldsWritten
 *   [target: shopify] (metafield values).
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export { MetricUnit };
export type { Metrics };

export const METRICS_NAMESPACE = 'clv-sync';

export const createMetrics = () => new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'clv-sync' });

/** One count under its own dimensions, written at once: other metrics of the invocation keep theirs. */
export function countWith(
  metrics: Metrics,
  name: string,
  dimensions: Record<string, string>,
  value = 1,
): void {
  const single = metrics.singleMetric();
  for (const [k, v] of Object.entries(dimensions)) single.addDimension(k, v);
  single.addMetric(name, MetricUnit.Count, value);
}
