/**
 * Shopify end to end, on DynamoDB Local and the Shopify sandbox: install by
 * token exchange, backfill 5,000 orders through a bulk operation, write every
 * customer's clv.* metafields back, then a signed orders/create moves one
 * customer's values. The production handlers run unchanged; only Shopify is
 * the sandbox, reached through SHOPIFY_ADMIN_ORIGIN.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRefitHandler } from '../../functions/refit.ts';
import { METAFIELDS } from '../../integrations/shopify/metafields.ts';
import { LocalQueue } from '../../local/sqs-queue.ts';
import { getBackfill } from '../../shared/store/backfills.ts';
import { getDataExport } from '../../shared/store/data-exports.ts';
import { outboxEntries } from '../../shared/store/scores.ts';
import { scoresOf, scanAll, tenantSnapshot } from '../helpers/dynamo.ts';
import { orderAmounts, orderWebhookJson } from '../../sandbox/shopify/index.ts';
import { customersDataRequest, customersRedact } from '../worlds/shopify-payloads.ts';
import type { ShopifySandboxWorld } from '../worlds/shopify.ts';
import { installRequest, sortedKeys, startShopifyWorld, webhookPost } from '../worlds/shopify.ts';

// The sandbox's clock, moved forward by our sleeps: a throttled client's wait refills the sandbox's bucket at
// the restore rate, without the test waiting in real time.
let clock = Date.now();
const fast = {
  sleep: async (ms: number) => {
    clock += ms;
  },
};
const NOW = Date.parse('2026-06-01T00:00:00Z');

let world: ShopifySandboxWorld;
const shop = `e2e-${Math.random().toString(36).slice(2, 8)}.myshopify.com`;

describe('Shopify: install, backfill, write-back, webhook (sandbox + DynamoDB Local)', () => {
  const backfillQueue = new LocalQueue({ name: 'backfill', batchSize: 1, maxReceiveCount: 3 });
  const writebackQueue = new LocalQueue({ name: 'writeback', batchSize: 10, maxReceiveCount: 3 });
  const requestBackfill = (m: unknown) => backfillQueue.send(m);
  let tenantId: string;

  beforeAll(async () => {
    world = await startShopifyWorld({
      apiKey: 'e2e-api-key',
      apiSecret: 'e2e-api-secret-not-a-real-one',
      sandbox: { bulkPollsUntilDone: 2, now: () => clock },
      // Webhooks and scoring on the test's day, after the history's last order; scores queue their write-back.
      webhookNow: () => NOW,
      now: () => NOW,
      enqueueWriteback: (m) => writebackQueue.send(m),
    });
    world.addShopWithHistory(shop, {
      orders: 5000,
      customers: 1500,
      seed: 7,
      currencyCode: 'EUR',
      start: '2024-01-01T00:00:00Z',
      end: '2026-05-25T00:00:00Z',
    });
  }, 120_000);

  afterAll(() => world?.stop());

  it('installs by token exchange: tenant in the shop currency, expiring token stored, definitions created', async () => {
    const refused = await world.authWith(requestBackfill)(installRequest('not.a.token'));
    expect(refused.statusCode).toBe(401);
    const res = await world.install(shop, requestBackfill);
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(String(res.body)) as { tenantId: string; newTenant: boolean };
    expect(body.newTenant).toBe(true);
    tenantId = body.tenantId;
    const definitions = world.clvDefinitions(shop);
    expect(sortedKeys(definitions)).toEqual(Object.keys(METAFIELDS).sort());
    expect(definitions.every((d) => d.ownerType === 'CUSTOMER')).toBe(true);
    // Admin filters only where Shopify allows them: the three single-line-text labels.
    expect(sortedKeys(definitions.filter((d) => d.adminFilterable))).toEqual([
      'churn_risk',
      'segment',
      'tier',
    ]);
    expect(backfillQueue.pending.map((m) => JSON.parse(m.body))).toEqual([{ tenantId, source: 'shopify' }]);
    // Installing again changes nothing: same tenant, definitions already there.
    const again = await world.install(shop, requestBackfill);
    expect(JSON.parse(String(again.body))).toMatchObject({ tenantId, newTenant: false });
    backfillQueue.pending.splice(1);
  });

  it('refreshes the expiring offline token before it expires; the old refresh token is then spent', async () => {
    const { offlineSession, REFRESH_BEFORE_EXPIRY_MS } =
      await import('../../integrations/shopify/access-token.ts');
    const { shopify, store } = world;
    const first = await offlineSession(shopify, store, tenantId, shop);
    expect(first.expires).toBeDefined();
    expect(first.refreshToken).toBeTruthy();
    // Well within its hour: used as it is.
    expect((await offlineSession(shopify, store, tenantId, shop)).accessToken).toBe(first.accessToken);
    const nearExpiry = first.expires!.getTime() - REFRESH_BEFORE_EXPIRY_MS + 1000;
    const fresh = await offlineSession(shopify, store, tenantId, shop, nearExpiry);
    expect(fresh.accessToken).not.toBe(first.accessToken);
    expect(fresh.refreshToken).not.toBe(first.refreshToken);
    // The stored session is the new one; the new token works, and once it is used the old refresh token is spent.
    expect((await offlineSession(shopify, store, tenantId, shop)).accessToken).toBe(fresh.accessToken);
    const { SHOP_INFO } = await import('../../integrations/shopify/operations.ts');
    const { adminClient } = await import('../../integrations/shopify/admin-client.ts');
    await adminClient(shopify, fresh).request(SHOP_INFO);
    await expect(shopify.auth.refreshToken({ shop, refreshToken: first.refreshToken! })).rejects.toThrow();
  });

  it(
    'backfills 5,000 orders through one bulk operation, then scores and refits',
    { timeout: 600_000 },
    async () => {
      const { sandbox, store } = world;
      await backfillQueue.drain(
        world.backfillWith({
          clientOptions: fast,
          backfillOptions: { poll: { intervalMs: 5, sleep: async () => {} }, now: () => NOW },
        }),
      );
      expect(backfillQueue.deadLetters).toEqual([]);
      const state = await getBackfill(store, tenantId, 'shopify');
      expect(state?.status).toBe('done');
      const orders = [...sandbox.shop(shop).orders.values()];
      // Every non-test order with a customer is recorded (guest orders carry an email as identity).
      const recordable = orders.filter((o) => !o.test && (o.customer || o.email));
      expect(state?.ordersRecorded).toBe(recordable.length);
      const bulkQueries = sandbox.calls.filter((c) => c.operationName === 'RunBulkQuery' && !c.throttled);
      expect(bulkQueries).toHaveLength(1);
      const scores = await scoresOf(store, tenantId);
      // Every Shopify customer who kept an order is scored, under their Shopify id.
      const scored = new Set(
        [...scores.values()].flatMap((x) =>
          x.identities.filter((k) => k.startsWith('shopify:')).map((k) => k.slice('shopify:'.length)),
        ),
      );
      // A buyer kept something: an order neither cancelled nor refunded in full.
      const kept = (o: (typeof orders)[number]) => !o.cancelledAt && orderAmounts(o).currentSubtotalMinor > 0;
      const buyers = new Set(recordable.filter((o) => o.customer && kept(o)).map((o) => o.customer!.id));
      expect(buyers.size).toBeGreaterThan(1000);
      for (const id of buyers) expect(scored.has(id), id).toBe(true);
      expect(writebackQueue.pending.map((m) => JSON.parse(m.body))).toEqual([
        { tenantId, target: 'shopify' },
      ]);
    },
  );

  it('writes every customer’s clv.* metafields in ≤ ceil(values / 25) calls or one bulk mutation', async () => {
    const { sandbox, store } = world;
    const before = sandbox.calls.length;
    await writebackQueue.drain(
      world.writebackWith({
        clientOptions: fast,
        writebackOptions: { poll: { intervalMs: 5, sleep: async () => {} } },
      }),
    );
    expect(writebackQueue.deadLetters).toEqual([]);
    const calls = sandbox.calls.slice(before);
    const s = sandbox.shop(shop);
    const scores = await scoresOf(store, tenantId);
    let values = 0;
    for (const score of scores.values()) {
      const id = score.identities.find((k) => k.startsWith('shopify:'))?.slice('shopify:'.length);
      if (!id) continue;
      const customer = s.customers.get(id)!;
      expect(customer.metafields.get('clv.predicted_clv')?.value, id).toBe(
        String(score.fields.predicted_clv),
      );
      expect(customer.metafields.get('clv.tier')?.value).toBe(score.fields.tier);
      expect(customer.metafields.get('clv.churn_risk')?.value).toBe(score.fields.churn_risk);
      expect(customer.tags.has(`clv-tier:${score.fields.tier}`)).toBe(true);
      values += [...customer.metafields.keys()].filter((k) => k.startsWith('clv.')).length;
    }
    const setCalls = calls.filter((c) => c.operationName === 'SetMetafields' && !c.throttled).length;
    const bulkMutations = calls
      .filter((c) => c.operationName === 'RunBulkMutation' && !c.throttled)
      .map((c) => String((c.variables as { mutation: string }).mutation));
    console.log('write-back', {
      customers: scores.size,
      values,
      setCalls,
      bulkMutations: bulkMutations.length,
      calls: calls.length,
    });
    // 1,500 customers: the metafields go in one bulk mutation (25 values a line), the tags in one each for add and remove.
    expect(setCalls).toBe(0);
    expect(bulkMutations.filter((m) => m.includes('metafieldsSet'))).toHaveLength(1);
    expect(bulkMutations.filter((m) => m.includes('tagsAdd'))).toHaveLength(1);
    expect(bulkMutations.filter((m) => m.includes('tagsRemove'))).toHaveLength(1);
    // Each value written once.
    const writes = s.writes.filter((w) => w.key.startsWith('clv.'));
    expect(writes.length).toBe(values);
  });

  it('a signed orders/create changes that customer’s metafields', async () => {
    const { sandbox, store } = world;
    const s = sandbox.shop(shop);
    const scores = await scoresOf(store, tenantId);
    const someone = [...scores.values()].find((x) => x.identities.some((k) => k.startsWith('shopify:')))!;
    const id = someone.identities.find((k) => k.startsWith('shopify:'))!.slice('shopify:'.length);
    const before = s.customers.get(id)!.metafields.get('clv.historic_clv')?.value;
    const template = [...s.orders.values()].find((o) => o.customer?.id === id)!;
    const order = {
      ...template,
      id: '990000000001',
      createdAt: '2026-05-31T10:00:00Z',
      processedAt: '2026-05-31T10:00:00Z',
      updatedAt: '2026-05-31T10:00:00Z',
      refunds: [],
      cancelledAt: null,
    };
    s.addOrder(order);
    const res = await world.deliverWebhook(shop, 'orders/create', orderWebhookJson(order, s));
    expect(res.status).toBe(200);
    await world.drainAll();
    const callsBefore = sandbox.calls.length;
    await writebackQueue.drain(world.writebackWith({ clientOptions: fast }));
    const flushCalls = sandbox.calls.slice(callsBefore).map((c) => c.operationName);
    // One customer's 10 or 11 values: one metafieldsSet call, no bulk operation.
    expect(flushCalls.filter((n) => n === 'SetMetafields')).toHaveLength(1);
    expect(flushCalls).not.toContain('RunBulkMutation');
    const after = s.customers.get(id)!.metafields.get('clv.historic_clv')?.value;
    expect(Number(after)).toBeGreaterThan(Number(before));
  });

  it('answers forged, incomplete, replayed and foreign deliveries as documented, writing nothing', async () => {
    const { sandbox, store } = world;
    const s = sandbox.shop(shop);
    const order = [...s.orders.values()][10]!;
    const edited = JSON.stringify(orderWebhookJson({ ...order, updatedAt: '2026-05-31T12:00:00Z' }, s));
    const signed = world.signedWebhook(shop, 'orders/updated', edited);
    const send = (headers: Record<string, string>, body: string | Buffer) =>
      world.webhooks(webhookPost(headers, body));
    const snapshot = await tenantSnapshot(store, tenantId);

    const tampered = Buffer.from(signed.body);
    tampered[tampered.length - 2] = tampered[tampered.length - 2]! ^ 1;
    expect((await send(signed.headers, tampered)).statusCode).toBe(401);

    const { ['X-Shopify-Topic']: _topic, ...noTopic } = signed.headers;
    expect((await send(noTopic, signed.body)).statusCode).toBe(400);

    const nobody = 'nobody-here.myshopify.com';
    const redact = await world.deliverWebhook(nobody, 'shop/redact', { shop_id: 1, shop_domain: nobody });
    expect(redact.status).toBe(200);
    expect(await tenantSnapshot(store, tenantId)).toBe(snapshot);
    expect(world.queue.pending).toEqual([]);

    // The real delivery once, then its replay: the second is recognised and changes nothing.
    expect((await send(signed.headers, signed.body)).statusCode).toBe(200);
    const afterFirst = await tenantSnapshot(store, tenantId);
    const replay = await send(signed.headers, signed.body);
    expect(replay.statusCode).toBe(200);
    expect(JSON.parse(String(replay.body))).toEqual({ action: 'duplicate delivery ignored' });
    expect(await tenantSnapshot(store, tenantId)).toBe(afterFirst);
  });

  it('a flush of many calls runs into the cost limit, waits as the cost data says, and writes each value once', async () => {
    const { sandbox, store, logger } = world;
    const s = sandbox.shop(shop);
    // A month later every customer's values move: the refit queues them all.
    const refit = createRefitHandler({
      store,
      logger,
      now: () => NOW + 30 * 86_400_000,
      enqueueWriteback: (m) => writebackQueue.send(m),
    });
    await refit({ tenantId });
    const pending = await outboxEntries(store, tenantId, 'shopify');
    expect(pending.length).toBeGreaterThan(500);
    const writesBefore = s.writes.length;
    const callsBefore = sandbox.calls.length;
    // Calls, not a bulk mutation, so the flush spends the bucket: about 10 points a call, 2,000 in the bucket.
    await writebackQueue.drain(
      world.writebackWith({
        clientOptions: fast,
        writebackOptions: { bulkThreshold: Number.POSITIVE_INFINITY },
      }),
    );
    expect(writebackQueue.deadLetters).toEqual([]);
    const calls = sandbox.calls.slice(callsBefore);
    const throttled = calls.filter((c) => c.throttled);
    console.log('throttled flush', {
      customers: pending.length,
      calls: calls.length,
      throttled: throttled.length,
    });
    expect(throttled.length).toBeGreaterThan(0);
    expect(await outboxEntries(store, tenantId, 'shopify')).toEqual([]);
    // Every value of every pending customer written exactly once, and the admin shows the stored score.
    const writes = s.writes.slice(writesBefore).filter((w) => w.key.startsWith('clv.'));
    const expected = pending.reduce(
      (n, e) => n + Object.values(e.fields).filter((v) => v !== null).length + 1,
      0,
    );
    expect(writes).toHaveLength(expected);
    expect(new Set(writes.map((w) => `${w.customerId} ${w.key}`)).size).toBe(expected);
    for (const e of pending) {
      const id = e.identities.find((k) => k.startsWith('shopify:'))!.slice('shopify:'.length);
      expect(s.customers.get(id)!.metafields.get('clv.predicted_clv')?.value).toBe(
        String(e.fields.predicted_clv),
      );
    }
  });

  it('retries a THROTTLED write after the time its cost data implies, losing nothing', async () => {
    const { adminClient, throttleWaitSeconds } = await import('../../integrations/shopify/admin-client.ts');
    const { offlineSession } = await import('../../integrations/shopify/access-token.ts');
    const { METAFIELDS_SET } = await import('../../integrations/shopify/operations.ts');
    const { sandbox, shopify, store } = world;
    const s = sandbox.shop(shop);
    const id = [...s.customers.keys()][0]!;
    const waits: number[] = [];
    const session = await offlineSession(shopify, store, tenantId, shop);
    const client = adminClient(shopify, session, { sleep: async (ms) => void waits.push(ms) });
    sandbox.throttleNext(2);
    const before = sandbox.calls.length;
    await client.request(METAFIELDS_SET, {
      metafields: [
        {
          ownerId: `gid://shopify/Customer/${id}`,
          namespace: 'clv',
          key: 'tier',
          type: 'single_line_text_field',
          value: 'gold',
        },
      ],
    });
    const throttled = sandbox.calls.slice(before).filter((c) => c.throttled);
    expect(throttled).toHaveLength(2);
    expect(client.stats.throttled).toBe(2);
    expect(waits).toEqual(throttled.map((c) => throttleWaitSeconds(c.cost) * 1000));
    expect(s.customers.get(id)!.metafields.get('clv.tier')?.value).toBe('gold');
  });
  it('compliance topics act: data_request answers with what we hold, customers/redact and shop/redact erase', async () => {
    const { sandbox, store } = world;
    const s = sandbox.shop(shop);
    const deliver = (topic: string, payload: unknown) => world.deliverWebhook(shop, topic, payload);
    const scores = await scoresOf(store, tenantId);
    const victim = [...scores.values()].find(
      (x) =>
        x.identities.some((k) => k.startsWith('shopify:')) &&
        x.identities.some((k) => k.startsWith('email:')),
    )!;
    const shopifyId = victim.identities.find((k) => k.startsWith('shopify:'))!.slice('shopify:'.length);
    const email = s.customers.get(shopifyId)!.email!;
    const person = { id: Number(shopifyId), email };

    const request = await deliver('customers/data_request', customersDataRequest(shop, person, 9001));
    expect(request.status).toBe(200);
    const stored = await getDataExport(store, tenantId, String(request.body.exportId), NOW);
    const held = (
      JSON.parse(stored!.json) as {
        customers: { customerId: string; identities: string[]; orders: unknown[] }[];
      }
    ).customers;
    expect(held).toHaveLength(1);
    expect(held[0]!.customerId).toBe(victim.customerId);
    expect(held[0]!.orders.length).toBeGreaterThan(0);

    expect((await deliver('customers/redact', customersRedact(shop, person))).status).toBe(200);
    const items = await scanAll(store);
    const traces = items.filter((i) => {
      const text = JSON.stringify(i);
      return (
        text.includes(`"${victim.customerId}"`) ||
        text.includes(`#C#${victim.customerId}#`) ||
        text.includes(`shopify:${shopifyId}"`) ||
        text.toLowerCase().includes(email.toLowerCase())
      );
    });
    expect(traces).toEqual([]);

    expect((await deliver('shop/redact', { shop_id: 1, shop_domain: shop })).status).toBe(200);
    const left = (await scanAll(store)).filter(
      (i) => JSON.stringify(i).includes(`T#${tenantId}`) || i.sk === shop,
    );
    expect(left).toEqual([]);
    // The shop is unknown now: its next compliance delivery is answered, nothing held.
    expect((await deliver('shop/redact', { shop_id: 1, shop_domain: shop })).body).toEqual({
      action: 'nothing held for this shop',
    });
  });
});
