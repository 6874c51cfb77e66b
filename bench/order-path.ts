/**
 * What one order costs in AWS terms, measured: signed orders/create
 * deliveries through the production handlers (webhook → score → write-back)
 * on DynamoDB Local and the Shopify sandbox, one order at a time, each scored
 * in a batch of its own and each flush written alone (a steady trickle of
 * orders, the dearest case: bursts share score batches and flushes). Counts
 * DynamoDB calls and the read/write capacity units DynamoDB reports for them
 * (ReturnConsumedCapacity on every call), SQS messages sent, handler
 * milliseconds, and the bytes each function writes to its log (the
 * production loggers at INFO and the EMF metrics, flushed per invocation as
 * logMetrics does), per function. Prints one JSON line of per-order figures.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSEvent } from 'aws-lambda';
import { createMetrics } from '../functions/runtime/observability.ts';
import { createScoreHandler } from '../functions/score.ts';
import { createShopifyAuthHandler } from '../functions/shopify-auth.ts';
import { createShopifyWebhookHandler } from '../functions/shopify-webhooks.ts';
import { createWritebackHandler } from '../functions/writeback.ts';
import { createShopifyApp, SHOPIFY_API_VERSION } from '../integrations/shopify/shopify-app.ts';
import { createTable, startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { createStore } from '../shared/store/store.ts';
import { apiEvent } from '../test/helpers/api-event.ts';
import { generateShopHistory, startShopifySandbox } from '../sandbox/shopify/index.ts';
import { orderWebhookJson } from '../sandbox/shopify/webhook-payloads.ts';
import { signWebhook } from '../sandbox/shopify/webhook-sender.ts';

const ORDERS = Number(process.argv[2] ?? 200);
const API_KEY = 'cost-key';
const API_SECRET = 'cost-secret';
const shop = 'cost.myshopify.com';
const NOW = Date.parse('2026-06-01T00:00:00Z');

type Fn = 'webhook' | 'score' | 'writeback';
const usage = {
  calls: {} as Record<string, Record<string, number>>,
  readUnits: { webhook: 0, score: 0, writeback: 0 } as Record<Fn, number>,
  writeUnits: { webhook: 0, score: 0, writeback: 0 } as Record<Fn, number>,
  sqsSends: { webhook: 0, score: 0, writeback: 0 } as Record<Fn, number>,
  invocations: { webhook: 0, score: 0, writeback: 0 } as Record<Fn, number>,
  ms: { webhook: [], score: [], writeback: [] } as Record<Fn, number[]>,
  logBytes: { webhook: 0, score: 0, writeback: 0 } as Record<Fn, number>,
};
let current: Fn | null = null;

const dynamo = await startDynamoDbLocal();
// The sandbox's clock, moved forward by the client's sleeps: a throttled flush waits for the bucket to refill
// at Shopify's restore rate without the measurement waiting in real time.
let clock = Date.now();
const sandbox = await startShopifySandbox({ apiKey: API_KEY, apiSecret: API_SECRET, now: () => clock });
try {
  await createTable(dynamo.endpoint, 'clv-cost');
  const store = createStore({ tableName: 'clv-cost', endpoint: dynamo.endpoint });
  type Capacity = { ReadCapacityUnits?: number; WriteCapacityUnits?: number; CapacityUnits?: number };
  store.doc.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      const out = await next(args);
      if (!current) return out;
      const name = String(context.commandName).replace(/Command$/, '');
      const byOp = (usage.calls[current] ??= {});
      byOp[name] = (byOp[name] ?? 0) + 1;
      const consumed = (out.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity;
      for (const c of [consumed ?? []].flat()) {
        // Reads report ReadCapacityUnits or, for a read-only call, CapacityUnits; writes likewise.
        const reads =
          c.ReadCapacityUnits ?? (/^(Get|Query|BatchGet|TransactGet)/.test(name) ? c.CapacityUnits : 0);
        const writes =
          c.WriteCapacityUnits ??
          (/^(Put|Update|Delete|BatchWrite|TransactWrite)/.test(name) ? c.CapacityUnits : 0);
        usage.readUnits[current] += reads ?? 0;
        usage.writeUnits[current] += writes ?? 0;
      }
      return out;
    },
    { step: 'initialize', name: 'measureCapacity' },
  );

  const s = sandbox.addShop(shop, { currencyCode: 'USD' });
  const history = generateShopHistory({
    orders: Math.ceil(ORDERS * 1.2),
    customers: Math.ceil(ORDERS / 3),
    seed: 11,
    currencyCode: 'USD',
    start: '2025-06-01T00:00:00Z',
    end: '2026-05-30T00:00:00Z',
  });
  for (const order of history) s.addOrder(order);
  // Guest orders without an email are answered 422 and cost only the webhook: the path measured is a customer's.
  const orders = history.filter((o) => o.customer).slice(0, ORDERS);
  const shopify = createShopifyApp({
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    appUrl: 'https://app.clv-sync.test',
    adminOrigin: sandbox.origin,
  });
  const logger = new Logger({ serviceName: 'clv-sync', logLevel: 'SILENT' });
  // The functions' own loggers and metrics, as in production: their output is counted, not shown.
  const fnLogger = () => new Logger({ serviceName: 'clv-sync', logLevel: 'INFO' });
  const metrics = createMetrics();
  const install = await createShopifyAuthHandler({ shopify, store, logger, requestBackfill: async () => {} })(
    apiEvent({
      method: 'POST',
      path: '/shopify/install',
      headers: { authorization: `Bearer ${sandbox.sessionToken(shop)}` },
    }),
  );
  if (install.statusCode !== 200) throw new Error(`install answered ${install.statusCode}`);

  const scoreQueue: unknown[] = [];
  const writebackQueue: unknown[] = [];
  const webhook = createShopifyWebhookHandler({
    store,
    shopify,
    logger: fnLogger(),
    metrics,
    enqueue: async (m) => {
      usage.sqsSends.webhook++;
      scoreQueue.push(m);
    },
    now: () => NOW,
  });
  const score = createScoreHandler({
    store,
    logger: fnLogger(),
    metrics,
    now: () => NOW,
    enqueueWriteback: async (m) => {
      usage.sqsSends.score++;
      writebackQueue.push(m);
    },
  });
  const writeback = createWritebackHandler({
    store,
    shopify,
    logger: fnLogger(),
    metrics,
    salesforceSecrets: async () => ({}),
    clientOptions: {
      sleep: async (ms: number) => {
        clock += ms;
      },
    },
  });
  const sqsEvent = (body: unknown): SQSEvent => ({
    Records: [
      {
        messageId: crypto.randomUUID(),
        receiptHandle: 'r',
        body: JSON.stringify(body),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: '0',
          SenderId: 'cost',
          ApproximateFirstReceiveTimestamp: '0',
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:cost',
        awsRegion: 'us-east-1',
      },
    ],
  });
  const timed = async <T>(fn: Fn, run: () => Promise<T>): Promise<T> => {
    current = fn;
    usage.invocations[fn]++;
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => {
      usage.logBytes[fn] += Buffer.byteLength(chunk);
      return true;
    }) as typeof process.stdout.write;
    const started = performance.now();
    try {
      return await run();
    } finally {
      usage.ms[fn].push(performance.now() - started);
      metrics.publishStoredMetrics();
      process.stdout.write = write;
      current = null;
    }
  };
  const context = { functionName: 'cost', awsRequestId: 'cost' } as Context;
  for (const order of orders) {
    const signed = signWebhook({
      secret: API_SECRET,
      topic: 'orders/create',
      shop,
      body: JSON.stringify(orderWebhookJson(order, s)),
      apiVersion: SHOPIFY_API_VERSION,
    });
    const res = await timed('webhook', () =>
      webhook(
        apiEvent({ method: 'POST', path: '/shopify/webhooks', headers: signed.headers, body: signed.body }),
      ),
    );
    if (res.statusCode !== 200) throw new Error(`webhook answered ${res.statusCode}: ${String(res.body)}`);
    for (const m of scoreQueue.splice(0)) await timed('score', () => score(sqsEvent(m), context));
    for (const m of writebackQueue.splice(0)) {
      const out = await timed('writeback', () => writeback(sqsEvent(m), context));
      if (out.batchItemFailures.length) throw new Error('a flush failed');
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const perOrder = (n: number) => Number((n / ORDERS).toFixed(3));
  const fns: Fn[] = ['webhook', 'score', 'writeback'];
  console.log(
    JSON.stringify({
      orders: ORDERS,
      customers: new Set(orders.map((o) => o.customer?.id)).size,
      perOrder: Object.fromEntries(
        fns.map((fn) => [
          fn,
          {
            invocations: perOrder(usage.invocations[fn]),
            medianMs: Number(median(usage.ms[fn]).toFixed(1)),
            dynamoCalls: Object.fromEntries(
              Object.entries(usage.calls[fn] ?? {}).map(([op, n]) => [op, perOrder(n)]),
            ),
            readUnits: perOrder(usage.readUnits[fn]),
            writeUnits: perOrder(usage.writeUnits[fn]),
            sqsSends: perOrder(usage.sqsSends[fn]),
            logBytes: perOrder(usage.logBytes[fn]),
          },
        ]),
      ),
      shopifyCalls: perOrder(sandbox.calls.length),
    }),
  );
} finally {
  await sandbox.stop();
  await dynamo.stop();
}
