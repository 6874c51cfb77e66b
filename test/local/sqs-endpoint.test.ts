/**
 * The local SQS endpoint as AWS SDK v3's real SQSClient sees it (the client the functions send with under
 * serverless-offline), and the queue consumers behind it: redrive, dead letters, FIFO groups, idle().
 * No AWS: the endpoint is loopback, the queues are QueueConsumers delivering to handlers defined here.
 */
import {
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSServiceException,
  UnsupportedOperation,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sqsClientFromEnv, sqsSender } from '../../shared/queue/sqs-sender.ts';
import { QueueConsumer } from '../../local/queue-consumer.ts';
import { startSqsEndpoint, type SqsEndpoint } from '../../local/sqs-endpoint.ts';
import type { SqsHandler } from '../../local/sqs-queue.ts';

const RETRY_MS = 5;

/** A handler that records every record it is given and fails the ones `fails` says, by batchItemFailures. */
function recordingHandler(fails: (record: SQSRecord, receive: number) => boolean = () => false) {
  const records: SQSRecord[] = [];
  const handler: SqsHandler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    records.push(...event.Records);
    return {
      batchItemFailures: event.Records.filter((r) =>
        fails(r, Number(r.attributes.ApproximateReceiveCount)),
      ).map((r) => ({ itemIdentifier: r.messageId })),
    };
  };
  return { records, handler, load: async () => handler };
}

/** The SDK's error as it surfaces to a caller: its name, the legacy query code and the HTTP status. */
async function sdkError(send: Promise<unknown>): Promise<SQSServiceException> {
  const error = await send.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SQSServiceException);
  return error as SQSServiceException;
}

