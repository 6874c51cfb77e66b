/**
 * Refits asked for outside the nightly schedule (a merchant saved new
 * settings on the dashboard): the refit queue's consumer runs the very same
 * refit as the schedule (functions/refit.ts) for each tenant named. The queue
 * delivers one message a batch (serverless.yml), since one refit can take
 * minutes; should a batch hold several saves of one tenant, it is refitted once,
 * with the settings stored last. A save repeated later refits again, and that
 * refit rewrites only the scores whose visible fields changed.
 * A failed refit is reported per message (ReportBatchItemFailures): SQS
 * retries it and, after maxReceiveCount, moves it to the dead-letter queue.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { RefitRequestSchema } from '../shared/pipeline/messages.ts';
import { storeFromEnv } from '../shared/store/store.ts';
import { lazy } from './lazy.ts';
import type { RefitHandlerDeps } from './refit.ts';
import { createRefitHandler } from './refit.ts';
import { writebackSender } from './sqs-sender.ts';

export function createRefitRequestHandler(deps: RefitHandlerDeps) {
  const refit = createRefitHandler(deps);
  const processor = new BatchProcessor(EventType.SQS);
  return (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const refits = new Map<string, Promise<unknown>>();
    const refitRecord = async (record: SQSRecord) => {
      let tenantId: string;
      try {
        tenantId = RefitRequestSchema.parse(JSON.parse(record.body)).tenantId;
      } catch (error) {
        deps.logger.error('refit request unreadable', {
          messageId: record.messageId,
          reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
        throw error;
      }
      let pending = refits.get(tenantId);
      if (!pending) refits.set(tenantId, (pending = refit({ tenantId })));
      await pending;
    };
    return processPartialResponse(event, refitRecord, processor, { context, throwOnFullBatchFailure: false });
  };
}

const logger = new Logger({ serviceName: 'clv-sync' });

export const handler = middy(
  lazy(() =>
    createRefitRequestHandler({ store: storeFromEnv(), logger, enqueueWriteback: writebackSender() }),
  ),
).use(injectLambdaContext(logger));
