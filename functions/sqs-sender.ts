/** Sends a JSON message to an SQS queue: how handlers enqueue work in AWS. */
import type { WritebackMessage } from '../shared/pipeline/messages.ts';
import { randomUUID } from 'node:crypto';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';

export class QueueNotConfiguredError extends Error {
  override name = 'QueueNotConfiguredError';
}

/**
 * `groupBy` names the message group on a FIFO queue: messages of one group
 * are delivered one at a time, in order (the write-back queue serialises a
 * tenant's flushes that way).
 */
export function sqsSender<M>(
  queueUrl: string | undefined,
  setting: string,
  options: { groupBy?: (message: M) => string; client?: SQSClient } = {},
) {
  const client = options.client ?? new SQSClient({});
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