describe('local SQS endpoint (JSON protocol) with the real SQSClient', () => {
  const standard = recordingHandler();
  const fifo = recordingHandler();
  const standardQueue = new QueueConsumer(standard.load, {
    name: 'it-standard',
    batchSize: 10,
    retryDelayMs: RETRY_MS,
  });
  const fifoQueue = new QueueConsumer(fifo.load, {
    name: 'it-writeback.fifo',
    fifo: true,
    batchSize: 10,
    retryDelayMs: RETRY_MS,
  });
  let endpoint: SqsEndpoint;
  let client: SQSClient;

  beforeAll(async () => {
    endpoint = await startSqsEndpoint({
      queues: new Map([
        [standardQueue.queue.name, standardQueue],
        [fifoQueue.queue.name, fifoQueue],
      ]),
    });
    client = sqsClientFromEnv({ CLV_SQS_ENDPOINT: endpoint.origin });
  });

  afterAll(async () => {
    client?.destroy();
    await endpoint?.close();
  });

  afterEach(async () => {
    await Promise.all([standardQueue.idle(), fifoQueue.idle()]);
    standard.records.length = 0;
    fifo.records.length = 0;
  });

  it('SendMessage lands with its body; the SDK checks the MD5 the endpoint answers', async () => {
    const body = JSON.stringify({ tenantId: 'sqs-it', customerId: 'c-1', note: 'Chloé ☕' });
    const out = await client.send(
      new SendMessageCommand({ QueueUrl: endpoint.queueUrl('it-standard'), MessageBody: body }),
    );
    // The SDK's md5 middleware (on unless `md5: false`) compares MD5OfMessageBody with its own digest and
    // throws on a mismatch: the send resolving means the endpoint's digest is the body's.
    expect(typeof client.config.md5).toBe('function');
    expect(out.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.MD5OfMessageBody).toMatch(/^[0-9a-f]{32}$/);
    await standardQueue.idle();
    expect(standard.records.map((r) => r.body)).toEqual([body]);
    expect(standard.records[0]!.attributes.MessageGroupId).toBeUndefined();
  });

  it('sqsSender sends JSON through the same endpoint; on a FIFO queue each record carries its group', async () => {
    const send = sqsSender<{ tenantId: string; target: string }>(
      endpoint.queueUrl('it-writeback.fifo'),
      'CLV_WRITEBACK_QUEUE_URL',
      { groupBy: (m) => `${m.tenantId}#${m.target}`, client },
    );
    await send({ tenantId: 't-a', target: 'shopify' });
    await send({ tenantId: 't-b', target: 'salesforce' });
    await fifoQueue.idle();
    expect(fifo.records.map((r) => [JSON.parse(r.body), r.attributes.MessageGroupId])).toEqual([
      [{ tenantId: 't-a', target: 'shopify' }, 't-a#shopify'],
      [{ tenantId: 't-b', target: 'salesforce' }, 't-b#salesforce'],
    ]);
  });

  it('a FIFO queue refuses a message without MessageGroupId (MissingParameter), enqueuing nothing', async () => {
    const delivered = fifoQueue.queue.delivered;
    const error = await sdkError(
      client.send(
        new SendMessageCommand({ QueueUrl: endpoint.queueUrl('it-writeback.fifo'), MessageBody: '{}' }),
      ),
    );
    expect(error.name).toBe('MissingParameter');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toContain('MessageGroupId');
    await fifoQueue.idle();
    expect(fifo.records).toEqual([]);
    expect(fifoQueue.queue.delivered).toBe(delivered);
  });

  it('an unknown queue answers QueueDoesNotExist as the SDK surfaces it from real SQS', async () => {
    const error = await sdkError(
      client.send(new SendMessageCommand({ QueueUrl: endpoint.queueUrl('no-such-queue'), MessageBody: 'x' })),
    );
    expect(error).toBeInstanceOf(QueueDoesNotExist);
    expect(error.name).toBe('QueueDoesNotExist');
    // The awsQueryCompatible code from x-amzn-query-error, which callers written for the query protocol test.
    expect((error as QueueDoesNotExist & { Code?: string }).Code).toBe(
      'AWS.SimpleQueueService.NonExistentQueue',
    );
  });

  it('a body over 1 MiB is refused; one of exactly 1 MiB is accepted', async () => {
    const limit = 1024 * 1024;
    const error = await sdkError(
      client.send(
        new SendMessageCommand({
          QueueUrl: endpoint.queueUrl('it-standard'),
          MessageBody: 'x'.repeat(limit + 1),
        }),
      ),
    );
    expect(error.name).toBe('InvalidParameterValue');
    expect(error.message).toContain(String(limit));
    // Bytes, not characters: 2-byte characters count twice.
    const wide = await sdkError(
      client.send(
        new SendMessageCommand({
          QueueUrl: endpoint.queueUrl('it-standard'),
          MessageBody: 'é'.repeat(limit / 2 + 1),
        }),
      ),
    );
    expect(wide.name).toBe('InvalidParameterValue');
    await client.send(
      new SendMessageCommand({ QueueUrl: endpoint.queueUrl('it-standard'), MessageBody: 'y'.repeat(limit) }),
    );
    await standardQueue.idle();
    expect(standard.records.map((r) => r.body.length)).toEqual([limit]);
  });

  it('SendMessageBatch: good entries land, bad ones come back in Failed with their code', async () => {
    const out = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: endpoint.queueUrl('it-writeback.fifo'),
        Entries: [
          { Id: 'ok-1', MessageBody: '{"n":1}', MessageGroupId: 'g1', MessageDeduplicationId: 'd1' },
          { Id: 'no-group', MessageBody: '{"n":2}' },
          { Id: 'ok-2', MessageBody: '{"n":3}', MessageGroupId: 'g2', MessageDeduplicationId: 'd3' },
        ],
      }),
    );
    expect(out.Successful?.map((s) => s.Id)).toEqual(['ok-1', 'ok-2']);
    for (const s of out.Successful ?? []) expect(s.MD5OfMessageBody).toMatch(/^[0-9a-f]{32}$/);
    expect(out.Failed).toEqual([
      {
        Id: 'no-group',
        SenderFault: true,
        Code: 'MissingParameter',
        Message: expect.stringContaining('MessageGroupId'),
      },
    ]);
    await fifoQueue.idle();
    expect(fifo.records.map((r) => [r.body, r.attributes.MessageGroupId])).toEqual([
      ['{"n":1}', 'g1'],
      ['{"n":3}', 'g2'],
    ]);
  });

  it('SendMessageBatch of more than 10 entries is refused whole', async () => {
    const error = await sdkError(
      client.send(
        new SendMessageBatchCommand({
          QueueUrl: endpoint.queueUrl('it-standard'),
          Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: String(i) })),
        }),
      ),
    );
    expect(error.name).toBe('TooManyEntriesInBatchRequest');
    await standardQueue.idle();
    expect(standard.records).toEqual([]);
  });

  it('an operation the endpoint does not serve answers UnsupportedOperation', async () => {
    const error = await sdkError(
      client.send(new ReceiveMessageCommand({ QueueUrl: endpoint.queueUrl('it-standard') })),
    );
    expect(error).toBeInstanceOf(UnsupportedOperation);
    expect(error.message).toContain('ReceiveMessage');
  });
});

