/** Sends a JSON message to an SQS queue: how handlers enqueue work in AWS. */
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';

export class QueueNotConfiguredError extends Error {
  override name = 'QueueNotConfiguredError';
}

export function sqsSender(queueUrl: string | undefined, client = new SQSClient({})) {
  return async (message: unknown): Promise<void> => {
    // Checked at send time, so a handler that never sends needs no queue configured.
    if (!queueUrl) throw new QueueNotConfiguredError('no queue URL configured: set CLV_WRITEBACK_QUEUE_URL');
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message) }));
  };
}
