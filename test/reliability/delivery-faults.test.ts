/**
 * Delivery faults (issue 8, item 2), through the production webhook handler
 * with signed deliveries: one shop's history is delivered twice — to one
 * workspace cleanly (each delivery once, in order), to another the way a
 * bad day looks: redeliveries of the same event, everything shuffled, the
 * orders edited five times delivered newest first, and refunds/create
 * arriving before the order it refunds. After both score queues drain,
 * every customer's scores are the same in both workspaces.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { LocalQueue } from '../../local/sqs-queue.ts';
import { scoresOf, tenantName } from '../helpers/dynamo.ts';
import { seededRng } from '../../sandbox/prng.ts';
import { numberedBuyer, orderWebhookBody, shopifyTime } from '../worlds/shopify-payloads.ts';
import { shopifyWorld } from '../worlds/shopify.ts';
import { recordFigures } from './figures.ts';

const NOW = Date.parse('2026-06-01T00:00:00Z');
// Webhooks on the real clock (the world's default): delivery records expire a week after they are written
// (DynamoDB TTL, which DynamoDB Local applies too), so written at a past NOW they could vanish mid-run.
const world = shopifyWorld({ apiSecret: 'delivery-api-secret-not-real', now: () => NOW });
const { store } = world;

interface Delivery {
  topic: string;
  /** Shopify's event id: the same on every redelivery of one event. */
  eventId: string;
  body: string;
  /** The order it is about and when the event happened, for the clean order. */
  orderId: string;
  at: number;
  /** This order's versions are delivered newest first in the messy run. */
  edited5?: boolean;
}

