/**
 * Webhook acknowledgement latency: signed orders/create deliveries through
 * the production handler (HMAC check, routing, dedupe, order stored, customer
 * queued) against DynamoDB Local, one at a time, in its own process. Shopify
 * wants an answer within 5 s. Prints one JSON line: median and p99 in ms.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { createTable, startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { createStore } from '../shared/store/store.ts';
import { restOrderWebhook } from '../test/worlds/shopify-payloads.ts';
import { shopifyWorld } from '../test/worlds/shopify.ts';

const deliveries = Number(process.argv[2] ?? 1000);
const SECRET = 'bench-secret';
const shop = 'bench.myshopify.com';

const dynamo = await startDynamoDbLocal();
try {
  await createTable(dynamo.endpoint, 'clv-bench');
  const store = createStore({ tableName: 'clv-bench', endpoint: dynamo.endpoint });
  let queued = 0;
  const world = shopifyWorld({
    store,
    apiKey: 'bench',
    apiSecret: SECRET,
    logger: new Logger({ serviceName: 'bench', logLevel: 'SILENT' }),
    enqueue: async () => void queued++,
  });
  await world.addTenant('bench', shop, 'USD');
  const handler = world.webhooks;
  const latencies: number[] = [];
  for (let i = 0; i < deliveries; i++) {
    const customer = 1000 + (i % 300);
    const at = new Date(Date.parse('2026-01-01T00:00:00Z') + i * 3_600_000).toISOString();
    const body = JSON.stringify(
      restOrderWebhook({
        id: 450789469 + i,
        email: `c${customer}@example.com`,
        at,
        currency: 'USD',
        subtotal: '59.00',
        customer: {
          id: customer,
          email: `c${customer}@example.com`,
          admin_graphql_api_id: `gid://shopify/Customer/${customer}`,
        },
      }),
    );
    const event = world.webhookEvent(shop, 'orders/create', body, { triggeredAt: at });
    const started = performance.now();
    const res = await handler(event);
    latencies.push(performance.now() - started);
    if (res.statusCode !== 200)
      throw new Error(`delivery ${i} answered ${res.statusCode}: ${String(res.body)}`);
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  console.log(
    JSON.stringify({
      deliveries,
      queued,
      medianMs: at(0.5),
      p99Ms: at(0.99),
      maxMs: latencies.at(-1),
      calls: Object.fromEntries(store.calls),
    }),
  );
} finally {
  await dynamo.stop();
}
