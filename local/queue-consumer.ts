/**
 * A LocalQueue with its Lambda consumer attached, as the SQS event source mapping does in AWS: messages
 * accepted from the local SQS endpoint are delivered in batches to the production handler as soon as they
 * arrive; failed ones come back after a short pause (the local stand-in for the visibility timeout) and are
 * dead-lettered after the queue's maxReceiveCount, with a log line naming the queue and the body.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { QueueSink } from './sqs-endpoint.ts';
import type { SqsHandler } from './sqs-queue.ts';
import { LocalQueue } from './sqs-queue.ts';

export interface ConsumerOptions {
  name: string;
  fifo?: boolean;
  batchSize: number;
  maxReceiveCount?: number;
  concurrency?: number;
  retryDelayMs?: number;
  onDeadLetter?: (queue: string, body: string) => void;
  /** The handler could not be loaded: its messages stay pending. */
  onError?: (queue: string, error: unknown) => void;
  /** Work that comes first (local/http-activity.ts): while it is busy, batches keep to `share` of the time. */
  background?: Background;
}

export interface Background {
  busy(): boolean;
  /** The share of the time batches may take while the foreground is busy, in (0, 1]. */
  share: number;
}

export class QueueConsumer implements QueueSink {
  readonly queue: LocalQueue;
  readonly fifo: boolean;
  private running: Promise<void> | null = null;
  private deadLettersSeen = 0;
  private lastBatch = { endedAt: 0, ms: 0 };
  /** Time spent paused for the foreground (keepToBackground), for the load bench. */
  yieldedMs = 0;

  private readonly handler: () => Promise<SqsHandler>;
  private readonly options: ConsumerOptions;

  constructor(handler: () => Promise<SqsHandler>, options: ConsumerOptions) {
    this.handler = handler;
    this.options = options;
    this.fifo = options.fifo ?? false;
    this.queue = new LocalQueue({
      name: options.name,
      batchSize: options.batchSize,
      maxReceiveCount: options.maxReceiveCount ?? 5,
      concurrency: options.concurrency ?? 1,
    });
  }

  accept(message: { body: string; groupId?: string }): void {
    this.queue.sendRaw(message.body, message.groupId);
    this.start();
  }

  /** Messages pending or a batch in flight. */
  get busy(): boolean {
    return this.running !== null || this.queue.pending.length > 0;
  }

  /** Resolves once the queue is empty and no batch is in flight. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private start(): void {
    if (this.running) return;
    this.running = this.pump().then(
      () => {
        this.running = null;
        // Accepted after the pump's last look at the queue, before this callback: go again.
        if (this.queue.pending.length) this.start();
      },
      (error: unknown) => {
        // The next accepted message tries again; looping now would only repeat the failure.
        this.running = null;
        this.options.onError?.(this.options.name, error);
      },
    );
  }

  private async pump(): Promise<void> {
    const production = await this.handler();
    // Each batch waits its turn behind what is already due on this process's event loop: the SQS endpoint's
    // SendMessage answers (which the webhook acknowledgements wait for) and the sandboxes go first.
    const handler: SqsHandler = async (event, context) => {
      await this.keepToBackground();
      await new Promise((resolve) => setImmediate(resolve));
      const started = Date.now();
      try {
        return await production(event, context);
      } finally {
        this.lastBatch = { endedAt: Date.now(), ms: Date.now() - started };
      }
    };
    while (this.queue.pending.length) {
      const retried = await this.queue.drainOnce(handler);
      this.reportDeadLetters();
      if (retried) await sleep(this.options.retryDelayMs ?? 1000);
    }
  }

  /**
   * While the foreground is busy, a batch that took d ms is followed by a pause of d·(1 − share)/share, so
   * batches take at most `share` of the time; once it is quiet the backlog drains at full speed. Nothing
   * waits unbounded: the pause is a multiple of the last batch's own time.
   */
  private async keepToBackground(): Promise<void> {
    const background = this.options.background;
    if (!background) return;
    const until = this.lastBatch.endedAt + (this.lastBatch.ms * (1 - background.share)) / background.share;
    const started = Date.now();
    while (background.busy() && Date.now() < until) await sleep(Math.min(50, until - Date.now()));
    this.yieldedMs += Date.now() - started;
  }

  private reportDeadLetters(): void {
    for (const m of this.queue.deadLetters.slice(this.deadLettersSeen))
      this.options.onDeadLetter?.(this.options.name, m.body);
    this.deadLettersSeen = this.queue.deadLetters.length;
  }
}
