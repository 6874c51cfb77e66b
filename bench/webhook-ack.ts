/**
 * Webhook acknowledgement latency: signed orders/create deliveries through
 * the production handler (HMAC check, routing, dedupe, order stored, customer
 * queued) against DynamoDB Local, one at a time, in its own process. Shopify
 * wants an answer within 5 s. Prints one JSON line: median and p99 in ms.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { createShopifyWebhookHandler } from '../functions/shopify-webhooks.ts';
import { createShopifyApp, SHOPIFY_API_VERSION } from '../integrations/shopify/shopify-app.ts';
import { createTable, startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { createStore } from '../shared/store/store.ts';
import { putTenant } from '../shared/store/tenants.ts';
import { apiEvent } from '../test/helpers/api-event.ts';

const deliveries = Number(process.argv[2] ?? 1000);
const SECRET = 'bench-secret';
const shop = 'bench.myshopify.com';

const dynamo = await startDynamoDbLocal();
try {
  await createTable(dynamo.endpoint, 'clv-bench');
  const store = createStore({ tableName: 'clv-bench', endpoint: dynamo.endpoint });
  await putTenant(store, { tenantId: 'bench', shopifyShop: shop, currency: 'USD' });
  const shopify = createShopifyApp({ apiKey: 'bench', apiSecret: SECRET, appUrl: 'https://bench.test' });
  let queued = 0;
  const handler = createShopifyWebhookHandler({
    store,
    shopify,
    logger: new Logger({ serviceName: 'bench', logLevel: 'SILENT' }),
    enqueue: async () => void queued++,
  });
  const latencies: number[] = [];
  for (let i = 0; i < deliveries; i++) {
    const customer = 1000 + (i % 300);
    const at = new Date(Date.parse('2026-01-01T00:00:00Z') + i * 3_600_000).toISOString();
    const body = JSON.stringify({
      id: 450789469 + i,
      admin_graphql_api_id: `gid://shopify/Order/${450789469 + i}`,
      email: `c${customer}@example.com`,
      created_at: at,
      updated_at: at,
      processed_at: at,
      cancelled_at: null,
      currency: 'USD',
      test: false,
      current_subtotal_price: '59.00',
      current_subtotal_price_set: { shop_money: { amount: '59.00', currency_code: 'USD' } },
      customer: {
        id: customer,
        email: `c${customer}@example.com`,
        admin_graphql_api_id: `gid://shopify/Customer/${customer}`,
      },
      discount_codes: [],
      note_attributes: [],
      landing_site: null,
      line_items: [],
      refunds: [],
    });
    const headers = {
      'X-Shopify-Hmac-Sha256': createHmac('sha256', SECRET).update(body).digest('base64'),
      'X-Shopify-Topic': 'orders/create',
      'X-Shopify-Shop-Domain': shop,
      'X-Shopify-Webhook-Id': randomUUID(),
      'X-Shopify-Event-Id': randomUUID(),
      'X-Shopify-Triggered-At': at,
      'X-Shopify-API-Version': SHOPIFY_API_VERSION,
      'Content-Type': 'application/json',
    };
    const started = performance.now();
    const res = await handler(apiEvent({ method: 'POST', path: '/shopify/webhooks', headers, body }));
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
