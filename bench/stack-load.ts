/**
 * Load on the embedded stack (`npm start`'s): signed orders/create webhooks POSTed over loopback HTTP to
 * serverless-offline at a fixed rate (open loop: each is sent on its schedule whatever the earlier ones
 * are doing), then the backlog (scoring, write-back to the Shopify sandbox) drained by the local consumers.
 * Prints one JSON line: acknowledgement latency p50/p99/max, statuses, the achieved rate, and how long
 * the backlog took to drain after the last acknowledgement.
 *
 *   node bench/stack-load.ts [deliveries=5000] [per-second=50]
 *
 * These are figures of this machine and DynamoDB Local, for comparing changes, not AWS's.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { SHOPIFY_API_VERSION } from '../integrations/shopify/shopify-app.ts';
import { freeLoopbackPort } from '../local/dynamodb-local.ts';
import { startLocalWorld } from '../local/local-world.ts';
import { scorePages } from '../shared/store/scores.ts';
import { generateShopHistory, orderWebhookJson, signWebhook } from '../sandbox/shopify/index.ts';

const deliveries = Number(process.argv[2] ?? 5000);
const perSecond = Number(process.argv[3] ?? 50);
const secret = 'bench-load-secret';
const shop = 'load-bench.myshopify.com';
process.env.LOG_LEVEL = 'ERROR';
// The in-process consumers' EMF lines would bury the one JSON line this prints.
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const quantile = (sorted: readonly number[], q: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : null;

const orders = generateShopHistory({
  orders: deliveries,
  customers: Math.max(1, Math.round(deliveries / 3)),
  seed: 11,
  currencyCode: 'USD',
  start: '2025-06-01T00:00:00Z',
  end: '2026-10-01T00:00:00Z',
});

const world = await startLocalWorld(
  {
    tenantId: 'load-bench',
    shop,
    orgId: '00D000000LOAD01EQH',
    currency: 'USD',
    shopifyApiKey: 'load-bench',
    shopifyApiSecret: secret,
    salesforceClientId: 'load-bench',
    salesforceClientSecret: 'load-bench-secret',
    sandboxes: true,
  },
  { httpPort: await freeLoopbackPort(), dynamoDbPort: 0, sqsPort: 0, log: () => {} },
);
try {
  const sandboxShop = world.shopify!.shop(shop);
  // Shopify has the order before it sends the webhook; the write-back then finds the customer.
  for (const order of orders) sandboxShop.addOrder(order);
  await world.stack.idle(); // the install's (empty) backfill

  const latencies: number[] = [];
  const statuses = new Map<string, number>();
  const count = (status: string) => void statuses.set(status, (statuses.get(status) ?? 0) + 1);
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < orders.length; i++) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const order = orders[i]!;
    const body = JSON.stringify(orderWebhookJson(order, sandboxShop));
    const signed = signWebhook({
      secret,
      topic: 'orders/create',
      shop,
      body,
      apiVersion: SHOPIFY_API_VERSION,
    });
    const sent = performance.now();
    const delivery = fetch(`${world.stack.url}/shopify/webhooks`, {
      method: 'POST',
      headers: signed.headers,
      body,
      signal: AbortSignal.timeout(30_000),
    })
      .then(async (response) => {
        await response.arrayBuffer();
        latencies.push(performance.now() - sent);
        count(String(response.status));
      })
      .catch((error: unknown) => count(error instanceof Error ? error.name : 'error'))
      .finally(() => inFlight.delete(delivery));
    inFlight.add(delivery);
  }
  await Promise.all(inFlight);
  const lastAck = performance.now();
  await world.stack.idle();
  const drained = performance.now();

  let scored = 0;
  for await (const page of scorePages(world.store, 'load-bench')) scored += page.length;
  latencies.sort((a, b) => a - b);
  const round = (v: number | null) => (v === null ? null : Math.round(v));
  console.log(
    JSON.stringify({
      deliveries,
      targetPerSecond: perSecond,
      achievedPerSecond: Math.round((deliveries / (lastAck - started)) * 1000 * 10) / 10,
      ackP50Ms: round(quantile(latencies, 0.5)),
      ackP99Ms: round(quantile(latencies, 0.99)),
      ackMaxMs: round(latencies.at(-1) ?? null),
      statuses: Object.fromEntries(statuses),
      backlogDrainSeconds: Math.round((drained - lastAck) / 100) / 10,
      customersScored: scored,
      metafieldWrites: sandboxShop.writes.length,
      deadLetters: Object.fromEntries(
        Object.entries(world.stack.consumers).map(([name, c]) => [name, c.queue.deadLetters.length]),
      ),
    }),
  );
} finally {
  await world.stop();
}
