/**
 * An in-process queue with SQS's delivery semantics, so the embedded stack
 * and the tests run the production handlers on the same messages: batches of
 * up to `batchSize`, at-least-once delivery, a receive count per message,
 * ReportBatchItemFailures honoured (only failed messages come back), and
 * after `maxReceiveCount` receives a failing message moves to the dead-letter
 * queue, as the RedrivePolicy in serverless.yml does in AWS.
 */
import { randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';

export interface QueuedMessage {
  messageId: string;
  body: string;
  receiveCount: number;
}

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export class LocalQueue {
  readonly pending: QueuedMessage[] = [];
  readonly deadLetters: QueuedMessage[] = [];
  delivered = 0;
  private readonly batchSize: number;
  private readonly maxReceiveCount: number;
  private readonly name: string;
  /** Batches in flight at once, as Lambda runs several consumers of one queue. */
  private readonly concurrency: number;

  constructor(options: { name: string; batchSize?: number; maxReceiveCount?: number; concurrency?: number }) {
    this.name = options.name;
    this.concurrency = options.concurrency ?? 1;
    this.batchSize = options.batchSize ?? 10;
    this.maxReceiveCount = options.maxReceiveCount ?? 5;
  }

  async send(body: unknown): Promise<void> {
    this.pending.push({ messageId: randomUUID(), body: JSON.stringify(body), receiveCount: 0 });
  }

  /** Delivers batches to the handler until the queue is empty (failed messages are retried or dead-lettered). */
  async drain(handler: SqsHandler): Promise<void> {
    const consumer = async (): Promise<void> => {
      while (this.pending.length) await this.deliver(handler, this.pending.splice(0, this.batchSize));
    };
    // A failed message returns to `pending` after other consumers may have stopped: repeat until empty.
    while (this.pending.length) await Promise.all(Array.from({ length: this.concurrency }, consumer));
  }

  private async deliver(handler: SqsHandler, batch: QueuedMessage[]): Promise<void> {
    for (const m of batch) m.receiveCount++;
    this.delivered += batch.length;
    const event: SQSEvent = {
      Records: batch.map((m) => ({
        messageId: m.messageId,
        receiptHandle: m.messageId,
        body: m.body,
        attributes: {
          ApproximateReceiveCount: String(m.receiveCount),
          SentTimestamp: String(Date.now()),
          SenderId: 'local',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:local:000000000000:${this.name}`,
        awsRegion: 'local',
      })),
    };
    let failed: Set<string>;
    try {
      const response = await handler(event, {
        functionName: this.name,
        awsRequestId: randomUUID(),
      } as Context);
      failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch {
      failed = new Set(batch.map((m) => m.messageId)); // a thrown handler fails the whole batch, as in Lambda
    }
    for (const m of batch) {
      if (!failed.has(m.messageId)) continue;
      if (m.receiveCount >= this.maxReceiveCount) this.deadLetters.push(m);
      else this.pending.push(m);
    }
  }
}
