/**
 * The webhook path: signed Shopify order deliveries through the production
 * handler (createShopifyWebhookHandler). Shopify retries a delivery that is
 * not answered 2xx — the same body, the same X-Shopify-Event-Id — later,
 * after the deliveries that followed it (Shopify, "Webhooks: retry
 * frequency": up to 8 retries over 4 hours).
 */
import { tenantName } from '../../helpers/dynamo.ts';
import { shopifyWorld } from '../../worlds/shopify.ts';
import { Injector } from './faults.ts';
import type { AcceptedOrders } from './invariant.ts';
import { lostItems } from './invariant.ts';
import type { CaseResult, MatrixPath } from './world.ts';
import { drainScores, iso, logger, NOW, sqsQueue, store } from './world.ts';

const world = shopifyWorld({ apiSecret: 'fault-matrix-secret-not-real', store, logger });
/** Shopify's retries of one event (8 over 4 hours). */
const SHOPIFY_RETRIES = 8;

export interface OrderDelivery {
  topic: string;
  eventId: string;
  orderId: string;
  version: string;
  body: string;
}

/** One version of an order as its webhook carries it. */
export function orderDelivery(o: {
  topic: string;
  orderId: string;
  customer: number;
  placed: number;
  updated: number;
  subtotal: number;
  event: string;
}): OrderDelivery {
  const version = iso(o.updated);
  return {
    topic: o.topic,
    eventId: `${o.orderId}-${o.event}`,
    orderId: o.orderId,
    version,
    body: JSON.stringify({
      id: Number(o.orderId),
      created_at: iso(o.placed),
      processed_at: iso(o.placed),
      updated_at: version,
      currency: 'EUR',
      email: `fm.buyer.${o.customer}@example.com`,
      customer: { id: 7_100_000 + o.customer, email: `fm.buyer.${o.customer}@example.com` },
      current_subtotal_price: o.subtotal.toFixed(2),
      refunds: [],
      test: false,
    }),
  };
}

const DAY = 86_400_000;
const t0 = NOW - 90 * DAY;
/** One customer's two orders, the first edited after it was placed. */
export const WEBHOOK_DELIVERIES: OrderDelivery[] = [
  orderDelivery({
    topic: 'orders/create',
    orderId: '5100000001',
    customer: 1,
    placed: t0,
    updated: t0,
    subtotal: 40,
    event: 'c',
  }),
  orderDelivery({
    topic: 'orders/updated',
    orderId: '5100000001',
    customer: 1,
    placed: t0,
    updated: t0 + 3_600_000,
    subtotal: 55,
    event: 'u',
  }),
  orderDelivery({
    topic: 'orders/create',
    orderId: '5100000002',
    customer: 1,
    placed: t0 + 30 * DAY,
    updated: t0 + 30 * DAY,
    subtotal: 80,
    event: 'c',
  }),
];

export async function shopTenant(label: string) {
  const tenantId = tenantName(label);
  const shop = `${tenantId}.myshopify.com`;
  await world.addTenant(tenantId, shop);
  return { tenantId, shop };
}

export const signed = (shop: string, d: OrderDelivery) =>
  world.webhookEvent(shop, d.topic, d.body, { eventId: d.eventId, webhookId: `w-${d.eventId}` });

/** The newest version of each order among the deliveries Shopify counted as delivered. */
export function newestAccepted(accepted: readonly OrderDelivery[]): AcceptedOrders {
  const out: AcceptedOrders = new Map();
  for (const d of accepted) {
    const key = `shopify:${d.orderId}`;
    const had = out.get(key);
    if (!had || Date.parse(had) < Date.parse(d.version)) out.set(key, d.version);
  }
  return out;
}

/**
 * Delivers each event through the faulty handler, retrying those not answered 2xx after the rest, as
 * Shopify does; `concurrently` sends each round's deliveries all at once.
 */
export async function deliverAll(
  injector: Injector,
  shop: string,
  deliveries: readonly OrderDelivery[],
  enqueue: (m: { tenantId: string; customerId: string }) => Promise<void>,
  options: { concurrently?: boolean; afterEach?: () => Promise<void> } = {},
): Promise<{ accepted: OrderDelivery[]; refused: string[] }> {
  const handler = world.webhooksOn(injector.store(store), injector.sender('score', enqueue));
  const accepted: OrderDelivery[] = [];
  let pending = [...deliveries];
  for (let round = 0; round <= SHOPIFY_RETRIES && pending.length; round++) {
    const failed: OrderDelivery[] = [];
    const one = async (d: OrderDelivery) => {
      const out = await injector.invoke(() => handler(signed(shop, d)));
      const status = out.ok ? (out.value?.statusCode ?? 200) : 500;
      if (status >= 200 && status < 300) accepted.push(d);
      else if (status >= 500) failed.push(d);
      await options.afterEach?.();
    };
    if (options.concurrently) await Promise.all(pending.map(one));
    else for (const d of pending) await one(d);
    pending = failed;
  }
  return { accepted, refused: pending.map((d) => `${d.topic} ${d.eventId} never answered 2xx`) };
}

export const webhookPath: MatrixPath = {
  name: 'webhook',
  async run(injector, label): Promise<CaseResult> {
    const { tenantId, shop } = await shopTenant(label);
    const queue = sqsQueue(`score-${tenantId}`);
    // The scoring consumer runs while deliveries keep coming: each customer queued is scored at once.
    const dead: string[] = [];
    const { accepted, refused } = await deliverAll(injector, shop, WEBHOOK_DELIVERIES, (m) => queue.send(m), {
      afterEach: async () => void dead.push(...(await drainScores(queue))),
    });
    const lost = await lostItems({ store, tenantId, now: NOW, accepted: newestAccepted(accepted) });
    return { lost: dead.length ? [] : lost, visible: [...dead, ...refused] };
  },
};

/**
 * orders/create, orders/paid and orders/updated of one order, a second apart
 * at the source, delivered at the same instant newest first (Shopify does not
 * order deliveries): the newest must end stored and scored. Failures are
 * retried as Shopify retries them; `rounds` fresh tenants.
 */
export async function concurrentDeliveries(rounds: number): Promise<{ lost: string[]; conflicts: number }> {
  const lost: string[] = [];
  let conflicts = 0;
  for (let round = 0; round < rounds; round++) {
    const placed = t0 + round * DAY;
    const orderId = String(5_200_000_000 + round);
    const versions = ['orders/create', 'orders/paid', 'orders/updated'].map((topic, k) =>
      orderDelivery({
        topic,
        orderId,
        customer: 20 + round,
        placed,
        updated: placed + k * 1000,
        subtotal: 30 + 10 * k,
        event: String(k),
      }),
    );
    const { tenantId, shop } = await shopTenant(`concurrent-${round}`);
    const queue = sqsQueue(`score-${tenantId}`);
    const injector = new Injector();
    const { accepted } = await deliverAll(injector, shop, [...versions].reverse(), (m) => queue.send(m), {
      concurrently: true,
    });
    conflicts += versions.length - accepted.length;
    await drainScores(queue);
    for (const l of await lostItems({ store, tenantId, now: NOW, accepted: newestAccepted(versions) }))
      lost.push(`round ${round}: ${l}`);
  }
  return { lost, conflicts };
}
