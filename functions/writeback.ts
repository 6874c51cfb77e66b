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
import middy from '@middy/core';
import type { Shopify } from '@shopify/shopify-api';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { AdminClientOptions } from '../integrations/shopify/admin-client.ts';
import { shopAdmin } from '../integrations/shopify/access-token.ts';
import { createShopifyApp, shopifySettingsFromEnv } from '../integrations/shopify/shopify-app.ts';
import type { WritebackOptions } from '../integrations/shopify/write-back.ts';
import { flushShopifyOutbox } from '../integrations/shopify/write-back.ts';
import type { SecretSource } from '../integrations/salesforce/connection.ts';
import { salesforceConnection, secretsFromEnv } from '../integrations/salesforce/connection.ts';
import { flushSalesforceOutbox } from '../integrations/salesforce/write-back.ts';
import type { TransientRetryOptions } from '../integrations/salesforce/transient-retry.ts';
import { WritebackMessageSchema } from '../shared/pipeline/messages.ts';
import type { Store } from '../shared/store/store.ts';
import { storeFromEnv } from '../shared/store/store.ts';
import { getTenant } from '../shared/store/tenants.ts';
import { lazy } from './lazy.ts';

export interface WritebackHandlerDeps {
  store: Store;
  shopify: Shopify;
  logger: Logger;
  salesforceSecrets: SecretSource;
  clientOptions?: AdminClientOptions;
  writebackOptions?: WritebackOptions;
  /** Salesforce collection calls: their size, and their retries (timeouts, backoff); tests shorten them. */
  salesforceOptions?: { recordsPerCall?: number; retry?: TransientRetryOptions };
}

export function createWritebackHandler(deps: WritebackHandlerDeps) {
  // FIFO: after a failed flush, the rest of its group in the batch is returned unprocessed, keeping order.
  const processor = new SqsFifoPartialProcessorAsync();
  const flush = async (record: SQSRecord) => {
    const message = WritebackMessageSchema.parse(JSON.parse(record.body));
    try {
      const tenant = await getTenant(deps.store, message.tenantId);
      if (message.target === 'salesforce') {
        const { conn, stats } = await salesforceConnection(tenant, deps.salesforceSecrets);
        const report = await flushSalesforceOutbox(deps.store, conn, tenant, {
          log: (msg, detail) => deps.logger.warn(msg, detail),
          ...deps.salesforceOptions,
        });
        deps.logger.info('write-back flushed', { ...message, ...report, tokenRefreshes: stats.refreshes });
        return;
      }
      const client = await shopAdmin(deps.shopify, deps.store, tenant, deps.clientOptions);
      const report = await flushShopifyOutbox(deps.store, client, tenant, {
        ...deps.writebackOptions,
        log: (msg, detail) => deps.logger.warn(msg, detail),
      });
      deps.logger.info('write-back flushed', {
        ...message,
        ...report,
        throttled: client.stats.throttled,
        waitedSeconds: client.stats.waitedSeconds,
      });
    } catch (error) {
      deps.logger.error('write-back failed', {
        ...message,
        attempt: Number(record.attributes.ApproximateReceiveCount),
        reason: `${(error as Error).name}: ${(error as Error).message}`,
      });
      throw error;
    }
  };
  return (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, flush, processor, { context, throwOnFullBatchFailure: false });
}

const logger = new Logger({ serviceName: 'clv-sync' });

export const handler = middy(
  lazy(() =>
    createWritebackHandler({
      store: storeFromEnv(),
      shopify: createShopifyApp(shopifySettingsFromEnv()),
      salesforceSecrets: secretsFromEnv(),
      logger,
    }),
  ),
).use(injectLambdaContext(logger));
