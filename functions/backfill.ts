/**
 * The history import consumer: one message per tenant and source, sent at
 * install (Shopify) or setup (Salesforce). Runs the bulk export, records the orders, scores and refits, then
 * asks for the write-back. A run cut off by the Lambda timeout fails the
 * message; SQS delivers it again and the backfill resumes from its stored
 * operation and checkpoint.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Shopify } from '@shopify/shopify-api';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { AdminClientOptions } from '../integrations/shopify/admin-client.ts';
import type { BackfillOptions } from '../integrations/shopify/backfill.ts';
import type { SecretSource } from '../integrations/salesforce/secrets.ts';
import { secretsFromEnv } from '../integrations/salesforce/secrets.ts';
import { isPermanent } from '../shared/errors.ts';
import type { EnqueueWriteback } from '../shared/pipeline/messages.ts';
import { BackfillMessageSchema, requestWritebacks } from '../shared/pipeline/messages.ts';
import { hasPendingWrites } from '../shared/store/outbox.ts';
import type { Store } from '../shared/store/store.ts';
import { storeFromEnv } from '../shared/store/store.ts';
import type { TenantSettings } from '../shared/store/tenants.ts';
import { getTenant } from '../shared/store/tenants.ts';
import type { OnDemand } from './runtime/lazy.ts';
import { lazy, resolveOnDemand } from './runtime/lazy.ts';
import { shopifyAppFromEnv } from './shopify-app-from-env.ts';
import { writebackSender } from '../shared/queue/sqs-sender.ts';

export interface BackfillHandlerDeps {
  store: Store;
  /** The app, or (production) how to build it: a Salesforce backfill never loads shopify-api. */
  shopify: OnDemand<Shopify>;
  logger: Logger;
  enqueueWriteback: EnqueueWriteback;
  salesforceSecrets: SecretSource;
  /** For tests: fast polling and sleeps. */
  clientOptions?: AdminClientOptions;
  backfillOptions?: BackfillOptions;
}

export function createBackfillHandler(deps: BackfillHandlerDeps) {
  const processor = new BatchProcessor(EventType.SQS);
  const backfill = async (record: SQSRecord) => {
    const message = BackfillMessageSchema.parse(JSON.parse(record.body));
    // One message per invocation (batch size 1): its id and tenant on every log line, the library's too.
    deps.logger.appendKeys({ messageId: record.messageId, tenantId: message.tenantId });
    const tenant = await getTenant(deps.store, message.tenantId);
    try {
      // Each source's integration is imported when its message comes: jsforce and shopify-api are large,
      // and a function initialised for one source should not load the other.
      if (message.source === 'salesforce') {
        const [{ salesforceConnection }, { backfillSalesforceOrders }] = await Promise.all([
          import('../integrations/salesforce/connection.ts'),
          import('../integrations/salesforce/backfill.ts'),
        ]);
        const { conn } = await salesforceConnection(tenant, deps.salesforceSecrets);
        const report = await backfillSalesforceOrders(deps.store, conn, tenant, {
          includeOpportunities: true,
          log: (msg, detail) => deps.logger.info(msg, { tenantId: tenant.tenantId, ...detail }),
        });
        deps.logger.info('backfill done', {
          tenantId: tenant.tenantId,
          source: 'salesforce',
          ...report.progress,
          customers: report.customers,
          queryPages: report.queryPages,
          model: report.refit.model,
        });
        await flushIfPending(deps.store, tenant, report.refit.outboxEntries, deps.enqueueWriteback);
        return;
      }
      const [{ shopAdmin }, { backfillShopifyOrders }, shopify] = await Promise.all([
        import('../integrations/shopify/access-token.ts'),
        import('../integrations/shopify/backfill.ts'),
        resolveOnDemand(deps.shopify),
      ]);
      const client = await shopAdmin(shopify, deps.store, tenant, deps.clientOptions);
      const report = await backfillShopifyOrders(deps.store, client, tenant, {
        ...deps.backfillOptions,
        log: (msg, detail) => deps.logger.info(msg, { tenantId: tenant.tenantId, ...detail }),
      });
      if (!report) {
        deps.logger.info('backfill already done', { tenantId: tenant.tenantId });
        // A redelivery of a backfill that finished but whose flush request was never sent.
        await flushIfPending(deps.store, tenant, 0, deps.enqueueWriteback);
        return;
      }
      deps.logger.info('backfill done', {
        tenantId: tenant.tenantId,
        ...report.progress,
        customers: report.customers,
        model: report.refit.model,
        outboxEntries: report.refit.outboxEntries,
        calls: Object.fromEntries(client.stats.byOperation),
      });
      await flushIfPending(deps.store, tenant, report.refit.outboxEntries, deps.enqueueWriteback);
    } catch (error) {
      // Rethrown either way: a transient failure (a throttle, a cut-off) is redelivered and resumes at the
      // last checkpoint; a permanent one (a denied export) is dead-lettered with its reason.
      deps.logger.error('backfill failed', {
        tenantId: tenant.tenantId,
        attempt: Number(record.attributes.ApproximateReceiveCount),
        permanent: isPermanent(error),
        reason: `${(error as Error).name}: ${(error as Error).message}`,
      });
      throw error;
    } finally {
      deps.logger.removeKeys(['messageId', 'tenantId']);
    }
  };
  return (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, backfill, processor, { context, throwOnFullBatchFailure: false });
}

const logger = new Logger({ serviceName: 'clv-sync' });

export const handler = middy(
  lazy(() =>
    createBackfillHandler({
      store: storeFromEnv(),
      shopify: shopifyAppFromEnv(),
      logger,
      enqueueWriteback: writebackSender(),
      salesforceSecrets: secretsFromEnv(),
    }),
  ),
).use(injectLambdaContext(logger, { resetKeys: true }));

/**
 * Asks for the flush when this run wrote entries, or when entries an earlier, failed attempt of the same
 * backfill wrote are still waiting (its refit's writes landed, its flush request did not).
 */
async function flushIfPending(
  store: Store,
  tenant: TenantSettings,
  written: number,
  enqueue: EnqueueWriteback,
): Promise<void> {
  if (written || (await hasPendingWrites(store, tenant.tenantId))) await requestWritebacks(tenant, enqueue);
}
