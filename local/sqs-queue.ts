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
  /** The message group on a FIFO queue. */
  groupId?: string;
}

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export class LocalQueue {
  readonly pending: QueuedMessage[] = [];
  readonly deadLetters: QueuedMessage[] = [];
  delivered = 0;
  private readonly batchSize: number;
  private readonly maxReceiveCount: number;
  readonly name: string;
  /** Batches in flight at once, as Lambda runs several consumers of one queue. */
  private readonly concurrency: number;

  constructor(options: { name: string; batchSize?: number; maxReceiveCount?: number; concurrency?: number }) {
    this.name = options.name;
    this.concurrency = options.concurrency ?? 1;
    this.batchSize = options.batchSize ?? 10;
    this.maxReceiveCount = options.maxReceiveCount ?? 5;
  }

  async send(body: unknown, groupId?: string): Promise<void> {
    this.sendRaw(JSON.stringify(body), groupId);
  }

  /** Enqueues a body as it came off the wire. */
  sendRaw(body: string, groupId?: string): void {
    this.pending.push({ messageId: randomUUID(), body, receiveCount: 0, ...(groupId ? { groupId } : {}) });
  }

  /** Delivers batches to the handler until the queue is empty (failed messages are retried or dead-lettered). */
  async drain(handler: SqsHandler): Promise<void> {
    const consumer = async (): Promise<void> => {
      while (this.pending.length) await this.deliver(handler, this.pending.splice(0, this.batchSize));
    };
    // A failed message returns to `pending` after other consumers may have stopped: repeat until empty.
    while (this.pending.length) await Promise.all(Array.from({ length: this.concurrency }, consumer));
  }

  /**
   * One pass over what is pending now, in batches (several at once with `concurrency`). Resolves to the
   * number of messages that failed and are pending again; messages sent meanwhile wait for the next pass.
   */
  async drainOnce(handler: SqsHandler): Promise<number> {
    const round = this.pending.splice(0);
    let retried = 0;
    const consumer = async (): Promise<void> => {
      while (round.length) retried += await this.deliver(handler, round.splice(0, this.batchSize));
    };
    await Promise.all(Array.from({ length: this.concurrency }, consumer));
    return retried;
  }

  /** Delivers one batch; resolves to the number of its messages put back for another receive. */
  private async deliver(handler: SqsHandler, batch: QueuedMessage[]): Promise<number> {
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
          // What a FIFO queue adds, and what SqsFifoPartialProcessor reads to keep a failed group in order.
          ...(m.groupId ? { MessageGroupId: m.groupId, MessageDeduplicationId: m.messageId } : {}),
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
    let retried = 0;
    for (const m of batch) {
      if (!failed.has(m.messageId)) continue;
      if (m.receiveCount >= this.maxReceiveCount) this.deadLetters.push(m);
      else {
        this.pending.push(m);
        retried++;
      }
    }
    return retried;
  }
}
