/**
 * The scoring consumer: SQS batches of {tenantId, customerId}, each rescored
 * from its stored orders. Failures are reported per message
 * (ReportBatchItemFailures) so one bad customer does not retry the batch;
 * SQS retries a failed message and, after maxReceiveCount, moves it to the
 * dead-letter queue. Each failure is logged with its reason and attempt.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { isPermanent } from '../shared/errors.ts';
import type { EnqueueWriteback } from '../shared/pipeline/messages.ts';
import { ScoreMessageSchema } from '../shared/pipeline/messages.ts';
import { logCustomerId } from '../shared/log-ids.ts';
import { lazy } from './runtime/lazy.ts';
import type { Metrics } from './runtime/observability.ts';
import { createMetrics, MetricUnit } from './runtime/observability.ts';
import { writebackSender } from '../shared/queue/sqs-sender.ts';
import { scoreCustomer } from '../shared/pipeline/score-customer.ts';
import type { StoredModel } from '../shared/store/models.ts';
import { getModel } from '../shared/store/models.ts';
import { pendingTargetsOf } from '../shared/store/outbox.ts';
import type { CrmTarget } from '../shared/store/scores.ts';
import type { Store } from '../shared/store/store.ts';
import { storeFromEnv } from '../shared/store/store.ts';
import type { TenantSettings } from '../shared/store/tenants.ts';
import { getTenant } from '../shared/store/tenants.ts';

export interface ScoreHandlerDeps {
  store: Store;
  logger: Logger;
  /** The scoring clock; tests fix it so replays are comparable. */
  now?: () => number;
  /** Where flush requests for changed CRM fields go: the write-back queue. */
  enqueueWriteback: EnqueueWriteback;
  /** CustomersScored and ScoringFailures (functions/metrics.ts). */
  metrics?: Metrics;
}

/** Per batch: each tenant and model read once, each customer scored once however often it was queued. */
interface BatchCache {
  tenants: Map<string, Promise<TenantSettings>>;
  models: Map<string, Promise<StoredModel | null>>;
  scored: Map<string, Promise<void>>;
  /** One write-back flush request per tenant and CRM per batch. */
  flushes: Map<string, Promise<void>>;
}

function once<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let p = cache.get(key);
  if (!p) cache.set(key, (p = load()));
  return p;
}

function linkedTargets(tenant: TenantSettings): CrmTarget[] {
  return [
    ...(tenant.shopifyShop ? (['shopify'] as const) : []),
    ...(tenant.salesforceOrgId ? (['salesforce'] as const) : []),
  ];
}

export function createScoreHandler({
  store,
  logger,
  now = Date.now,
  enqueueWriteback,
  metrics,
}: ScoreHandlerDeps) {
  const processor = new BatchProcessor(EventType.SQS);
  const scoreRecord = async (record: SQSRecord, cache: BatchCache) => {
    try {
      const message = ScoreMessageSchema.parse(JSON.parse(record.body));
      await once(cache.scored, `${message.tenantId}\u0000${message.customerId}`, async () => {
        const tenant = await once(cache.tenants, message.tenantId, () => getTenant(store, message.tenantId));
        const model = await once(cache.models, message.tenantId, () => getModel(store, message.tenantId));
        const result = await scoreCustomer(store, tenant, message.customerId, model, now());
        const changed = new Set(result.outbox.map((e) => e.target));
        // Nothing new to write, but an earlier attempt's entries may still wait for a flush it never asked for.
        const targets = changed.size
          ? changed
          : await pendingTargetsOf(store, tenant.tenantId, message.customerId, linkedTargets(tenant));
        for (const target of targets) {
          const key = `${tenant.tenantId}\u0000${target}`;
          await once(cache.flushes, key, () => enqueueWriteback({ tenantId: tenant.tenantId, target }));
        }
        metrics?.addMetric('CustomersScored', MetricUnit.Count, 1);
        logger.debug('scored', {
          messageId: record.messageId,
          tenantId: tenant.tenantId,
          customer: logCustomerId(message.customerId),
          status: result.status,
          outbox: result.outbox.length,
        });
      });
    } catch (error) {
      metrics?.addMetric('ScoringFailures', MetricUnit.Count, 1);
      // Both kinds fail the message: a transient one is retried; a permanent one (a malformed message, a
      // deleted tenant) cannot succeed and ends in the dead-letter queue, where it is seen, not dropped here.
      logger.error('scoring failed', {
        messageId: record.messageId,
        attempt: Number(record.attributes.ApproximateReceiveCount),
        permanent: isPermanent(error),
        reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      throw error;
    }
  };
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const cache: BatchCache = {
      tenants: new Map(),
      models: new Map(),
      scored: new Map(),
      flushes: new Map(),
    };
    return processPartialResponse(event, (record: SQSRecord) => scoreRecord(record, cache), processor, {
      context,
      throwOnFullBatchFailure: false,
    });
  };
}

const logger = new Logger({
  serviceName: 'clv-sync',
  logLevel: (process.env.LOG_LEVEL as 'INFO' | undefined) ?? 'INFO',
});

const metrics = createMetrics();

export const handler = middy(
  lazy(() =>
    createScoreHandler({
      store: storeFromEnv(),
      logger,
      enqueueWriteback: writebackSender(),
      metrics,
    }),
  ),
)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
