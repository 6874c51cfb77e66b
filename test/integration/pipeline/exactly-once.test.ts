/**
 * Exactly-once scoring by construction (issue 15, items 1–5), through the
 * production handlers on DynamoDB Local. Faults are injected only at the
 * DynamoDB DocumentClient's `send` and at the score queue's send, in the
 * shapes AWS documents: a TransactionCanceledException with a
 * TransactionConflict reason, a ProvisionedThroughputExceededException (what
 * the SDK throws once its own retries are spent), SQS's RequestThrottled, and
 * a backfill killed after a checkpoint as a Lambda timeout kills it.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import {
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { RequestThrottled } from '@aws-sdk/client-sqs';
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackfillHandler } from '../../../functions/backfill.ts';
import { createScoreHandler } from '../../../functions/score.ts';
import { createShopifyAuthHandler } from '../../../functions/shopify-auth.ts';
import { createShopifyWebhookHandler } from '../../../functions/shopify-webhooks.ts';
import { createShopifyApp, SHOPIFY_API_VERSION } from '../../../integrations/shopify/shopify-app.ts';
import type { SqsHandler } from '../../../local/sqs-queue.ts';
import { LocalQueue } from '../../../local/sqs-queue.ts';
import type { Enqueue } from '../../../shared/pipeline/messages.ts';
import { refitTenant } from '../../../shared/pipeline/refit-tenant.ts';
import { getBackfill } from '../../../shared/store/backfills.ts';
import { keys } from '../../../shared/store/keys.ts';
import type { Order } from '../../../shared/store/order.ts';
import { recordOrder } from '../../../shared/store/orders.ts';
import type { Store } from '../../../shared/store/store.ts';
import { getTenant, putTenant } from '../../../shared/store/tenants.ts';
import { apiEvent } from '../../helpers/api-event.ts';
import { numberedBuyer, orderWebhookBody, shopifyTime } from '../../worlds/shopify-payloads.ts';
import { installRequest } from '../../worlds/shopify.ts';
import { scanAll, scoresOf, tenantName, testStore } from '../../helpers/dynamo.ts';
import type { ShopifySandbox } from '../../../sandbox/shopify/index.ts';
import { generateShopHistory, signWebhook, startShopifySandbox } from '../../../sandbox/shopify/index.ts';
import type { StoreCommand } from '../../helpers/intercepted-store.ts';
import { interceptedStore } from '../../helpers/intercepted-store.ts';

const store = testStore();
const logger = new Logger({
  serviceName: 'clv-test',
  logLevel: (process.env.TEST_LOG_LEVEL as 'INFO' | undefined) ?? 'SILENT',
});
const NOW = Date.parse('2026-06-01T00:00:00Z');
const API_KEY = 'exactly-once-api-key';
const API_SECRET = 'exactly-once-api-secret-not-real';

/** recordOrder's transaction: the one whose first item is the order's owner (keys.orderOwner). */
function orderTransaction(command: StoreCommand): string | null {
  if (!(command instanceof TransactWriteCommand)) return null;
  const first = command.input.TransactItems?.[0]?.Put?.Item;
  return first?.sk === 'OWNER' ? String(first.pk) : null;
}