describe('QueueConsumer: delivery, redrive and dead letters', () => {
  it('a message failing twice, then succeeding, is delivered 3 times and not dead-lettered', async () => {
    const deadLetters: string[] = [];
    const { records, load } = recordingHandler((r, receive) => r.body === '"flaky"' && receive <= 2);
    const consumer = new QueueConsumer(load, {
      name: 'it-redrive',
      batchSize: 10,
      maxReceiveCount: 5,
      retryDelayMs: RETRY_MS,
      onDeadLetter: (_queue, body) => deadLetters.push(body),
    });
    consumer.accept({ body: '"flaky"' });
    consumer.accept({ body: '"fine"' });
    await consumer.idle();
    const flaky = records.filter((r) => r.body === '"flaky"');
    expect(flaky.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['1', '2', '3']);
    expect(new Set(flaky.map((r) => r.messageId)).size).toBe(1); // the same message each time
    expect(records.filter((r) => r.body === '"fine"')).toHaveLength(1);
    expect(deadLetters).toEqual([]);
    expect(consumer.queue.deadLetters).toEqual([]);
    expect(consumer.busy).toBe(false);
  });

  it('a message failing every time is dead-lettered after maxReceiveCount, reported once', async () => {
    const deadLetters: [string, string][] = [];
    const { records, load } = recordingHandler((r) => r.body === '"poison"');
    const consumer = new QueueConsumer(load, {
      name: 'it-poison',
      batchSize: 10,
      maxReceiveCount: 3,
      retryDelayMs: RETRY_MS,
      onDeadLetter: (queue, body) => deadLetters.push([queue, body]),
    });
    consumer.accept({ body: '"poison"' });
    await consumer.idle();
    expect(records.map((r) => r.body)).toEqual(['"poison"', '"poison"', '"poison"']);
    expect(deadLetters).toEqual([['it-poison', '"poison"']]);
    expect(consumer.queue.deadLetters.map((m) => m.receiveCount)).toEqual([3]);
    // Later traffic does not report the old dead letter again.
    consumer.accept({ body: '"later"' });
    await consumer.idle();
    expect(deadLetters).toHaveLength(1);
    expect(records.at(-1)!.body).toBe('"later"');
  });

  it('a handler that throws fails its whole batch, which is redelivered', async () => {
    let calls = 0;
    const seen: string[][] = [];
    const handler: SqsHandler = async (event) => {
      seen.push(event.Records.map((r) => r.body));
      if (++calls === 1) throw new Error('cold start failed');
    };
    const consumer = new QueueConsumer(async () => handler, {
      name: 'it-throws',
      batchSize: 10,
      retryDelayMs: RETRY_MS,
    });
    consumer.accept({ body: 'a' });
    consumer.accept({ body: 'b' });
    await consumer.idle();
    expect(seen.flat().sort()).toEqual(['a', 'a', 'b', 'b']);
    expect(consumer.queue.deadLetters).toEqual([]);
  });

  it('FIFO records carry attributes.MessageGroupId (and a deduplication id)', async () => {
    const { records, load } = recordingHandler();
    const consumer = new QueueConsumer(load, { name: 'it-groups.fifo', fifo: true, batchSize: 10 });
    consumer.accept({ body: '1', groupId: 'tenant-a#shopify' });
    consumer.accept({ body: '2', groupId: 'tenant-b#salesforce' });
    await consumer.idle();
    expect(records.map((r) => [r.body, r.attributes.MessageGroupId])).toEqual([
      ['1', 'tenant-a#shopify'],
      ['2', 'tenant-b#salesforce'],
    ]);
    for (const r of records) expect(r.attributes.MessageDeduplicationId).toBeTruthy();
  });

  it('idle() resolves only once the queue has drained, including messages accepted meanwhile', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handled: string[] = [];
    const handler: SqsHandler = async (event) => {
      await gate;
      handled.push(...event.Records.map((r) => r.body));
    };
    const consumer = new QueueConsumer(async () => handler, {
      name: 'it-idle',
      batchSize: 1,
      retryDelayMs: RETRY_MS,
    });
    consumer.accept({ body: 'first' });
    let idle = false;
    const waiting = consumer.idle().then(() => (idle = true));
    consumer.accept({ body: 'second' }); // while the first batch is in flight
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(idle).toBe(false);
    expect(consumer.busy).toBe(true);
    expect(handled).toEqual([]);
    release();
    await waiting;
    expect(handled).toEqual(['first', 'second']);
    expect(consumer.busy).toBe(false);
    expect(consumer.queue.pending).toEqual([]);
  });

  it('a handler that cannot be loaded reports onError and keeps its messages pending', async () => {
    const errors: string[] = [];
    const consumer = new QueueConsumer(
      async () => {
        throw new Error('module not found');
      },
      { name: 'it-unloadable', batchSize: 10, onError: (queue, e) => errors.push(`${queue}: ${String(e)}`) },
    );
    consumer.accept({ body: 'kept' });
    await consumer.idle();
    expect(errors).toEqual(['it-unloadable: Error: module not found']);
    expect(consumer.queue.pending.map((m) => m.body)).toEqual(['kept']);
  });
});
