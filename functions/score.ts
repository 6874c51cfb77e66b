/**
 * The scoring consumer: SQS batches of {tenantId, customerId}, each rescored
 * from its stored orders. Failures are reported per message
 * (ReportBatchItemFailures, runtime/sqs-batch.ts) so one bad customer does not
 * retry the batch; SQS retries a failed message and, after maxReceiveCount,
 * moves it to the dead-letter queue. Each failure is logged with its reason
 * and attempt.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import type { EnqueueWriteback } from '../shared/pipeline/messages.ts';
import { ScoreMessageSchema } from '../shared/pipeline/messages.ts';
import { logCustomerId } from '../shared/log-ids.ts';
import { deployed } from './runtime/deployed.ts';
import type { Metrics } from './runtime/observability.ts';
import { count, observability } from './runtime/observability.ts';
import { recordFailed, sqsConsumer } from './runtime/sqs-batch.ts';
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
  /** CustomersScored and ScoringFailures (runtime/observability.ts). */
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

const linkedTargets = (tenant: TenantSettings): CrmTarget[] => [
  ...(tenant.shopifyShop ? (['shopify'] as const) : []),
  ...(tenant.salesforceOrgId ? (['salesforce'] as const) : []),
];

export function createScoreHandler(deps: ScoreHandlerDeps) {
  const { store, logger, now = Date.now, enqueueWriteback, metrics } = deps;
  return sqsConsumer<BatchCache>(
    async (record, cache) => {
      try {
        const message = ScoreMessageSchema.parse(JSON.parse(record.body));
        await once(cache.scored, `${message.tenantId}\u0000${message.customerId}`, async () => {
          const tenant = await once(cache.tenants, message.tenantId, () =>
            getTenant(store, message.tenantId),
          );
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
          count(metrics, 'CustomersScored');
          logger.debug('scored', {
            messageId: record.messageId,
            tenantId: tenant.tenantId,
            customer: logCustomerId(message.customerId),
            status: result.status,
            outbox: result.outbox.length,
          });
        });
      } catch (error) {
        count(metrics, 'ScoringFailures');
        recordFailed(logger, 'scoring failed', record, error, { messageId: record.messageId });
      }
    },
    {
      logger,
      batch: () => ({ tenants: new Map(), models: new Map(), scored: new Map(), flushes: new Map() }),
    },
  );
}

const { logger, metrics } = observability({
  logLevel: (process.env.LOG_LEVEL as LogLevel | undefined) ?? 'INFO',
});

export const handler = deployed(
  () => createScoreHandler({ store: storeFromEnv(), logger, enqueueWriteback: writebackSender(), metrics }),
  { logger, metrics },
);
