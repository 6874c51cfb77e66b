/**
 * Issue 15, item 16: Shopify forwards no webhook response, so the answer to customers/data_request is
 * stored as an export (30-day TTL, Shopify's deadline) the merchant lists and downloads through the
 * dashboard API. The real webhook handler, scoring and dashboard API over DynamoDB Local: the export
 * holds the customer's orders and score; another shop's token sees none of it; a failed store is a 5xx
 * (Shopify retries) and the retry stores it.
 */
import { InternalServerError } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDashboardApiHandler } from '../../../functions/dashboard-api.ts';
import type { DataRequestsResponse } from '../../../functions/dashboard-api.ts';
import { createScoreHandler } from '../../../functions/score.ts';
import { createShopifyWebhookHandler } from '../../../functions/shopify-webhooks.ts';
import { createShopifyApp, SHOPIFY_API_VERSION } from '../../../integrations/shopify/shopify-app.ts';
import { LocalQueue } from '../../../local/sqs-queue.ts';
import type { Store } from '../../../shared/store/store.ts';
import { putTenant } from '../../../shared/store/tenants.ts';
import { apiEvent } from '../../helpers/api-event.ts';
import { tenantName, testStore } from '../../helpers/dynamo.ts';
import { quietLogger } from '../../reliability/figures.ts';
import { signWebhook } from '../../../sandbox/shopify/index.ts';
import { OAuthServer } from '../../../sandbox/shopify/oauth.ts';

const API_KEY = 'data-requests-key';
const API_SECRET = 'data-requests-secret-not-real';
const NOW = Date.parse('2026-06-01T00:00:00Z');
/** Shopify's deadline for answering a data request, which the export's TTL follows. */
const THIRTY_DAYS_MS = 30 * 24 * 3600 * 1000;
const store = testStore();
const logger = quietLogger();
const shopify = createShopifyApp({
  apiKey: API_KEY,
  apiSecret: API_SECRET,
  appUrl: 'https://app.clv-sync.test',
});
const suffix = Math.random().toString(36).slice(2, 8);
const shopA = `datareq-a-${suffix}.myshopify.com`;
const shopB = `datareq-b-${suffix}.myshopify.com`;
const tenantA = tenantName('datareq-a');
const tenantB = tenantName('datareq-b');
const buyer = { id: 7_700_001, email: `buyer.${suffix}@example.com` };
const queue = new LocalQueue({ name: 'score', batchSize: 25 });
const webhooksOn = (s: Store) =>
  createShopifyWebhookHandler({ store: s, shopify, logger, enqueue: (m) => queue.send(m), now: () => NOW });
const webhooks = webhooksOn(store);
const score = createScoreHandler({ store, logger, now: () => NOW, enqueueWriteback: async () => {} });
const api = createDashboardApiHandler({
  shopify,
  store,
  logger,
  requestRefit: async () => {},
  now: () => NOW,
});
const tokens = new OAuthServer({ apiKey: API_KEY, apiSecret: API_SECRET, now: Date.now });

async function deliver(shop: string, topic: string, payload: unknown, handler = webhooks) {
  const signed = signWebhook({
    secret: API_SECRET,
    topic,
    shop,
    body: JSON.stringify(payload),
    apiVersion: SHOPIFY_API_VERSION,
  });
  const res = await handler(
    apiEvent({ method: 'POST', path: '/shopify/webhooks', headers: signed.headers, body: signed.body }),
  );
  return { status: res.statusCode, body: JSON.parse(String(res.body)) as Record<string, unknown> };
}

const order = (n: number) => ({
  id: 6_600_000 + n,
  created_at: `2026-0${1 + n}-10T10:00:00Z`,
  updated_at: `2026-0${1 + n}-10T10:00:00Z`,
  currency: 'EUR',
  email: buyer.email,
  customer: { id: buyer.id, email: buyer.email },
  current_subtotal_price: (40 + n * 7).toFixed(2),
  refunds: [],
});

const dataRequest = (shop: string, id: number) => ({
  shop_id: 1,
  shop_domain: shop,
  customer: { id: buyer.id, email: buyer.email, phone: null },
  orders_requested: [],
  data_request: { id },
});

const get = async (shop: string, path: string) => {
  const res = await api(
    apiEvent({ method: 'GET', path, headers: { authorization: `Bearer ${tokens.sessionToken(shop)}` } }),
  );
  return { status: res.statusCode, headers: res.headers ?? {}, body: String(res.body) };
};

