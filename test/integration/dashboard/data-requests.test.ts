/**
 * Issue 15, item 16: Shopify forwards no webhook response, so the answer to customers/data_request is
 * stored as an export (30-day TTL, Shopify's deadline) the merchant lists and downloads through the
 * dashboard API. The real webhook handler, scoring and dashboard API over DynamoDB Local: the export
 * holds the customer's orders and score; another shop's token sees none of it; a failed store is a 5xx
 * (Shopify retries) and the retry stores it.
 */
import { InternalServerError } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DataRequestsResponse } from '../../../functions/dashboard-api.ts';
import { tenantName } from '../../helpers/dynamo.ts';
import { interceptedStore } from '../../helpers/intercepted-store.ts';
import { customersDataRequest, customersRedact } from '../../worlds/shopify-payloads.ts';
import { shopifyWorld } from '../../worlds/shopify.ts';

const NOW = Date.parse('2026-06-01T00:00:00Z');
/** Shopify's deadline for answering a data request, which the export's TTL follows. */
const THIRTY_DAYS_MS = 30 * 24 * 3600 * 1000;
const world = shopifyWorld({
  apiKey: 'data-requests-key',
  apiSecret: 'data-requests-secret-not-real',
  webhookNow: () => NOW,
  now: () => NOW,
});
const { store, deliverWebhook: deliver } = world;
const suffix = Math.random().toString(36).slice(2, 8);
const shopA = `datareq-a-${suffix}.myshopify.com`;
const shopB = `datareq-b-${suffix}.myshopify.com`;
const tenantA = tenantName('datareq-a');
const tenantB = tenantName('datareq-b');
const buyer = { id: 7_700_001, email: `buyer.${suffix}@example.com` };

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

const dataRequest = (shop: string, id: number) => customersDataRequest(shop, buyer, id);

const get = (shop: string, path: string) => world.dashboardCall(shop, { path });

describe('customers/data_request reaches the merchant as a download (issue 15, item 16)', () => {
  beforeAll(async () => {
    await world.addTenant(tenantA, shopA);
    await world.addTenant(tenantB, shopB);
    for (let n = 0; n < 3; n++) expect((await deliver(shopA, 'orders/create', order(n))).status).toBe(200);
    await world.drainAll();
    expect(world.queue.deadLetters).toEqual([]);
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
    const failing = interceptedStore(store, (command) => {
      const exportWrite =
        command instanceof BatchWriteCommand ||
        (command instanceof PutCommand && String(command.input.Item?.sk).startsWith('EXPORT#'));
      if (exportWrite) throw new InternalServerError({ $metadata: {}, message: 'Internal server error' });
    });
    const payload = dataRequest(shopA, 9003);
    await expect(
      deliver(shopA, 'customers/data_request', payload, world.webhooksOn(failing)),
    ).rejects.toThrow(InternalServerError);
    expect((await get(shopA, '/api/data-requests/shopify-9003')).status).toBe(404);
    expect((await deliver(shopA, 'customers/data_request', payload)).status).toBe(200);
    expect((await get(shopA, '/api/data-requests/shopify-9003')).status).toBe(200);
  });

  it('customers/redact deletes every export holding the customer', async () => {
    const before = JSON.parse((await get(shopA, '/api/data-requests')).body) as DataRequestsResponse;
    expect(before.dataRequests.length).toBeGreaterThan(0);
    const redact = customersRedact(shopA, buyer);
    expect((await deliver(shopA, 'customers/redact', redact)).status).toBe(200);
    const after = JSON.parse((await get(shopA, '/api/data-requests')).body) as DataRequestsResponse;
    expect(after.dataRequests).toEqual([]);
    expect((await get(shopA, '/api/data-requests/shopify-9001')).status).toBe(404);
  });
});
