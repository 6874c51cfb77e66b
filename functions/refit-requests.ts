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
import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { RefitRequest } from '../shared/pipeline/messages.ts';
import { RefitRequestSchema } from '../shared/pipeline/messages.ts';
import { claimRefitRequest } from '../shared/store/refit-requests.ts';
import { storeFromEnv } from '../shared/store/store.ts';
import { lazy } from './runtime/lazy.ts';
import { createMetrics, MetricUnit } from './runtime/observability.ts';
import type { RefitHandlerDeps } from './refit.ts';
import { createRefitHandler } from './refit.ts';
import { writebackSender } from '../shared/queue/sqs-sender.ts';

export function createRefitRequestHandler(deps: RefitHandlerDeps) {
  const refit = createRefitHandler(deps);
  const processor = new SqsFifoPartialProcessorAsync();
  return (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const refitRecord = async (record: SQSRecord) => {
      let request: RefitRequest;
      try {
        request = RefitRequestSchema.parse(JSON.parse(record.body));
      } catch (error) {
        deps.logger.error('refit request unreadable', {
          messageId: record.messageId,
          reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
        throw error;
      }
      const { tenantId, requestId } = request;
      // Claimed before the refit reads the tenant: a save from here on queues a refit of its own.
      const claim = await claimRefitRequest(deps.store, tenantId, requestId);
      if (claim !== 'run') {
        deps.metrics?.addMetric('RefitsSkipped', MetricUnit.Count, 1);
        deps.logger.info('refit skipped', { tenantId, reason: claim });
        return;
      }
      await refit({ tenantId });
    };
    return processPartialResponse(event, refitRecord, processor, { context, throwOnFullBatchFailure: false });
  };
}

const logger = new Logger({ serviceName: 'clv-sync' });

const metrics = createMetrics();

export const handler = middy(
  lazy(() =>
    createRefitRequestHandler({
      store: storeFromEnv(),
      logger,
      enqueueWriteback: writebackSender(),
      metrics,
    }),
  ),
)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
