/**
 * The queue consumers of the embedded stack: the production SQS handlers (score, write-back, backfill,
 * refit) attached to their local queues, with the batch sizes and receive counts of serverless.yml's event
 * source mappings and redrive policies. They run in the stack's own process, one batch at a time per queue
 * (bounded: a burst of webhooks queues work here, it does not multiply it), beside the HTTP functions, and
 * in the background while those serve (local/http-activity.ts).
 */
import type { SqsHandler } from './sqs-queue.ts';
import type { Background } from './queue-consumer.ts';
import { QueueConsumer } from './queue-consumer.ts';

export type ConsumerName = 'score' | 'writeback' | 'backfill' | 'refit';

interface ConsumerSpec {
  module: string;
  queue: string;
  batchSize: number;
  fifo?: boolean;
  maxReceiveCount?: number;
}

const SPECS: Record<ConsumerName, ConsumerSpec> = {
  score: { module: '../functions/score.ts', queue: 'clv-score', batchSize: 25 },
  writeback: { module: '../functions/writeback.ts', queue: 'clv-writeback.fifo', batchSize: 10, fifo: true },
  backfill: { module: '../functions/backfill.ts', queue: 'clv-backfill', batchSize: 1 },
  // Refits, one tenant a message: asked for by a settings save or the nightly refit's fan-out.
  refit: {
    module: '../functions/refit-requests.ts',
    queue: 'clv-refit.fifo',
    batchSize: 1,
    fifo: true,
    maxReceiveCount: 3,
  },
};

/** The production SQS handlers, imported after the environment is set (they read it when first invoked). */
const handlerOf = (module: string) => async (): Promise<SqsHandler> =>
  ((await import(module)) as { handler: SqsHandler }).handler;

export function startConsumers(
  log: (line: string) => void,
  background?: Background,
): Record<ConsumerName, QueueConsumer> {
  const onDeadLetter = (queue: string, body: string) =>
    log(
      `dead-lettered on ${queue} after its retries (the handler's log above says why): ${body.slice(0, 300)}`,
    );
  const onError = (queue: string, error: unknown) =>
    log(`the ${queue} consumer could not start: ${String(error)}`);
  return Object.fromEntries(
    Object.entries(SPECS).map(([name, spec]) => [
      name,
      new QueueConsumer(handlerOf(spec.module), {
        name: spec.queue,
        batchSize: spec.batchSize,
        ...(spec.fifo ? { fifo: true } : {}),
        ...(spec.maxReceiveCount ? { maxReceiveCount: spec.maxReceiveCount } : {}),
        onDeadLetter,
        onError,
        ...(background ? { background } : {}),
      }),
    ]),
  ) as Record<ConsumerName, QueueConsumer>;
}