/** What DynamoDB answers when another transaction holds the owner item (API Reference, TransactWriteItems). */
const conflict = () =>
  new TransactionCanceledException({
    $metadata: {},
    message:
      'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict, None, None]',
    CancellationReasons: [
      { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
      { Code: 'None' },
      { Code: 'None' },
    ],
  });

const throughputExceeded = () =>
  new ProvisionedThroughputExceededException({
    $metadata: { httpStatusCode: 400, attempts: 3 },
    message:
      'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
  });

/** Buyer `customer`'s order of 120.00 USD placed on 1 May, as a webhook body last changed at `at`. */
function orderBody(orderId: number, customer: number, at: number, extra: Record<string, unknown> = {}) {
  const placed = Date.parse('2026-05-01T10:00:00Z');
  const buyer = numberedBuyer(9_100_000, customer);
  return JSON.stringify(
    orderWebhookBody({ id: orderId, buyer, placed, updated: at, currency: 'USD', subtotal: '120.00' }, extra),
  );
}

/**
 * Delivers a signed webhook as Shopify does: a 5xx or no answer (the handler threw, as a Lambda
 * error reaches API Gateway) is retried with the same event id. Returns each attempt's status.
 */
async function deliverAsShopify(
  handler: ReturnType<typeof createShopifyWebhookHandler>,
  shop: string,
  topic: string,
  body: string,
  eventId: string,
): Promise<(number | 'error')[]> {
  const signed = signWebhook({
    secret: API_SECRET,
    topic,
    shop,
    body,
    apiVersion: SHOPIFY_API_VERSION,
    eventId,
    webhookId: `w-${eventId}`,
  });
  const attempts: (number | 'error')[] = [];
  for (let i = 0; i < 5; i++) {
    try {
      const res = await handler(
        apiEvent({ method: 'POST', path: '/shopify/webhooks', headers: signed.headers, body: signed.body }),
      );
      attempts.push(res.statusCode ?? 200);
      if ((res.statusCode ?? 200) < 500) return attempts;
    } catch {
      attempts.push('error');
    }
  }
  return attempts;
}

const shopifyApp = createShopifyApp({ apiKey: API_KEY, apiSecret: API_SECRET, appUrl: 'https://app.test' });
const scoreHandler = (s: Store) =>
  createScoreHandler({ store: s, logger, now: () => NOW, enqueueWriteback: async () => {} });

async function webhookTenant(label: string) {
  const tenantId = tenantName(label);
  const shop = `${tenantId}.myshopify.com`;
  const tenant = await putTenant(store, { tenantId, shopifyShop: shop, currency: 'USD' });
  return { tenant, shop };
}

async function owner(tenantId: string, orderId: string) {
  const { pk, sk } = keys.orderOwner(tenantId, 'shopify', orderId);
  const out = await store.doc.send(new GetCommand({ TableName: store.table, Key: { pk, sk } }));
  return out.Item as { customerId: string; version: string } | undefined;
}

describe('exactly-once scoring (issue 15)', () => {
  it('1. a redelivery of a stored version still queues its customer when the first queue send failed after the commit', async () => {
    const { tenant, shop } = await webhookTenant('eo-queue');
    const queue = new LocalQueue({ name: 'eo-score', batchSize: 10 });
    let sends = 0;
    // SQS refuses the first send (the order is already committed), as a throttled SendMessage does.
    const enqueue: Enqueue = async (m) => {
      if (sends++ === 0)
        throw new RequestThrottled({ $metadata: { httpStatusCode: 400 }, message: 'Request is throttled.' });
      await queue.send(m);
    };
    const webhooks = createShopifyWebhookHandler({
      store,
      shopify: shopifyApp,
      logger,
      enqueue,
      now: () => Date.now(),
    });
    const attempts = await deliverAsShopify(
      webhooks,
      shop,
      'orders/create',
      orderBody(5_100_001, 1, Date.parse('2026-05-01T10:00:00Z')),
      'eo-1',
    );
    expect(attempts).toEqual(['error', 200]);
    const stored = await owner(tenant.tenantId, '5100001');
    expect(stored).toBeDefined();
    expect(queue.pending.map((m) => JSON.parse(m.body) as unknown)).toEqual([
      { tenantId: tenant.tenantId, customerId: stored!.customerId },
    ]);
    await queue.drain(scoreHandler(store));
    expect((await scoresOf(store, tenant.tenantId)).has(stored!.customerId)).toBe(true);
  });

  it('2. a newer version whose transaction is cancelled for a conflict is retried and stored, not answered "unchanged"', async () => {
    const { tenant, shop } = await webhookTenant('eo-conflict');
    const queue = new LocalQueue({ name: 'eo-score', batchSize: 10 });
    const created = Date.parse('2026-05-01T10:00:00Z');
    const clean = createShopifyWebhookHandler({
      store,
      shopify: shopifyApp,
      logger,
      enqueue: (m) => queue.send(m),
      now: () => Date.now(),
    });
    expect(
      await deliverAsShopify(clean, shop, 'orders/create', orderBody(5_200_001, 2, created), 'c-1'),
    ).toEqual([200]);
    // orders/cancelled right behind it: its transaction meets orders/paid's still in flight on the owner item.
    let conflicts = 0;
    const conflicting = interceptedStore(store, (command) => {
      if (orderTransaction(command) && conflicts++ === 0) throw conflict();
    });
    const webhooks = createShopifyWebhookHandler({
      store: conflicting,
      shopify: shopifyApp,
      logger,
      enqueue: (m) => queue.send(m),
      now: () => Date.now(),
    });
    const cancelledAt = created + 60_000;
    const attempts = await deliverAsShopify(
      webhooks,
      shop,
      'orders/cancelled',
      orderBody(5_200_001, 2, cancelledAt, { cancelled_at: shopifyTime(cancelledAt) }),
      'c-2',
    );
    expect(conflicts).toBeGreaterThanOrEqual(1);
    expect((await owner(tenant.tenantId, '5200001'))?.version).toBe(shopifyTime(cancelledAt));
    expect(attempts).toEqual(['error', 200]);
  });

  describe('backfills (Shopify sandbox)', () => {
    let sandbox: ShopifySandbox;
    let clock = Date.now();
    const sleep = async (ms: number) => {
      clock += ms;
    };
    const shopify = () =>
      createShopifyApp({
        apiKey: API_KEY,
        apiSecret: API_SECRET,
        appUrl: 'https://app.clv-sync.test',
        adminOrigin: sandbox.origin,
      });

    /** A shop with `orders` orders, installed by token exchange: its tenant id, with the backfill queued. */
    async function installedShop(label: string, orders: number, seed: number) {
      clock = Date.now(); // the session token is checked against the real clock
      const shop = `${label}-${Math.random().toString(36).slice(2, 8)}.myshopify.com`;
      const s = sandbox.addShop(shop, { currencyCode: 'USD' });
      for (const order of generateShopHistory({
        orders,
        customers: Math.round(orders / 3),
        seed,
        currencyCode: 'USD',
        start: '2025-01-01T00:00:00Z',
        end: '2026-05-01T00:00:00Z',
      }))
        s.addOrder(order);
      const backfills = new LocalQueue({ name: `backfill-${label}`, batchSize: 1, maxReceiveCount: 4 });
      const auth = createShopifyAuthHandler({
        shopify: shopify(),
        store,
        logger,
        requestBackfill: (m) => backfills.send(m),
      });
      const res = await auth(installRequest(sandbox.sessionToken(shop)));
      expect(res.statusCode).toBe(200);
      const { tenantId } = JSON.parse(String(res.body)) as { tenantId: string };
      return { shop, tenantId, backfills };
    }

    const backfillHandler = (s: Store, checkpointEvery?: number) =>
      createBackfillHandler({
        store: s,
        shopify: shopify(),
        logger,
        enqueueWriteback: async () => {},
        salesforceSecrets: async () => ({}),
        clientOptions: { sleep },
        backfillOptions: { poll: { intervalMs: 5, sleep: async () => {} }, now: () => NOW, checkpointEvery },
      });

    /** Each receive of the message gets the next handler; the last one serves every later receive. */
    const inTurn =
      (...handlers: SqsHandler[]): SqsHandler =>
      (event: SQSEvent, context: Context) =>
        (handlers.length > 1 ? handlers.shift()! : handlers[0]!)(event, context);

    /** Customers holding at least one order that is a purchase, from the table itself. */
    async function customersWithPurchases(tenantId: string): Promise<Map<string, number>> {
      const prefix = keys.customerPartition(tenantId, '');
      const out = new Map<string, number>();
      for (const i of await scanAll(store)) {
        const pk = String(i.pk);
        if (!pk.startsWith(prefix) || !String(i.sk).startsWith('ORDER#')) continue;
        if (i.cancelled || !(Number(i.value) > 0)) continue;
        const id = pk.slice(prefix.length);
        out.set(id, (out.get(id) ?? 0) + 1);
      }
      return out;
    }

    beforeAll(async () => {
      sandbox = await startShopifySandbox({ apiKey: API_KEY, apiSecret: API_SECRET, now: () => clock });
    });
    afterAll(() => sandbox?.stop());

    it('3. an order whose write is throttled past the SDK retries stops the import before its checkpoint; the resumed backfill stores it', async () => {
      const { tenantId, backfills } = await installedShop('eo-throttle', 150, 23);
      let seen = 0;
      let throttledOwner: string | null = null;
      const throttling = interceptedStore(store, (command) => {
        const pk = orderTransaction(command);
        if (pk && ++seen === 60) {
          throttledOwner = pk;
          throw throughputExceeded();
        }
      });
      await backfills.drain(inTurn(backfillHandler(throttling), backfillHandler(store)));
      expect(throttledOwner).not.toBeNull();
      const orderId = throttledOwner!.split('#').at(-1)!;
      expect(await owner(tenantId, orderId)).toBeDefined();
      expect(backfills.deadLetters).toEqual([]);
      expect((await getBackfill(store, tenantId, 'shopify'))?.status).toBe('done');
      expect(backfills.delivered).toBe(2); // the throttled run failed its message; the redelivery finished
    });

    it('4. a backfill cut off after a checkpoint and resumed scores every customer it touched, the skipped lines\u2019 too', async () => {
      const { tenantId, backfills } = await installedShop('eo-resume', 450, 29);
      let killed = false;
      // Killed right after the 200-order checkpoint was saved: nothing after it reaches DynamoDB.
      const dying = interceptedStore(store, (command) => {
        if (killed)
          throw Object.assign(new Error('Task timed out after 900.00 seconds'), { name: 'KilledError' });
        if (command instanceof PutCommand) {
          const state = command.input.Item?.state as { ordersRecorded?: number } | undefined;
          if (command.input.Item?.kind === 'backfill' && (state?.ordersRecorded ?? 0) >= 200) {
            killed = true;
            return;
          }
        }
      });
      await backfills.drain(inTurn(backfillHandler(dying, 100), backfillHandler(store, 100)));
      expect(killed).toBe(true);
      expect(backfills.deadLetters).toEqual([]);
      expect((await getBackfill(store, tenantId, 'shopify'))?.status).toBe('done');
      const buyers = await customersWithPurchases(tenantId);
      expect(buyers.size).toBeGreaterThan(100);
      const scores = await scoresOf(store, tenantId);
      const unscored = [...buyers.keys()].filter((id) => !scores.has(id));
      expect(unscored, `${unscored.length} of ${buyers.size} customers never scored`).toEqual([]);
    });
  });

  it('5. of two scorings in flight, the one that read fewer orders cannot write last; the refit keeps the full history', async () => {
    const tenant = await getTenant(
      store,
      (await putTenant(store, { tenantId: tenantName('eo-race'), currency: 'USD' })).tenantId,
    );
    const order = (orderId: string, day: string): Order => ({
      source: 'shopify',
      orderId,
      version: `${day}T12:00:00Z`,
      customer: { shopifyCustomerId: '9300001', email: 'racer@example.com' },
      placedAt: `${day}T12:00:00Z`,
      value: 80,
      refunded: 0,
      currency: 'USD',
      margin: null,
      cancelled: false,
    });
    const { customerId } = await recordOrder(store, tenant, order('5300001', '2026-03-01'), NOW);
    const message = { tenantId: tenant.tenantId, customerId };

    // Scoring A has read one order and is about to write its score: held there.
    let reached!: () => void;
    const atWrite = new Promise<void>((r) => (reached = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let held = 0;
    const holding = interceptedStore(store, async (command) => {
      if (command instanceof TransactWriteCommand && held++ === 0) {
        reached();
        await released;
      }
    });
    const queueA = new LocalQueue({ name: 'eo-race-a' });
    await queueA.send(message);
    const scoringA = queueA.drain(scoreHandler(holding));
    await atWrite;

    // Meanwhile a second order is stored and scoring B, which read both, writes first.
    await recordOrder(store, tenant, order('5300002', '2026-04-15'), NOW);
    const queueB = new LocalQueue({ name: 'eo-race-b' });
    await queueB.send(message);
    await queueB.drain(scoreHandler(store));
    expect((await scoresOf(store, tenant.tenantId)).get(customerId)?.history.days).toHaveLength(2);

    release();
    await scoringA;
    expect(queueA.deadLetters).toEqual([]);
    // A's write was refused as superseded (not as a gone customer), and A read the orders again and wrote.
    expect(held).toBe(2);
    expect((await scoresOf(store, tenant.tenantId)).get(customerId)?.history.days).toHaveLength(2);
    await refitTenant(store, tenant, NOW);
    expect((await scoresOf(store, tenant.tenantId)).get(customerId)?.history.days).toHaveLength(2);
  });
});
