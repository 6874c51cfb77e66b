/**
 * Crash consistency (issue 8, item 4): scoring and write-back batches killed
 * midway — the store they write through stops dead after a random number of
 * DynamoDB calls, as a Lambda killed by its timeout or an out-of-memory
 * stops, leaving whatever it wrote so far — and re-run by the queue's
 * redelivery, end in the same state as an uninterrupted run.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScoreHandler } from '../../functions/score.ts';
import { CLV_FIELDS, salesforceFields } from '../../integrations/salesforce/fields.ts';
import type { SqsHandler } from '../../local/sqs-queue.ts';
import { LocalQueue } from '../../local/sqs-queue.ts';
import { ingestOrder } from '../../shared/pipeline/ingest.ts';
import { outboxEntries } from '../../shared/store/scores.ts';
import type { Store } from '../../shared/store/store.ts';
import { putTenant } from '../../shared/store/tenants.ts';
import { scoresOf, tenantName, testStore } from '../helpers/dynamo.ts';
import { orderStream } from '../helpers/order-stream.ts';
import { seededRng } from '../../sandbox/prng.ts';
import type { SalesforceWorld } from '../worlds/salesforce.ts';
import { contactOf, salesforceWriteback, scenarioOrg, startSalesforceWorld } from '../worlds/salesforce.ts';
import { quietLogger, recordFigures } from './figures.ts';

const store = testStore();
const logger = quietLogger();
const NOW = Date.parse('2026-03-01T00:00:00Z');

class KilledError extends Error {
  override name = 'KilledError';
}

/** The store as a batch killed after `calls` DynamoDB requests sees it: every later request never happens. */
function dyingStore(calls: number, onKill: () => void): Store {
  let left = calls;
  const doc = new Proxy(store.doc, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver) as unknown;
      return (...args: Parameters<DynamoDBDocumentClient['send']>) => {
        if (left-- <= 0) {
          onKill();
          return Promise.reject(new KilledError('the batch was killed here'));
        }
        return (target.send as (...a: typeof args) => unknown)(...args);
      };
    },
  });
  return { ...store, doc };
}

/**
 * A consumer whose runs are killed at random: `killShare` of its invocations get a
 * store that dies after 1–`maxCalls` requests; the queue redelivers what failed.
 */
function crashingConsumer(
  seed: number,
  killShare: number,
  maxCalls: number,
  build: (s: Store) => SqsHandler,
): { handler: SqsHandler; kills: () => number } {
  const rng = seededRng(seed);
  let kills = 0;
  const healthy = build(store);
  const handler = (event: SQSEvent, context: Context) => {
    if (!rng.chance(killShare)) return healthy(event, context);
    let killed = false;
    const run = build(dyingStore(rng.int(1, maxCalls), () => (killed = true)));
    return run(event, context).finally(() => void (killed && kills++));
  };
  return { handler, kills: () => kills };
}

describe('crash consistency: killed batches re-run to the same state', () => {
  it(
    'scoring: batches killed midway, redelivered, give the same scores and outbox',
    { timeout: 300_000 },
    async () => {
      const stream = orderStream({ orders: 400, customers: 90, seed: 61 });
      const run = async (label: string, consumer: (queue: LocalQueue) => Promise<void>) => {
        const tenant = await putTenant(store, { tenantId: tenantName(label), currency: 'USD' });
        const queue = new LocalQueue({ name: label, batchSize: 10, maxReceiveCount: 50 });
        for (const order of stream) await ingestOrder(store, tenant, order, (m) => queue.send(m), NOW);
        await consumer(queue);
        expect(queue.deadLetters).toEqual([]);
        return tenant.tenantId;
      };
      const build = (s: Store) =>
        createScoreHandler({ store: s, logger, now: () => NOW, enqueueWriteback: async () => {} });
      const calm = await run('crash-calm', (q) => q.drain(build(store)));
      const crashing = crashingConsumer(62, 0.5, 60, build);
      const crashed = await run('crash-killed', (q) => q.drain(crashing.handler));

      expect(crashing.kills()).toBeGreaterThan(5);
      const [a, b] = [await scoresOf(store, calm), await scoresOf(store, crashed)];
      expect(a.size).toBeGreaterThan(50);
      expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
      for (const [id, s] of a) {
        expect(b.get(id)!.fields, id).toEqual(s.fields);
        expect(b.get(id)!.history, id).toEqual(s.history);
      }
      const outbox = async (t: string) =>
        (await outboxEntries(store, t, 'shopify'))
          .map((e) => JSON.stringify([e.customerId, e.fields, e.identities]))
          .sort();
      expect(await outbox(crashed)).toEqual(await outbox(calm));
      recordFigures('crash-consistency', { scoring: { batchesKilled: crashing.kills(), customers: a.size } });
    },
  );

  describe('write-back', () => {
    let world: SalesforceWorld;
    let tenantId: string;

    beforeAll(async () => {
      world = await startSalesforceWorld(
        scenarioOrg('crash', 'crash-sf', {
          orders: 300,
          contacts: 150,
          accounts: 60,
          seed: 71,
          start: '2025-01-01',
          end: '2026-02-20',
        }),
      );
      tenantId = world.tenantId;
      await world.importHistory(NOW);
    }, 120_000);

    afterAll(() => world?.stop());

    it(
      'flushes killed midway, redelivered, leave every Contact as one uninterrupted flush would',
      { timeout: 300_000 },
      async () => {
        const pending = await outboxEntries(store, tenantId, 'salesforce');
        expect(pending.length).toBeGreaterThan(60);
        const { sf } = world;
        const writesBefore = sf.writes.length;
        const crashing = crashingConsumer(72, 0.9, 15, (s) =>
          salesforceWriteback({
            store: s,
            logger,
            salesforceSecrets: world.secrets,
            salesforceOptions: { recordsPerCall: 10 },
          }),
        );
        const queue = new LocalQueue({ name: 'writeback', batchSize: 1, maxReceiveCount: 1 });
        // A crashed flush's message comes back, as a new flush request would follow the next score.
        for (let round = 0; round < 30; round++) {
          await queue.send({ tenantId, target: 'salesforce' });
          await queue.drain(crashing.handler);
          if ((await outboxEntries(store, tenantId, 'salesforce')).length === 0) break;
        }
        expect(crashing.kills()).toBeGreaterThanOrEqual(3);
        expect(await outboxEntries(store, tenantId, 'salesforce')).toEqual([]);
        // The uninterrupted flush's result: every pending customer's Contact holds exactly its entry's values.
        for (const e of pending) {
          const id = contactOf(e);
          if (!id) continue;
          const record = sf.org.get('Contact', id)!;
          const values = salesforceFields(e.fields, e.scoredAt);
          for (const f of CLV_FIELDS) {
            const stored = record[f];
            if (values[f] === null) expect(stored ?? null, `${id} ${f}`).toBeNull();
            else if (f === 'CLV_Scored_At__c')
              expect(Date.parse(String(stored))).toBe(Date.parse(String(values[f])));
            else expect(stored, `${id} ${f}`).toBe(values[f]);
          }
        }
        const writes = sf.writes.slice(writesBefore).filter((w) => w.sobject === 'Contact');
        recordFigures('crash-consistency', {
          writeback: {
            flushesKilled: crashing.kills(),
            customers: pending.length,
            // Written again after a kill between the write and its outbox settle: at-least-once, same values.
            fieldsRewritten: writes.length - new Set(writes.map((w) => `${w.id} ${w.field}`)).size,
          },
        });
      },
    );
  });
});