/** A shop's webhook history: orders created, some edited five times, some refunded, some cancelled. */
function shopHistory(seed: number, orders: number, customers: number): Delivery[] {
  const rng = seededRng(seed);
  const out: Delivery[] = [];
  const t0 = Date.parse('2025-03-01T00:00:00Z');
  for (let i = 0; i < orders; i++) {
    const orderId = String(4_000_000_000 + i);
    const c = Math.floor(customers * rng.next() ** 2);
    const placed = t0 + Math.floor(rng.next() * 400 * 86_400_000);
    let subtotal = Math.round((15 + 250 * rng.next() ** 3) * 100) / 100;
    const order = { id: Number(orderId), buyer: numberedBuyer(9_000_000, c), placed, currency: 'EUR' };
    let event = 0;
    const version = (topic: string, at: number, extra: Record<string, unknown> = {}): Delivery => ({
      topic,
      eventId: `${orderId}-${++event}`,
      orderId,
      at,
      body: JSON.stringify(orderWebhookBody({ ...order, updated: at, subtotal: subtotal.toFixed(2) }, extra)),
    });
    out.push(version('orders/create', placed));
    const r = rng.next();
    if (r < 0.2) {
      // Edited five times (lines added and removed): each edit a newer version with a new subtotal.
      for (let k = 1; k <= 5; k++) {
        subtotal = Math.round(subtotal * (0.7 + 0.6 * rng.next()) * 100) / 100;
        out.push({ ...version('orders/updated', placed + k * 3_600_000), edited5: true });
      }
      out.filter((d) => d.orderId === orderId).forEach((d) => (d.edited5 = true));
    } else if (r < 0.4) {
      // Refunded in part: refunds/create, then the orders/updated whose subtotal excludes it.
      const refunded = Math.round(subtotal * 0.4 * 100) / 100;
      const refund = {
        refund_line_items: [{ subtotal: refunded.toFixed(2) }],
        transactions: [{ kind: 'refund', status: 'success' }],
      };
      const at = placed + 26 * 3_600_000;
      out.push({
        topic: 'refunds/create',
        eventId: `${orderId}-refund`,
        orderId,
        at,
        body: JSON.stringify({
          id: 600_000 + i,
          order_id: Number(orderId),
          created_at: shopifyTime(at),
          ...refund,
        }),
      });
      subtotal = Math.round((subtotal - refunded) * 100) / 100;
      out.push(version('orders/updated', at + 1000, { refunds: [refund] }));
    } else if (r < 0.5) {
      out.push(
        version('orders/cancelled', placed + 7_200_000, { cancelled_at: shopifyTime(placed + 7_200_000) }),
      );
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

/** The same deliveries on a bad day: redeliveries, shuffled, five-edit orders backwards, refunds first. */
function badDay(history: readonly Delivery[], seed: number): Delivery[] {
  const rng = seededRng(seed);
  const out = [...history];
  for (const d of history) if (rng.chance(0.3)) out.push(d); // the same event delivered again
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  // Each five-edit order's versions take the slots its versions landed in, newest first.
  const byOrder = new Map<string, number[]>();
  out.forEach((d, i) => d.edited5 && byOrder.set(d.orderId, [...(byOrder.get(d.orderId) ?? []), i]));
  for (const slots of byOrder.values()) {
    const versions = slots.map((i) => out[i]!).sort((a, b) => b.at - a.at);
    slots.forEach((slot, k) => (out[slot] = versions[k]!));
  }
  // Every refund is delivered before anything of its order.
  const refunds = out.filter((d) => d.topic === 'refunds/create');
  const rest = out.filter((d) => d.topic !== 'refunds/create');
  return [...refunds, ...rest];
}

async function deliver(shop: string, deliveries: readonly Delivery[]) {
  const tenantId = tenantName('delivery');
  await world.addTenant(tenantId, shop);
  const queue = new LocalQueue({ name: `score-${tenantId}`, batchSize: 25, maxReceiveCount: 5 });
  const webhooks = world.webhooksOn(store, (m) => queue.send(m));
  const actions: Record<string, number> = {};
  const statuses: Record<number, number> = {};
  for (const d of deliveries) {
    const res = await webhooks(
      world.webhookEvent(shop, d.topic, d.body, { eventId: d.eventId, webhookId: `w-${d.eventId}` }),
    );
    statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
    const action = String((JSON.parse(String(res.body)) as { action?: string }).action);
    actions[action] = (actions[action] ?? 0) + 1;
  }
  await queue.drain(world.score);
  expect(queue.deadLetters).toEqual([]);
  return { tenantId, actions, statuses };
}

describe('delivery faults: duplicates, reordering, backwards edits, refunds first — same scores', () => {
  const history = shopHistory(41, 160, 50);
  const messy = badDay(history, 42);
  let clean: Awaited<ReturnType<typeof deliver>>;
  let dirty: Awaited<ReturnType<typeof deliver>>;

  beforeAll(async () => {
    const suffix = Math.random().toString(36).slice(2, 8);
    clean = await deliver(`clean-${suffix}.myshopify.com`, history);
    dirty = await deliver(`messy-${suffix}.myshopify.com`, messy);
  }, 300_000);

  it('the bad day really is one: redeliveries, stale versions and refunds of unknown orders', () => {
    expect(clean.statuses).toEqual({ 200: history.length });
    expect(dirty.statuses).toEqual({ 200: messy.length });
    expect(clean.actions['duplicate delivery ignored']).toBeUndefined();
    expect(dirty.actions['duplicate delivery ignored']).toBe(messy.length - history.length);
    expect(dirty.actions['order unchanged']).toBeGreaterThan(0); // older versions after newer ones
    const refunds = history.filter((d) => d.topic === 'refunds/create').length;
    expect(refunds).toBeGreaterThan(10);
    expect(dirty.actions['refund for an order not yet stored']).toBe(refunds);
    expect(history.filter((d) => d.edited5).length).toBeGreaterThan(50);
  });

  it('every customer ends with the same scores as in the clean replay', async () => {
    const [a, b] = [await scoresOf(store, clean.tenantId), await scoresOf(store, dirty.tenantId)];
    expect(a.size).toBeGreaterThan(30);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [id, s] of a) {
      expect(b.get(id)!.fields, id).toEqual(s.fields);
      expect(b.get(id)!.history, id).toEqual(s.history);
    }
    recordFigures('delivery-faults', {
      deliveries: messy.length,
      redeliveries: messy.length - history.length,
      staleVersions: dirty.actions['order unchanged'],
      refundsBeforeOrder: dirty.actions['refund for an order not yet stored'],
      editedFiveTimes: new Set(history.filter((d) => d.edited5).map((d) => d.orderId)).size,
      customers: a.size,
      scoresDiffering: 0,
    });
  });
});
