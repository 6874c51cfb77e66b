/**
 * The middy chain every SQS consumer's factory returns, so tests run what Lambda runs: Powertools'
 * processPartialResponse over the batch, one record at a time, with ReportBatchItemFailures. A record whose
 * handler throws is reported failed; SQS retries it alone and, after maxReceiveCount, moves it to the
 * dead-letter queue. The others are acknowledged, and the batch itself never throws. Callable as
 * `handler(event)` or `handler(event, context)`.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  BatchProcessor,
  EventType,
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
} from '@aws-lambda-powertools/batch';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { isPermanent } from '../../shared/errors.ts';
import type { Handler } from './chain.ts';
import { correlationKeys } from './correlation-keys.ts';
import { reasonOf } from './observability.ts';

export interface SqsConsumerOptions<B> {
  logger: Logger;
  /** FIFO: after a failed record, the rest of its group in the batch is returned unprocessed, keeping order. */
  fifo?: boolean;
  /** The keys records append to the log lines: none outlives the invocation. */
  keys?: readonly string[];
  /** State shared by the records of one batch (what each record reads once), built per batch. */
  batch?: () => B;
}

export function sqsConsumer<B = undefined>(
  recordHandler: (record: SQSRecord, batch: B) => Promise<void>,
  { logger, fifo, keys = [], batch = () => undefined as B }: SqsConsumerOptions<B>,
): Handler<SQSEvent, SQSBatchResponse> {
  const processor = fifo ? new SqsFifoPartialProcessorAsync() : new BatchProcessor(EventType.SQS);
  const handler = middy<SQSEvent, SQSBatchResponse>((event: SQSEvent, context: Context) => {
    const state = batch();
    return processPartialResponse(event, (record: SQSRecord) => recordHandler(record, state), processor, {
      context,
      throwOnFullBatchFailure: false,
    });
  }).use(correlationKeys<SQSEvent, SQSBatchResponse>(logger, keys));
  return (event, context = {} as Context) => handler(event, context);
}

/**
 * Logs a record's failure with the receive it failed on, whether a retry can help and why, and rethrows it.
 * Both kinds fail the record: a transient one is retried; a permanent one cannot succeed and ends in the
 * dead-letter queue, where it is seen, not dropped here.
 */
export function recordFailed(
  logger: Logger,
  message: string,
  record: SQSRecord,
  error: unknown,
  fields: Record<string, unknown>,
): never {
  logger.error(message, {
    ...fields,
    attempt: Number(record.attributes.ApproximateReceiveCount),
    permanent: isPermanent(error),
    reason: reasonOf(error),
  });
  throw error;
}