describe('customers/data_request reaches the merchant as a download (issue 15, item 16)', () => {
  beforeAll(async () => {
    await putTenant(store, { tenantId: tenantA, shopifyShop: shopA, currency: 'EUR' });
    await putTenant(store, { tenantId: tenantB, shopifyShop: shopB, currency: 'EUR' });
    for (let n = 0; n < 3; n++) expect((await deliver(shopA, 'orders/create', order(n))).status).toBe(200);
    await queue.drain(score);
    expect(queue.deadLetters).toEqual([]);
  }, 60_000);

  it("stores the customer's orders and score as an export the dashboard lists and downloads", async () => {
    const answer = await deliver(shopA, 'customers/data_request', dataRequest(shopA, 9001));
    expect(answer).toEqual({
      status: 200,
      body: { action: 'data of 1 customer(s) stored for the merchant', exportId: 'shopify-9001' },
    });

    const list = await get(shopA, '/api/data-requests');
    expect(list.status).toBe(200);
    const { dataRequests } = JSON.parse(list.body) as DataRequestsResponse;
    expect(dataRequests).toEqual([
      {
        exportId: 'shopify-9001',
        kind: 'customers/data_request',
        requestedAt: new Date(NOW).toISOString(),
        expiresAt: new Date(NOW + THIRTY_DAYS_MS).toISOString(),
        customers: 1,
        orders: 3,
        bytes: expect.any(Number),
      },
    ]);

    const file = await get(shopA, '/api/data-requests/shopify-9001');
    expect(file.status).toBe(200);
    expect(file.headers['content-disposition']).toBe('attachment; filename="clv-sync-shopify-9001.json"');
    expect(file.headers['cache-control']).toBe('no-store');
    const exported = JSON.parse(file.body) as {
      request: { dataRequestId: string; shop: string };
      customers: { orders: { orderId: string }[]; score: { clv?: unknown } | null; identities: string[] }[];
    };
    expect(exported.request).toMatchObject({ dataRequestId: '9001', shop: shopA });
    expect(exported.customers).toHaveLength(1);
    expect(exported.customers[0]!.orders.map((o) => o.orderId).sort()).toEqual([
      '6600000',
      '6600001',
      '6600002',
    ]);
    expect(exported.customers[0]!.score).not.toBeNull();
    expect(exported.customers[0]!.identities.join(' ')).toContain(String(buyer.id));
  });

  it("another shop's token sees no export of this shop", async () => {
    await deliver(shopA, 'customers/data_request', dataRequest(shopA, 9002));
    const list = await get(shopB, '/api/data-requests');
    expect(list.status).toBe(200);
    expect((JSON.parse(list.body) as DataRequestsResponse).dataRequests).toEqual([]);
    const file = await get(shopB, '/api/data-requests/shopify-9002');
    expect(file.status).toBe(404);
    expect(file.body).not.toContain(buyer.email);
  });

  it('answers 5xx when the export cannot be stored, so Shopify retries; the retry stores it', async () => {
    // The store fails as DynamoDB does (InternalServerError) on the export's writes only.
    const failing: Store = {
      ...store,
      doc: {
        send: (command: unknown) => {
          const exportWrite =
            command instanceof BatchWriteCommand ||
            (command instanceof PutCommand && String(command.input.Item?.sk).startsWith('EXPORT#'));
          if (exportWrite)
            return Promise.reject(
              new InternalServerError({ $metadata: {}, message: 'Internal server error' }),
            );
          return store.doc.send(command as never);
        },
      } as unknown as DynamoDBDocumentClient,
    };
    const payload = dataRequest(shopA, 9003);
    await expect(deliver(shopA, 'customers/data_request', payload, webhooksOn(failing))).rejects.toThrow(
      InternalServerError,
    );
    expect((await get(shopA, '/api/data-requests/shopify-9003')).status).toBe(404);
    expect((await deliver(shopA, 'customers/data_request', payload)).status).toBe(200);
    expect((await get(shopA, '/api/data-requests/shopify-9003')).status).toBe(200);
  });

  it('customers/redact deletes every export holding the customer', async () => {
    const before = JSON.parse((await get(shopA, '/api/data-requests')).body) as DataRequestsResponse;
    expect(before.dataRequests.length).toBeGreaterThan(0);
    const redact = {
      shop_id: 1,
      shop_domain: shopA,
      customer: { id: buyer.id, email: buyer.email, phone: null },
      orders_to_redact: [],
    };
    expect((await deliver(shopA, 'customers/redact', redact)).status).toBe(200);
    const after = JSON.parse((await get(shopA, '/api/data-requests')).body) as DataRequestsResponse;
    expect(after.dataRequests).toEqual([]);
    expect((await get(shopA, '/api/data-requests/shopify-9001')).status).toBe(404);
  });
});
