// The EMF lines the webhook function writes to stdout, as CloudWatch would read them: the production
// handler wrapped in middy with Powertools' logMetrics, on DynamoDB Local, fed one signed delivery, the same
// delivery again, and one forged delivery.
import { Logger } from '@aws-lambda-powertools/logger';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createShopifyWebhookHandler } from '../../../functions/shopify-webhooks.ts';
import { createMetrics, METRICS_NAMESPACE } from '../../../functions/runtime/observability.ts';
import { createShopifyApp, SHOPIFY_API_VERSION } from '../../../integrations/shopify/shopify-app.ts';
import { putTenant } from '../../../shared/store/tenants.ts';
import { apiEvent } from '../../helpers/api-event.ts';
import { tenantName, testStore } from '../../helpers/dynamo.ts';
import { signWebhook } from '../../../sandbox/shopify/webhook-sender.ts';

const SECRET = 'metrics-test-secret';

interface Emf {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  [key: string]: unknown;
}

/** The EMF documents written to stdout while `run` ran. */
async function emfWrittenBy(run: () => Promise<unknown>): Promise<Emf[]> {
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return written
    .flatMap((w) => w.split('\n'))
    .filter((l) => l.includes('"_aws"'))
    .map((l) => JSON.parse(l) as Emf);
}

/** Each metric in the documents with its value and dimensions. */
const metricsIn = (docs: Emf[]) =>
  docs.flatMap((d) =>
    d._aws.CloudWatchMetrics.flatMap((m) =>
      m.Metrics.map((metric) => ({
        namespace: m.Namespace,
        name: metric.Name,
        value: d[metric.Name],
        dimensions: Object.fromEntries(m.Dimensions.flat().map((k) => [k, d[k]])),
      })),
    ),
  );

describe('webhook metrics', () => {
  const store = testStore();
  const shop = `${tenantName('metrics')}.myshopify.com`;
  const metrics = createMetrics();
  const handler = middy(
    createShopifyWebhookHandler({
      store,
      shopify: createShopifyApp({
        apiKey: 'metrics',
        apiSecret: SECRET,
        appUrl: 'https://app.clv-sync.test',
      }),
      logger: new Logger({ serviceName: 'clv-sync', logLevel: 'SILENT' }),
      enqueue: async () => {},
      metrics,
    }),
  ).use(logMetrics(metrics));
  const context = { functionName: 'clv-sync-test-shopifyWebhooks' } as Context;
  const at = '2026-03-01T10:00:00.000Z';
  const order = JSON.stringify({
    id: 820982911,
    admin_graphql_api_id: 'gid://shopify/Order/820982911',
    email: 'ada@example.com',
    created_at: at,
    updated_at: at,
    processed_at: at,
    cancelled_at: null,
    currency: 'USD',
    test: false,
    current_subtotal_price: '42.00',
    current_subtotal_price_set: { shop_money: { amount: '42.00', currency_code: 'USD' } },
    customer: { id: 115310627, email: 'ada@example.com' },
    discount_codes: [],
    note_attributes: [],
    landing_site: null,
    line_items: [],
    refunds: [],
  });
  const signed = signWebhook({
    secret: SECRET,
    topic: 'orders/create',
    shop,
    body: order,
    apiVersion: SHOPIFY_API_VERSION,
  });
  const deliver = (headers: Record<string, string>) =>
    handler(apiEvent({ method: 'POST', path: '/shopify/webhooks', headers, body: order }), context);

  beforeAll(async () => {
    await putTenant(store, { tenantId: tenantName('metrics'), shopifyShop: shop, currency: 'USD' });
  });
  afterEach(() => metrics.clearMetrics());

  it('an accepted delivery is counted received and processed, in namespace clv-sync', async () => {
    let status = 0;
    const docs = await emfWrittenBy(async () => {
      status = (await deliver(signed.headers)).statusCode!;
    });
    expect(status).toBe(200);
    expect(metricsIn(docs)).toEqual([
      {
        namespace: METRICS_NAMESPACE,
        name: 'ShopifyWebhooksReceived',
        value: 1,
        dimensions: { service: 'clv-sync' },
      },
      {
        namespace: METRICS_NAMESPACE,
        name: 'ShopifyWebhooksProcessed',
        value: 1,
        dimensions: { service: 'clv-sync' },
      },
    ]);
  });

  it('the same delivery again is counted received and duplicate', async () => {
    const docs = await emfWrittenBy(() => deliver(signed.headers));
    expect(metricsIn(docs).map((m) => [m.name, m.value])).toEqual([
      ['ShopifyWebhooksReceived', 1],
      ['ShopifyWebhooksDuplicate', 1],
    ]);
  });

  it('a forged delivery is counted received and rejected with reason signature', async () => {
    // Signed with another secret: the HMAC a forger without ours would send.
    const forged = signWebhook({
      secret: 'not-the-secret',
      topic: 'orders/create',
      shop,
      body: order,
      apiVersion: SHOPIFY_API_VERSION,
    }).headers;
    let status = 0;
    const docs = await emfWrittenBy(async () => {
      status = (await deliver(forged)).statusCode!;
    });
    expect(status).toBe(401);
    expect(metricsIn(docs)).toEqual([
      {
        namespace: METRICS_NAMESPACE,
        name: 'ShopifyWebhooksRejected',
        value: 1,
        dimensions: { service: 'clv-sync', reason: 'signature' },
      },
      {
        namespace: METRICS_NAMESPACE,
        name: 'ShopifyWebhooksReceived',
        value: 1,
        dimensions: { service: 'clv-sync' },
      },
    ]);
  });
});
