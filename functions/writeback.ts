/**
 * The write-back consumer: flush requests {tenantId, target} from the FIFO
 * write-back queue (one group per tenant and CRM, so flushes of one tenant
 * never overlap), each writing that tenant's pending fields to the CRM.
 * A flush that fails (throttled past its retries, Shopify down) fails its
 * message: SQS retries it, then dead-letters it with the reason logged; the
 * outbox keeps every unwritten field meanwhile.
 */
import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Shopify } from '@shopify/shopify-api';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { AdminClientOptions } from '../integrations/shopify/admin-client.ts';
import type { WritebackOptions } from '../integrations/shopify/write-back.ts';
import { connectionCache, connectOnFirstUse } from '../integrations/salesforce/connection-cache.ts';
import type { SecretSource } from '../integrations/salesforce/secrets.ts';
import { secretsFromEnv } from '../integrations/salesforce/secrets.ts';
import type { TransientRetryOptions } from '../integrations/salesforce/transient-retry.ts';
import { isPermanent } from '../shared/errors.ts';
import { WritebackMessageSchema } from '../shared/pipeline/messages.ts';
import type { Store } from '../shared/store/store.ts';
import { storeFromEnv } from '../shared/store/store.ts';
import { getTenant } from '../shared/store/tenants.ts';
import type { OnDemand } from './runtime/lazy.ts';
import { lazy, resolveOnDemand } from './runtime/lazy.ts';
import type { MetricName, Metrics } from './runtime/observability.ts';
import { countWith, createMetrics, MetricUnit } from './runtime/observability.ts';
import { shopifyAppFromEnv } from './shopify-app-from-env.ts';

export interface WritebackHandlerDeps {
  store: Store;
  /** The app, or (production) how to build it: a Salesforce flush never loads shopify-api. */
  shopify: OnDemand<Shopify>;
  logger: Logger;
  salesforceSecrets: SecretSource;
  /** Customers and fields written, write failures, failed flushes, by target (functions/metrics.ts). */
  metrics?: Metrics;
  clientOptions?: AdminClientOptions;
  writebackOptions?: WritebackOptions;
  /** Salesforce collection calls: their size, and their retries (timeouts, backoff); tests shorten them. */
  salesforceOptions?: { recordsPerCall?: number; retry?: TransientRetryOptions };
}

export function createWritebackHandler(deps: WritebackHandlerDeps) {
  // FIFO: after a failed flush, the rest of its group in the batch is returned unprocessed, keeping order.
  const processor = new SqsFifoPartialProcessorAsync();
  // Each CRM's integration is imported when its first flush comes: jsforce and shopify-api are large.
  const salesforceConnections = connectionCache(connectOnFirstUse, deps.salesforceSecrets);
  const flush = async (record: SQSRecord) => {
    const message = WritebackMessageSchema.parse(JSON.parse(record.body));
    // FIFO records are flushed one at a time, so the message's keys can go on every line meanwhile.
    deps.logger.appendKeys({
      messageId: record.messageId,
      tenantId: message.tenantId,
      target: message.target,
    });
    deps.metrics?.addMetric('FlushRequests', MetricUnit.Count, 1);
    const target = { target: message.target };
    const count = (name: MetricName, value: number) => {
      if (deps.metrics && value) countWith(deps.metrics, name, target, value);
    };
    try {
      const tenant = await getTenant(deps.store, message.tenantId);
      if (message.target === 'salesforce') {
        const [{ flushSalesforceOutbox }, { conn, stats }] = await Promise.all([
          import('../integrations/salesforce/write-back.ts'),
          salesforceConnections.connect(tenant),
        ]);
        const refreshesBefore = stats.refreshes;
        const report = await flushSalesforceOutbox(deps.store, conn, tenant, {
          log: (msg, detail) => deps.logger.warn(msg, detail),
          ...deps.salesforceOptions,
        });
        count('CustomersWritten', report.records);
        count('WriteFailures', report.failed);
        deps.logger.info('write-back flushed', {
          ...message,
          ...report,
          tokenRefreshes: stats.refreshes - refreshesBefore,
        });
        return;
      }
      const [{ shopAdmin }, { flushShopifyOutbox }, shopify] = await Promise.all([
        import('../integrations/shopify/access-token.ts'),
        import('../integrations/shopify/write-back.ts'),
        resolveOnDemand(deps.shopify),
      ]);
      const client = await shopAdmin(shopify, deps.store, tenant, deps.clientOptions);
      const report = await flushShopifyOutbox(deps.store, client, tenant, {
        ...deps.writebackOptions,
        log: (msg, detail) => deps.logger.warn(msg, detail),
      });
      count('CustomersWritten', report.customers);
      count('FieldsWritten', report.metafieldValues);
      count('WriteFailures', report.failed);
      deps.logger.info('write-back flushed', {
        ...message,
        ...report,
        throttled: client.stats.throttled,
        waitedSeconds: client.stats.waitedSeconds,
      });
    } catch (error) {
      // The retry logs in afresh: a rotated secret or a revoked token must not stick to a warm function.
      if (message.target === 'salesforce') salesforceConnections.forget(message.tenantId);
      count('FlushFailures', 1);
      // Rethrown either way: the flush is retried, and one that cannot succeed is dead-lettered with its reason.
      deps.logger.error('write-back failed', {
        ...message,
        attempt: Number(record.attributes.ApproximateReceiveCount),
        permanent: isPermanent(error),
        reason: `${(error as Error).name}: ${(error as Error).message}`,
      });
      throw error;
    } finally {
      deps.logger.removeKeys(['messageId', 'tenantId', 'target']);
    }
  };
  return (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, flush, processor, { context, throwOnFullBatchFailure: false });
}

const logger = new Logger({ serviceName: 'clv-sync' });
const metrics = createMetrics();

export const handler = middy(
  lazy(() =>
    createWritebackHandler({
      store: storeFromEnv(),
      shopify: shopifyAppFromEnv(),
      salesforceSecrets: secretsFromEnv(),
      logger,
      metrics,
    }),
  ),
)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
