/**
 * Load on the embedded stack (`npm start`'s): signed orders/create webhooks POSTed over loopback HTTP to
 * serverless-offline at a fixed rate (open loop: each is sent on its schedule whatever the earlier ones
 * are doing), then the backlog (scoring, write-back to the Shopify sandbox) drained by the local consumers.
 * Prints one JSON line: acknowledgement latency p50/p99/max, statuses, the achieved rate, how long the
 * backlog took to drain after the last acknowledgement, the customers of the accepted (200) orders scored
 * and written back, the serving path's own breakdown (waiting for a slot vs the handler), and the machine's
 * load average before and after.
 *
 *   node bench/stack-load.ts [deliveries=3000] [per-second=50]
 *
 * CLV_LOCAL_CPU_PROF=<directory> also leaves a CPU profile of serverless-offline's process there (run this
 * script with `node --cpu-prof` for the consumers' side). Figures of this machine and DynamoDB Local, for
 * comparing changes, not AWS's.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { SHOPIFY_API_VERSION } from '../integrations/shopify/shopify-app.ts';
import { applyEnvFile } from '../shared/config/env-file.ts';
import { freeLoopbackPort } from '../local/dynamodb-local.ts';
import { startLocalWorld } from '../local/local-world.ts';
import { scorePages } from '../shared/store/scores.ts';
import {
  generateShopHistory,
  orderAmounts,
  orderWebhookJson,
  signWebhook,
} from '../sandbox/shopify/index.ts';

const deliveries = Number(process.argv[2] ?? 3000);
const perSecond = Number(process.argv[3] ?? 50);
/** Shopify's own wait for an answer; the client here waits longer, to see how late the late ones are. */
const SHOPIFY_WAIT_MS = 5000;
const secret = 'bench-load-secret';
const shop = 'load-bench.myshopify.com';
const httpPort = await freeLoopbackPort();
const scratch = mkdtempSync(join(tmpdir(), 'clv-stack-load-'));
const timingsFile = join(scratch, 'timings.jsonl');
// The functions read the app's settings from the environment, as `npm start` has them from .env.
Object.assign(process.env, {
  SHOPIFY_API_KEY: 'load-bench',
  SHOPIFY_API_SECRET: secret,
  SHOPIFY_APP_URL: `http://localhost:${httpPort}`,
  SALESFORCE_CLIENT_SECRET: 'load-bench-secret',
  LOG_LEVEL: 'ERROR',
  // The in-process consumers' EMF lines would bury the one JSON line this prints.
  POWERTOOLS_METRICS_DISABLED: 'true',
  CLV_LOCAL_TIMINGS: timingsFile,
});
applyEnvFile(fileURLToPath(new URL('../.env.example', import.meta.url)));

