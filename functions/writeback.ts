/**
 * The write-back consumer: flush requests {tenantId, target} from the FIFO
 * write-back queue (one group per tenant and CRM, so flushes of one tenant
 * never overlap), each writing that tenant's pending fields to the CRM.
 * A flush that fails (throttled past its retries, Shopify down) fails its
 * message: SQS retries it, then dead-letters it with the reason logged; the
 * outbox keeps every unwritten field meanwhile.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Shopify } from '@shopify/shopify-api';
import type { AdminClientOptions } from '../integrations/shopify/admin-client.ts';
import type { WritebackOptions } from '../integrations/shopify/write-back.ts';
import { connectionCache, connectOnFirstUse } from '../integrations/salesforce/connection-cache.ts';
import type { SecretSource } from '../integrations/salesforce/secrets.ts';
import { secretsFromEnv } from '../integrations/salesforce/secrets.ts';
import type { TransientRetryOptions } from '../integrations/salesforce/transient-retry.ts';
import { WritebackMessageSchema } from '../shared/pipeline/messages.ts';
import type { Store } from '../shared/store/store.ts';
import { storeFromEnv } from '../shared/store/store.ts';
import type { TenantSettings } from '../shared/store/tenants.ts';
import { getTenant } from '../shared/store/tenants.ts';
import { deployed } from './runtime/deployed.ts';
import type { OnDemand } from './runtime/lazy.ts';
import type { MetricName, Metrics } from './runtime/observability.ts';
import { count, countWith, observability } from './runtime/observability.ts';
import { shopifyAdmin } from './runtime/shopify-admin.ts';
import { recordFailed, sqsConsumer } from './runtime/sqs-batch.ts';
import { shopifyAppFromEnv } from './shopify-app-from-env.ts';

export interface WritebackHandlerDeps {
  store: Store;
  /** The app, or (production) how to build it: a Salesforce flush never loads shopify-api. */
  shopify: OnDemand<Shopify>;
  logger: Logger;
  salesforceSecrets: SecretSource;
  /** Customers and fields written, write failures, failed flushes, by target (runtime/observability.ts). */
  metrics?: Metrics;
  clientOptions?: AdminClientOptions;
  writebackOptions?: WritebackOptions;
  /** Salesforce collection calls: their size, and their retries (timeouts, backoff); tests shorten them. */
  salesforceOptions?: { recordsPerCall?: number; retry?: TransientRetryOptions };
}

type Count = (name: MetricName, value: number) => void;

// Each CRM's flush of one tenant's outbox counts what it wrote and resolves to what its log line adds. Its
// integration is imported when its first flush comes: jsforce and shopify-api are large.
function flushers(deps: WritebackHandlerDeps) {
  const { store, logger } = deps;
  const log = (msg: string, detail: Record<string, unknown>) => logger.warn(msg, detail);
  const connections = connectionCache(connectOnFirstUse, deps.salesforceSecrets);
  const salesforce = async (tenant: TenantSettings, count: Count) => {
    const [{ flushSalesforceOutbox }, { conn, stats }] = await Promise.all([
      import('../integrations/salesforce/write-back.ts'),
      connections.connect(tenant),
    ]);
    const refreshesBefore = stats.refreshes;
    const report = await flushSalesforceOutbox(store, conn, tenant, { log, ...deps.salesforceOptions });
    count('CustomersWritten', report.records);
    count('WriteFailures', report.failed);
    return { ...report, tokenRefreshes: stats.refreshes - refreshesBefore };
  };
  const shopify = async (tenant: TenantSettings, count: Count) => {
    const [{ flushShopifyOutbox }, client] = await Promise.all([
      import('../integrations/shopify/write-back.ts'),
      shopifyAdmin(deps.shopify, store, tenant, deps.clientOptions),
    ]);
    const report = await flushShopifyOutbox(store, client, tenant, { ...deps.writebackOptions, log });
    count('CustomersWritten', report.customers);
    count('FieldsWritten', report.metafieldValues);
    count('WriteFailures', report.failed);
    return { ...report, throttled: client.stats.throttled, waitedSeconds: client.stats.waitedSeconds };
  };
  return { connections, salesforce, shopify };
}

export function createWritebackHandler(deps: WritebackHandlerDeps) {
  const { logger, metrics } = deps;
  const flush = flushers(deps);
  return sqsConsumer(
    async (record) => {
      const message = WritebackMessageSchema.parse(JSON.parse(record.body));
      // FIFO records are flushed one at a time, so the message's keys can go on every line meanwhile.
      logger.appendKeys({ messageId: record.messageId, tenantId: message.tenantId, target: message.target });
      count(metrics, 'FlushRequests');
      const byTarget: Count = (name, value) => {
        if (metrics && value) countWith(metrics, name, { target: message.target }, value);
      };
      try {
        const flushed = await flush[message.target](await getTenant(deps.store, message.tenantId), byTarget);
        logger.info('write-back flushed', { ...message, ...flushed });
      } catch (error) {
        // The retry logs in afresh: a rotated secret or a revoked token must not stick to a warm function.
        if (message.target === 'salesforce') flush.connections.forget(message.tenantId);
        byTarget('FlushFailures', 1);
        recordFailed(logger, 'write-back failed', record, error, message);
      } finally {
        logger.removeKeys(['messageId', 'tenantId', 'target']);
      }
    },
    // FIFO: after a failed flush, the rest of its group in the batch is returned unprocessed, keeping order.
    { logger, fifo: true, keys: ['messageId', 'tenantId', 'target'] },
  );
}

const { logger, metrics } = observability();

export const handler = deployed(
  () =>
    createWritebackHandler({
      store: storeFromEnv(),
      shopify: shopifyAppFromEnv(),
      salesforceSecrets: secretsFromEnv(),
      logger,
      metrics,
    }),
  { logger, metrics, resetKeys: true },
);
