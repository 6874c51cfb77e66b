/**
 * The history import consumer: one message per tenant and source, sent at
 * install (Shopify) or setup (Salesforce). Runs the bulk export, records the orders, scores and refits, then
 * asks for the write-back. A run cut off by the Lambda timeout fails the
 * message; SQS delivers it again and the backfill resumes from its stored
 * operation and checkpoint.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Shopify } from '@shopify/shopify-api';
import type { AdminClientOptions } from '../integrations/shopify/admin-client.ts';
import type { BackfillOptions } from '../integrations/shopify/backfill.ts';
import type { SecretSource } from '../integrations/salesforce/secrets.ts';
import { secretsFromEnv } from '../integrations/salesforce/secrets.ts';
import type { EnqueueWriteback } from '../shared/pipeline/messages.ts';
import { BackfillMessageSchema, requestWritebacks } from '../shared/pipeline/messages.ts';
import { hasPendingWrites } from '../shared/store/outbox.ts';
import type { Store } from '../shared/store/store.ts';
import { storeFromEnv } from '../shared/store/store.ts';
import type { TenantSettings } from '../shared/store/tenants.ts';
import { getTenant } from '../shared/store/tenants.ts';
import { deployed } from './runtime/deployed.ts';
import type { OnDemand } from './runtime/lazy.ts';
import { createLogger } from './runtime/observability.ts';
import { shopifyAdmin } from './runtime/shopify-admin.ts';
import { recordFailed, sqsConsumer } from './runtime/sqs-batch.ts';
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

type Log = (msg: string, detail?: Record<string, unknown>) => void;

// Each source's integration is imported when its message comes: jsforce and shopify-api are large, and a
// function initialised for one source should not load the other. Each resolves to the outbox entries written.
async function salesforceHistory(deps: BackfillHandlerDeps, tenant: TenantSettings, log: Log) {
  const [{ salesforceConnection }, { backfillSalesforceOrders }] = await Promise.all([
    import('../integrations/salesforce/connection.ts'),
    import('../integrations/salesforce/backfill.ts'),
  ]);
  const { conn } = await salesforceConnection(tenant, deps.salesforceSecrets);
  const options = { includeOpportunities: true, log };
  const report = await backfillSalesforceOrders(deps.store, conn, tenant, options);
  const { progress, customers, queryPages, refit } = report;
  log('backfill done', { source: 'salesforce', ...progress, customers, queryPages, model: refit.model });
  return refit.outboxEntries;
}

async function shopifyHistory(deps: BackfillHandlerDeps, tenant: TenantSettings, log: Log) {
  const [{ backfillShopifyOrders }, client] = await Promise.all([
    import('../integrations/shopify/backfill.ts'),
    shopifyAdmin(deps.shopify, deps.store, tenant, deps.clientOptions),
  ]);
  const report = await backfillShopifyOrders(deps.store, client, tenant, { ...deps.backfillOptions, log });
  if (!report) {
    log('backfill already done');
    return 0; // A redelivery of a backfill that finished but whose flush request was never sent.
  }
  log('backfill done', {
    ...report.progress,
    customers: report.customers,
    model: report.refit.model,
    outboxEntries: report.refit.outboxEntries,
    calls: Object.fromEntries(client.stats.byOperation),
  });
  return report.refit.outboxEntries;
}

export function createBackfillHandler(deps: BackfillHandlerDeps) {
  const { store, logger } = deps;
  return sqsConsumer(
    async (record) => {
      const message = BackfillMessageSchema.parse(JSON.parse(record.body));
      // One message per invocation (batch size 1): its id and tenant on every log line, the library's too.
      logger.appendKeys({ messageId: record.messageId, tenantId: message.tenantId });
      const tenant = await getTenant(store, message.tenantId);
      const log: Log = (msg, detail) => logger.info(msg, { tenantId: tenant.tenantId, ...detail });
      try {
        const history = message.source === 'salesforce' ? salesforceHistory : shopifyHistory;
        const written = await history(deps, tenant, log);
        // Also when an earlier, failed attempt's entries still wait (its refit's writes landed, its flush not).
        if (written || (await hasPendingWrites(store, tenant.tenantId)))
          await requestWritebacks(tenant, deps.enqueueWriteback);
      } catch (error) {
        // A transient failure (a throttle, a cut-off) is redelivered and resumes at the last checkpoint; a
        // permanent one (a denied export) is dead-lettered with its reason.
        recordFailed(logger, 'backfill failed', record, error, { tenantId: tenant.tenantId });
      } finally {
        logger.removeKeys(['messageId', 'tenantId']);
      }
    },
    { logger, keys: ['messageId', 'tenantId'] },
  );
}

const logger = createLogger();

export const handler = deployed(
  () =>
    createBackfillHandler({
      store: storeFromEnv(),
      shopify: shopifyAppFromEnv(),
      logger,
      enqueueWriteback: writebackSender(),
      salesforceSecrets: secretsFromEnv(),
    }),
  { logger, resetKeys: true },
);
