import { Logger } from '@aws-lambda-powertools/logger';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRefitHandler } from '../../../functions/refit.ts';
import { createScoreHandler } from '../../../functions/score.ts';
import { LocalQueue } from '../../../local/sqs-queue.ts';
import { ingestOrder } from '../../../shared/pipeline/ingest.ts';
import { deleteCustomer, deleteTenant } from '../../../shared/store/deletion.ts';
import { getModel } from '../../../shared/store/models.ts';
import type { Order } from '../../../shared/store/order.ts';
import { identityKeys } from '../../../shared/store/order.ts';
import { outboxEntries } from '../../../shared/store/scores.ts';
import { putTenant } from '../../../shared/store/tenants.ts';
import { scanAll, scoresOf, tenantName, testStore } from '../../helpers/dynamo.ts';
import { inParallel, messy, orderStream } from '../../helpers/order-stream.ts';

const store = testStore();
const NOW = Date.parse('2026-03-01T00:00:00Z');
const logger = new Logger({ serviceName: 'clv-test', logLevel: 'SILENT' });
// Flush requests for the write-back consumer (issues 4 and 5); here we only check they are asked for.
const writeback = new LocalQueue({ name: 'writeback' });
const enqueueWriteback = (m: unknown) => writeback.send(m);
const scoreHandler = createScoreHandler({ store, logger, now: () => NOW, enqueueWriteback });
const refit = createRefitHandler({ store, logger, now: () => NOW, enqueueWriteback });
const flushRequests = () => writeback.pending.splice(0).map((m) => JSON.parse(m.body) as unknown);

async function replay(tenantId: string, deliveries: readonly Order[]) {
  const tenant = await putTenant(store, {
    tenantId,
    shopifyShop: `${tenantId}.myshopify.com`,
    currency: 'USD',
    defaultMarginRate: 0.3,
  });
  const queue = new LocalQueue({
    name: `score-${tenantId}`,
    batchSize: 25,
    maxReceiveCount: 5,
    concurrency: 4,
  });
  const statuses = { stored: 0, stale: 0 };
  await inParallel(deliveries, 8, async (order) => {
    const r = await ingestOrder(store, tenant, order, (m) => queue.send(m), NOW);
    statuses[r.status]++;
  });
  await queue.drain(scoreHandler);
  expect(queue.deadLetters).toEqual([]);
  // Every batch with changed fields asks for a flush of the shop's outbox: at least one, never one per customer.
  const flushes = flushRequests();
  expect(flushes.length).toBeGreaterThan(0);
  expect(flushes.length).toBeLessThanOrEqual(queue.delivered / 2);
  expect(new Set(flushes.map((f) => JSON.stringify(f)))).toEqual(
    new Set([JSON.stringify({ tenantId, target: 'shopify' })]),
  );
  return statuses;
}