const quantile = (sorted: readonly number[], q: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : null;
const round = (v: number | null | undefined) => (v === null || v === undefined ? null : Math.round(v));
/** Per 10 s window from the first request: requests, refusals and the served handlers' p99. */
function byTenSeconds(timings: readonly { receivedAt: number; handlerMs: number; refused: boolean }[]) {
  const first = Math.min(...timings.map((t) => t.receivedAt));
  const windows = new Map<number, { requests: number; refused: number; handlers: number[] }>();
  for (const t of timings) {
    const w = Math.floor((t.receivedAt - first) / 10_000);
    const window = windows.get(w) ?? { requests: 0, refused: 0, handlers: [] };
    window.requests++;
    if (t.refused) window.refused++;
    else window.handlers.push(t.handlerMs);
    windows.set(w, window);
  }
  return [...windows]
    .sort(([a], [b]) => a - b)
    .map(([w, { requests, refused, handlers }]) => ({
      fromSecond: w * 10,
      requests,
      refused,
      handlerP99Ms: round(
        quantile(
          handlers.sort((a, b) => a - b),
          0.99,
        ),
      ),
    }));
}
const load = () => loadavg().map((v) => Math.round(v * 100) / 100);

const orders = generateShopHistory({
  orders: deliveries,
  customers: Math.max(1, Math.round(deliveries / 3)),
  seed: 11,
  currencyCode: 'USD',
  start: '2025-06-01T00:00:00Z',
  end: '2026-10-01T00:00:00Z',
});

const loadBefore = load();
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
  { httpPort, dynamoDbPort: 0, sqsPort: 0, log: (line) => process.stderr.write(`${line}\n`) },
);
try {
  const sandboxShop = world.shopify!.shop(shop);
  await world.stack.idle(); // the install's backfill, of a shop with no orders yet: nothing scored before the load
  rmSync(timingsFile, { force: true }); // the install's own request is not part of the load

  const latencies: number[] = [];
  const statuses = new Map<string, number>();
  const count = (status: string) => void statuses.set(status, (statuses.get(status) ?? 0) + 1);
  /** Customers of the orders answered 200: each must be scored and written back, but one who kept nothing. */
  const accepted = new Set<string>();
  /**
   * Customers with an accepted order they kept (not cancelled, not wholly refunded): the scorer leaves a
   * customer who kept nothing unscored by design (shared/pipeline/score-customer.ts, "nothing bought yet").
   */
  const kept = new Set<string>();
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < orders.length; i++) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const order = orders[i]!;
    // Shopify has the order before it sends the webhook; the write-back then finds the customer.
    sandboxShop.addOrder(order);
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
        // A test order is answered 200 and rightly ignored (nothing to score).
        if (response.status !== 200 || !order.customer || order.test) return;
        accepted.add(String(order.customer.id));
        if (!order.cancelledAt && orderAmounts(order).currentSubtotalMinor > 0)
          kept.add(String(order.customer.id));
      })
      .catch((error: unknown) => count(error instanceof Error ? error.name : 'error'))
      .finally(() => inFlight.delete(delivery));
    inFlight.add(delivery);
  }
  const lastSent = performance.now();
  const loadDuring = load(); // the last minute's: the sending
  await Promise.all(inFlight);
  const lastAck = performance.now();
  await world.stack.idle();
  const drained = performance.now();
  const loadAfter = load();

  const scoredCustomers = new Set<string>();
  for await (const page of scorePages(world.store, 'load-bench'))
    for (const score of page)
      for (const identity of score.identities)
        if (identity.startsWith('shopify:')) scoredCustomers.add(identity.slice('shopify:'.length));
  const notScored = [...kept].filter((c) => !scoredCustomers.has(c));
  const notWritten = [...kept].filter(
    (c) => !sandboxShop.customers.get(c)?.metafields.get('clv.predicted_clv'),
  );
  latencies.sort((a, b) => a - b);

  // The serving path's own account of each request (local/offline-admission.ts).
  const timings = readFileSync(timingsFile, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map(
      (l) =>
        JSON.parse(l) as {
          receivedAt: number;
          waitMs: number;
          handlerMs: number;
          totalMs: number;
          refused: boolean;
        },
    );
  const served = timings.filter((t) => !t.refused);
  const sortedOf = (values: number[]) => values.sort((a, b) => a - b);
  const waits = sortedOf(served.map((t) => t.waitMs));
  const handlers = sortedOf(served.map((t) => t.handlerMs));
  const totals = sortedOf(served.map((t) => t.totalMs));
  console.log(
    JSON.stringify({
      deliveries,
      targetPerSecond: perSecond,
      sendSeconds: Math.round((lastSent - started) / 100) / 10,
      achievedPerSecond: Math.round((deliveries / (lastAck - started)) * 1000 * 10) / 10,
      ackP50Ms: round(quantile(latencies, 0.5)),
      ackP99Ms: round(quantile(latencies, 0.99)),
      ackMaxMs: round(latencies.at(-1)),
      overShopifyWait: latencies.filter((l) => l > SHOPIFY_WAIT_MS).length,
      statuses: Object.fromEntries(statuses),
      backlogDrainSeconds: Math.round((drained - lastAck) / 100) / 10,
      acceptedCustomers: accepted.size,
      /** Of the accepted customers, those whose every accepted order was cancelled or wholly refunded. */
      keptNothing: accepted.size - kept.size,
      customersToScore: kept.size,
      customersScored: kept.size - notScored.length,
      customersWrittenBack: kept.size - notWritten.length,
      // Scored though they kept nothing would be a bug too: a score from no purchase.
      scoredKeptNothing: [...accepted].filter((c) => !kept.has(c) && scoredCustomers.has(c)).length,
      metafieldWrites: sandboxShop.writes.length,
      /** Seconds each consumer paused for the HTTP functions (local/http-activity.ts). */
      consumersYieldedSeconds: Object.fromEntries(
        Object.entries(world.stack.consumers).map(([name, c]) => [name, Math.round(c.yieldedMs / 100) / 10]),
      ),
      deadLetters: Object.fromEntries(
        Object.entries(world.stack.consumers).map(([name, c]) => [name, c.queue.deadLetters.length]),
      ),
      serving: {
        waitP50Ms: round(quantile(waits, 0.5)),
        waitP99Ms: round(quantile(waits, 0.99)),
        handlerP50Ms: round(quantile(handlers, 0.5)),
        handlerP99Ms: round(quantile(handlers, 0.99)),
        arrivalToAnswerP50Ms: round(quantile(totals, 0.5)),
        arrivalToAnswerP99Ms: round(quantile(totals, 0.99)),
        refused: timings.length - served.length,
        /** Refusals and the handler p99 by 10 s of the sending: a cold start shows in the first. */
        byTenSeconds: byTenSeconds(timings),
      },
      loadAverage: { before: loadBefore, during: loadDuring, after: loadAfter },
      cpus: (await import('node:os')).cpus().length,
    }),
  );
} finally {
  await world.stop();
  rmSync(scratch, { recursive: true, force: true });
}
