/**
 * A loopback endpoint speaking the SQS JSON protocol (AwsJson1_0, `X-Amz-Target: AmazonSQS.*`), the wire
 * format of AWS SDK v3's SQSClient, in front of in-process LocalQueues. The functions served by
 * serverless-offline send with the real SDK (shared/queue/sqs-sender.ts, CLV_SQS_ENDPOINT); the messages land
 * here and the local consumers run the production SQS handlers on them.
 *
 * Written by hand because the SQS emulators (ElasticMQ, LocalStack) are a JVM download or a container, and
 * the local stack may not download anything. Only what our code sends is served: SendMessage and
 * SendMessageBatch, with SQS's checks on them; anything else answers AWS's UnsupportedOperation.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a queue behind the endpoint accepts. */
export interface QueueSink {
  readonly fifo: boolean;
  accept(message: { body: string; groupId?: string }): void;
}

export interface SqsEndpoint {
  /** e.g. http://127.0.0.1:9324 */
  origin: string;
  queueUrl(name: string): string;
  close(): Promise<void>;
}

// SQS's own limit (raised from 256 KiB to 1 MiB in 2025).
const MAX_MESSAGE_BYTES = 1024 * 1024;
const ACCOUNT = '000000000000';

/** An error SQS answers: its JSON `__type` and the legacy query code in `x-amzn-query-error`. */
class SqsError extends Error {
  readonly type: string;
  readonly queryCode: string;
  constructor(type: string, queryCode: string, message: string) {
    super(message);
    this.type = type;
    this.queryCode = queryCode;
  }
}

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

interface Entry {
  MessageBody?: unknown;
  MessageGroupId?: unknown;
  Id?: unknown;
}

function checkedMessage(queue: QueueSink, entry: Entry): { body: string; groupId?: string } {
  if (typeof entry.MessageBody !== 'string' || entry.MessageBody.length === 0)
    throw new SqsError(
      'MissingParameter',
      'MissingParameter',
      'The request must contain the parameter MessageBody.',
    );
  if (Buffer.byteLength(entry.MessageBody) > MAX_MESSAGE_BYTES)
    throw new SqsError(
      'InvalidParameterValue',
      'InvalidParameterValue',
      `One or more parameters are invalid. Reason: Message must be shorter than ${MAX_MESSAGE_BYTES} bytes.`,
    );
  if (queue.fifo && typeof entry.MessageGroupId !== 'string')
    throw new SqsError(
      'MissingParameter',
      'MissingParameter',
      'The request must contain the parameter MessageGroupId.',
    );
  return {
    body: entry.MessageBody,
    ...(typeof entry.MessageGroupId === 'string' ? { groupId: entry.MessageGroupId } : {}),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startSqsEndpoint(options: {
  queues: ReadonlyMap<string, QueueSink>;
  port?: number;
}): Promise<SqsEndpoint> {
  const queueNamed = (url: unknown): QueueSink => {
    const name = typeof url === 'string' ? url.split('/').pop() : undefined;
    const queue = name ? options.queues.get(name) : undefined;
    if (!queue)
      throw new SqsError(
        'com.amazonaws.sqs#QueueDoesNotExist',
        'AWS.SimpleQueueService.NonExistentQueue',
        'The specified queue does not exist.',
      );
    return queue;
  };

  const operations: Record<string, (input: Record<string, unknown>) => unknown> = {
    SendMessage(input) {
      const queue = queueNamed(input.QueueUrl);
      const message = checkedMessage(queue, input);
      queue.accept(message);
      return { MessageId: randomUUID(), MD5OfMessageBody: md5(message.body) };
    },
    SendMessageBatch(input) {
      const queue = queueNamed(input.QueueUrl);
      const entries = Array.isArray(input.Entries) ? (input.Entries as Entry[]) : [];
      if (entries.length === 0 || entries.length > 10)
        throw new SqsError(
          'com.amazonaws.sqs#TooManyEntriesInBatchRequest',
          'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
          'Maximum number of entries per request are 10.',
        );
      const successful: unknown[] = [];
      const failed: unknown[] = [];
      for (const entry of entries) {
        try {
          const message = checkedMessage(queue, entry);
          queue.accept(message);
          successful.push({ Id: entry.Id, MessageId: randomUUID(), MD5OfMessageBody: md5(message.body) });
        } catch (error) {
          const e = error as SqsError;
          failed.push({ Id: entry.Id, SenderFault: true, Code: e.queryCode, Message: e.message });
        }
      }
      return { Successful: successful, Failed: failed };
    },
  };

  const reply = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', ...headers });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    void (async () => {
      try {
        const target = String(req.headers['x-amz-target'] ?? '');
        const operation = target.startsWith('AmazonSQS.')
          ? operations[target.slice('AmazonSQS.'.length)]
          : undefined;
        if (req.method !== 'POST' || !operation)
          throw new SqsError(
            'UnsupportedOperation',
            'AWS.SimpleQueueService.UnsupportedOperation',
            `${target} is not supported by the local endpoint.`,
          );
        let input: Record<string, unknown>;
        try {
          input = JSON.parse(await readBody(req)) as Record<string, unknown>;
        } catch {
          throw new SqsError(
            'com.amazon.coral.service#SerializationException',
            'SerializationException',
            'Malformed JSON body.',
          );
        }
        reply(res, 200, operation(input));
      } catch (error) {
        if (!(error instanceof SqsError)) {
          reply(res, 500, { __type: 'InternalFailure', message: String(error) });
          return;
        }
        reply(
          res,
          400,
          { __type: error.type, message: error.message },
          { 'x-amzn-query-error': `${error.queryCode};Sender` },
        );
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    queueUrl: (name) => `${origin}/${ACCOUNT}/${name}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