describe('replaying an order stream through the store and the scoring queue (DynamoDB Local)', () => {
  const stream = orderStream({ orders: 10_000, customers: 2_500, seed: 11 });
  const clean = tenantName('clean');
  const dirty = tenantName('dirty');
  let cleanStatus: { stored: number; stale: number };
  let dirtyStatus: { stored: number; stale: number };

  beforeAll(async () => {
    cleanStatus = await replay(clean, stream);
    // 30 % of deliveries repeated, all of them shuffled: duplicates, and older versions after newer ones.
    dirtyStatus = await replay(dirty, messy(stream, 0.3, 5));
  }, 600_000);

  it('stores every version once: duplicates and older versions are recognised as stale', () => {
    // Eight deliveries in flight: a newer version can overtake an older one even in the clean replay.
    expect(cleanStatus.stored + cleanStatus.stale).toBe(stream.length);
    expect(cleanStatus.stored).toBeGreaterThanOrEqual(10_000);
    expect(dirtyStatus.stored + dirtyStatus.stale).toBeGreaterThan(stream.length * 1.25);
    // Shuffled, an older version can arrive first and be replaced later, so stored ≥ distinct orders.
    expect(dirtyStatus.stored).toBeGreaterThanOrEqual(10_000);
    expect(dirtyStatus.stored).toBeLessThanOrEqual(stream.length);
  });

  it('gives identical scores for the clean in-order replay and the messy one', async () => {
    const a = await scoresOf(store, clean);
    const b = await scoresOf(store, dirty);
    expect(a.size).toBeGreaterThan(1500);
    expect(b.size).toBe(a.size);
    for (const [id, s] of a) {
      const t = b.get(id);
      expect(t, id).toBeDefined();
      expect(t!.fields).toEqual(s.fields);
      expect(t!.history).toEqual(s.history);
      expect(t!.detail).toEqual(s.detail);
    }
  });

  it('refits both to the same model and the same scores', { timeout: 300_000 }, async () => {
    const reports = { ...(await refit({ tenantId: clean })), ...(await refit({ tenantId: dirty })) };
    // The refit changed the visible fields, so each shop's outbox is flushed once, and only Shopify is linked.
    expect(flushRequests()).toEqual([
      { tenantId: clean, target: 'shopify' },
      { tenantId: dirty, target: 'shopify' },
    ]);
    console.log('refit', JSON.stringify(reports[clean]!.phases), JSON.stringify(reports[dirty]!.phases));
    expect(reports[clean]!.method).toBe('model');
    const [ma, mb] = [await getModel(store, clean), await getModel(store, dirty)];
    expect(mb!.purchaseModel).toEqual({ ...ma!.purchaseModel, seconds: mb!.purchaseModel!.seconds });
    expect(mb!.spendModel!.params).toEqual(ma!.spendModel!.params);
    const [a, b] = [await scoresOf(store, clean), await scoresOf(store, dirty)];
    for (const [id, s] of a) expect(b.get(id)!.fields, id).toEqual(s.fields);
    const tiers = new Set([...a.values()].map((s) => s.fields.tier));
    expect(tiers).toEqual(new Set(['platinum', 'gold', 'silver', 'bronze']));
  });

  it('queues one Shopify write per customer whose visible fields changed', async () => {
    const a = await outboxEntries(store, clean, 'shopify');
    const b = await outboxEntries(store, dirty, 'shopify');
    expect(a.length).toBe((await scoresOf(store, clean)).size);
    expect(b.map((e) => e.customerId).sort()).toEqual(a.map((e) => e.customerId).sort());
    expect(a.every((e) => e.identities.some((k) => k.startsWith('shopify:')))).toBe(true);
  });

  it('keeps tenants apart: same customer ids, no item keyed outside its tenant', async () => {
    const items = await scanAll(store);
    for (const item of items) {
      const pk = String(item.pk);
      // Shopify sessions carry no gsi1 keys, so their sealed tokens have no index copy (keys.shopifySession):
      // they are keyed in their tenant's own partition instead.
      if (pk.endsWith('#SHOPIFY') && String(item.sk).startsWith('SESSION#')) {
        expect(item.gsi1pk, pk).toBeUndefined();
        expect(pk).toMatch(/^T#[^#]+#SHOPIFY$/);
        continue;
      }
      // The one-time token-route migration's marker belongs to no tenant (shared/store/tenants.ts).
      if (pk === 'ROUTE#salesforce-token' && String(item.sk).startsWith('MIGRATED#')) continue;
      // The registry and the shop/org routes are looked up before the tenant is known; they name it instead.
      const tenant =
        pk === 'TENANTS'
          ? `T#${String(item.sk)}`
          : pk.startsWith('ROUTE#')
            ? `T#${String(item.tenantId)}`
            : pk.split('#').slice(0, 2).join('#');
      expect(item.gsi1pk, pk).toBe(tenant);
    }
    const a = await scoresOf(store, clean);
    const b = await scoresOf(store, dirty);
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const s of a.values()) expect(s.identities.length).toBeGreaterThan(0);
  });

  it('deletes one customer completely', async () => {
    const a = await scoresOf(store, clean);
    const victim = [...a.values()].sort((x, y) => y.history.days.length - x.history.days.length)[0]!;
    const removed = await deleteCustomer(store, clean, victim.customerId);
    expect(removed).toBeGreaterThan(victim.history.days.length);
    const left = (await scanAll(store)).filter((i) => String(i.pk).startsWith(`T#${clean}#`));
    const traces = left.filter(
      (i) =>
        JSON.stringify([i.pk, i.sk, i.gsi1sk, i.customerId]).includes(victim.customerId) ||
        victim.identities.some((k) => String(i.pk).endsWith(`#ID#${k}`)),
    );
    expect(traces).toEqual([]);
    // …and the other tenant's copy of the same person is untouched.
    expect((await scoresOf(store, dirty)).get(victim.customerId)).toBeDefined();
  });

  it('deletes a whole tenant and nothing of it remains', async () => {
    const cleanScores = await scoresOf(store, clean);
    const deleted = await deleteTenant(store, dirty);
    expect(deleted).toBeGreaterThan(10_000);
    const everything = await scanAll(store);
    expect(everything.filter((i) => JSON.stringify(i).includes(`T#${dirty}`) || i.sk === dirty)).toEqual([]);
    // The other tenant, with the same customer ids, keeps every score.
    expect(
      everything.filter((i) => i.kind === 'score' && String(i.pk).startsWith(`T#${clean}#`)).length,
    ).toBe(cleanScores.size);
  });

  it('normalises the identities it keys on', () => {
    expect(identityKeys({ shopifyCustomerId: '1', email: ' Jo.Doe+shop@GMAIL.com ' })).toEqual([
      'shopify:1',
      'email:jodoe@gmail.com',
    ]);
  });
});
