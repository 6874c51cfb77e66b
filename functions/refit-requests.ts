/**
 * The refit queue's consumer: one tenant's refit and rescore a message, the
 * messages coming from settings saves on the dashboard and from the nightly
 * schedule's fan-out (functions/refit.ts). Requests are coalesced per tenant
 * (shared/store/refit-requests.ts): a message first claims its request, and
 * one superseded by a newer request (whose own message follows in the
 * tenant's FIFO group) or whose tenant is gone is acknowledged without a
 * refit. The queue delivers one message a batch (serverless.yml), since one
 * refit can take minutes. A failed refit is reported per message
 * (ReportBatchItemFailures): SQS retries it and, after maxReceiveCount, moves
 * it to the dead-letter queue; other tenants' messages are not held up.
 */
import type { RefitRequest } from '../shared/pipeline/messages.ts';
import { RefitRequestSchema } from '../shared/pipeline/messages.ts';
import { claimRefitRequest } from '../shared/store/refit-requests.ts';
import { storeFromEnv } from '../shared/store/store.ts';
import { deployed } from './runtime/deployed.ts';
import { count, observability, reasonOf } from './runtime/observability.ts';
import { sqsConsumer } from './runtime/sqs-batch.ts';
import type { RefitHandlerDeps } from './refit.ts';
import { createRefitHandler } from './refit.ts';
import { writebackSender } from '../shared/queue/sqs-sender.ts';

export function createRefitRequestHandler(deps: RefitHandlerDeps) {
  const refit = createRefitHandler(deps);
  return sqsConsumer(
    async (record) => {
      let request: RefitRequest;
      try {
        request = RefitRequestSchema.parse(JSON.parse(record.body));
      } catch (error) {
        deps.logger.error('refit request unreadable', {
          messageId: record.messageId,
          reason: reasonOf(error),
        });
        throw error;
      }
      const { tenantId, requestId } = request;
      // Claimed before the refit reads the tenant: a save from here on queues a refit of its own.
      const claim = await claimRefitRequest(deps.store, tenantId, requestId);
      if (claim !== 'run') {
        count(deps.metrics, 'RefitsSkipped');
        deps.logger.info('refit skipped', { tenantId, reason: claim });
        return;
      }
      await refit({ tenantId });
    },
    { logger: deps.logger, fifo: true },
  );
}

const { logger, metrics } = observability();

const fromEnv = () => ({ store: storeFromEnv(), logger, enqueueWriteback: writebackSender(), metrics });

export const handler = deployed(() => createRefitRequestHandler(fromEnv()), { logger, metrics });
