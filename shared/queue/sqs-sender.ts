/** Sends a JSON message to an SQS queue: how handlers enqueue work in AWS. */
import { InternalError } from '../errors.ts';
import type { RefitRequest, WritebackMessage } from '../pipeline/messages.ts';
import { randomUUID } from 'node:crypto';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';

export class QueueNotConfiguredError extends InternalError {
  override name = 'QueueNotConfiguredError';
}

/**
 * `groupBy` names the message group on a FIFO queue: messages of one group
 * are delivered one at a time, in order (the write-back queue serialises a
 * tenant's flushes that way).
 */
/**
 * The SQS client: AWS's default configuration, or, when CLV_SQS_ENDPOINT is set (the local stack), that
 * endpoint with dummy credentials. Naming the endpoint keeps the SDK from warning on every send that the
 * queue URL's host differs from the region's endpoint.
 */
export function sqsClientFromEnv(env: NodeJS.ProcessEnv = process.env): SQSClient {
  const endpoint = env.CLV_SQS_ENDPOINT || undefined;
  if (!endpoint) return new SQSClient({});
  return new SQSClient({
    endpoint,
    region: env.AWS_REGION || 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

export function sqsSender<M>(
  queueUrl: string | undefined,
  setting: string,
  options: { groupBy?: (message: M) => string; client?: SQSClient } = {},
) {
  const client = options.client ?? sqsClientFromEnv();
  return async (message: M): Promise<void> => {
    // Checked at send time, so a handler that never sends needs no queue configured.
    if (!queueUrl) throw new QueueNotConfiguredError(`no queue URL configured: set ${setting}`);
    const group = options.groupBy?.(message);
    await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(message),
        ...(group ? { MessageGroupId: group, MessageDeduplicationId: randomUUID() } : {}),
      }),
    );
  };
}

/** The write-back queue: FIFO, one group per tenant and CRM, so one tenant's flushes never overlap. */
export const writebackSender = () =>
  sqsSender<WritebackMessage>(process.env.CLV_WRITEBACK_QUEUE_URL, 'CLV_WRITEBACK_QUEUE_URL', {
    groupBy: (m) => `${m.tenantId}#${m.target}`,
  });

/**
 * The refit queue: FIFO, one group per tenant, so a tenant's refits run one after another and a refit
 * queued by a save during a running one starts only after it, with the new settings.
 */
export const refitSender = () =>
  sqsSender<RefitRequest>(process.env.CLV_REFIT_QUEUE_URL, 'CLV_REFIT_QUEUE_URL', {
    groupBy: (m) => m.tenantId,
  });
