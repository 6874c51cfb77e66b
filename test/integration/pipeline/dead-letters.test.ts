import { LogFormatter, LogItem, Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { describe, expect, it } from 'vitest';
import { createScoreHandler } from '../../../functions/score.ts';
import { LocalQueue } from '../../../local/sqs-queue.ts';
import { ingestOrder } from '../../../shared/pipeline/ingest.ts';
import { putTenant } from '../../../shared/store/tenants.ts';
import { scoresOf, tenantName, testStore } from '../../helpers/dynamo.ts';

const store = testStore();

describe('a scoring message that keeps failing', () => {
  // A Powertools log formatter (its extension point) that keeps each record: what the logs would say.
  const logged: Record<string, unknown>[] = [];
  class RecordingFormatter extends LogFormatter {
    formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
      const record = { level: attributes.logLevel, message: attributes.message, ...additional };
      logged.push(record);
      return new LogItem({ attributes: record });
    }
  }

  it('is retried, then dead-lettered with its reason logged, while the good messages beside it succeed', async () => {
    const tenantId = tenantName('dlq');
    const tenant = await putTenant(store, {
      tenantId,
      shopifyShop: `${tenantId}.myshopify.com`,
      currency: 'EUR',
    });
    const queue = new LocalQueue({ name: 'score', batchSize: 10, maxReceiveCount: 3 });
    await ingestOrder(
      store,
      tenant,
      {
        source: 'shopify',
        orderId: '1',
        version: '2026-01-02T10:00:00Z',
        placedAt: '2026-01-02T10:00:00Z',
        customer: { shopifyCustomerId: '42', email: 'a@b.co' },
        value: 30,
        refunded: 0,
        currency: 'EUR',
        margin: null,
        cancelled: false,
      },
      (m) => queue.send(m),
    );
    await queue.send({ tenantId: 'no-such-tenant', customerId: 'c1' });
    await queue.send({ tenantId }); // malformed: no customer
    const logger = new Logger({
      serviceName: 'clv-test',
      logLevel: 'ERROR',
      logFormatter: new RecordingFormatter(),
    });
    const writeback = new LocalQueue({ name: 'writeback' });
    await queue.drain(createScoreHandler({ store, logger, enqueueWriteback: (m) => writeback.send(m) }));

    expect(queue.deadLetters.map((m) => JSON.parse(m.body))).toEqual([
      { tenantId: 'no-such-tenant', customerId: 'c1' },
      { tenantId },
    ]);
    expect(queue.deadLetters.every((m) => m.receiveCount === 3)).toBe(true);
    expect(queue.delivered).toBe(1 + 3 + 3);
    const failures = logged.filter((l) => l.message === 'scoring failed') as {
      reason: string;
      attempt: number;
    }[];
    expect(failures).toHaveLength(6);
    expect(failures.filter((f) => f.reason.startsWith('TenantNotFoundError')).map((f) => f.attempt)).toEqual([
      1, 2, 3,
    ]);
    expect(failures.some((f) => f.reason.startsWith('ZodError'))).toBe(true);
    expect((await scoresOf(store, tenantId)).size).toBe(1);
    // The good message's new score is handed on to the write-back queue once, and the failures are not.
    expect(writeback.pending.map((m) => JSON.parse(m.body))).toEqual([{ tenantId, target: 'shopify' }]);
  });
});
