/**
 * Issue 15, item 13: a delivery signed for shop A (the secret is the app's, the same for every shop)
 * replayed with shop B's X-Shopify-Shop-Domain — the header is not under the HMAC. Where the body names
 * its shop (Shopify's documented examples: `order_status_url`, `myshopify_domain`, `shop_domain`), the
 * production handler refuses the contradiction with a 400 and B's items stay byte for byte the same.
 */
import { Session } from '@shopify/shopify-api';
import { describe, expect, it } from 'vitest';
import { createShopifyWebhookHandler } from '../../../functions/shopify-webhooks.ts';
import { loadSession, offlineSessionId, saveSession } from '../../../integrations/shopify/session-storage.ts';
import { createShopifyApp, SHOPIFY_API_VERSION } from '../../../integrations/shopify/shopify-app.ts';
import type { ScoreMessage } from '../../../shared/pipeline/messages.ts';
import { putTenant } from '../../../shared/store/tenants.ts';
import { apiEvent } from '../../helpers/api-event.ts';
import { tenantName, tenantSnapshot, testStore } from '../../helpers/dynamo.ts';
import { documentedExample } from '../../../sandbox/shopify/documented-examples.ts';
import { signWebhook } from '../../../sandbox/shopify/webhook-sender.ts';
import { capturingLogger } from '../../reliability/figures.ts';

const SECRET = 'shop-check-secret';
const store = testStore();
const queued: ScoreMessage[] = [];
const { logger, lines } = capturingLogger();
const handler = createShopifyWebhookHandler({
  store,
  shopify: createShopifyApp({ apiKey: 'shop-check', apiSecret: SECRET, appUrl: 'https://app.clv-sync.test' }),
  logger,
  enqueue: async (m) => void queued.push(m),
  now: () => Date.parse('2026-06-01T00:00:00Z'),
});

async function shops() {
  const make = async (name: string) => {
    const tenantId = tenantName(name);
    const shop = `${tenantId}.myshopify.com`;
    await putTenant(store, { tenantId, shopifyShop: shop, currency: 'USD' });
    const id = offlineSessionId(shop);
    await saveSession(
      store,
      tenantId,
      new Session({ id, shop, state: 's', isOnline: false, accessToken: 'shpat_shop_check' }),
    );
    return { tenantId, shop, session: () => loadSession(store, tenantId, id) };
  };
  return { a: await make('shop-check-a'), b: await make('shop-check-b') };
}

/** A signed delivery of `payload` whose header names `headerShop`. */
async function deliver(topic: string, headerShop: string, payload: unknown) {
  const signed = signWebhook({
    secret: SECRET,
    topic,
    shop: headerShop,
    body: JSON.stringify(payload),
    apiVersion: SHOPIFY_API_VERSION,
  });
  const res = await handler(
    apiEvent({ method: 'POST', path: '/shopify/webhooks', headers: signed.headers, body: signed.body }),
  );
  return { status: res.statusCode, body: JSON.parse(String(res.body)) as Record<string, unknown> };
}

const liveOrder = (shop: string) => ({
  ...documentedExample('orders/create', { live: true, shop }).payload,
  cancelled_at: null,
  cancel_reason: null,
});

describe('a body naming its shop must agree with X-Shopify-Shop-Domain (issue 15, item 13)', () => {
  it("refuses shop A's order replayed as shop B's: 400, logged, nothing stored in B", async () => {
    const { a, b } = await shops();
    const before = await tenantSnapshot(store, b.tenantId);
    const replay = await deliver('orders/create', b.shop, liveOrder(a.shop));
    expect(replay.status).toBe(400);
    expect(String(replay.body.error)).toContain(`order_status_url names shop ${a.shop}`);
    expect(lines.some((l) => l.includes('webhook rejected') && l.includes(a.shop))).toBe(true);
    expect(await tenantSnapshot(store, b.tenantId)).toBe(before);
    expect(queued.filter((m) => m.tenantId === b.tenantId)).toEqual([]);
    // The same delivery under its own shop's header is stored.
    expect(await deliver('orders/create', a.shop, liveOrder(a.shop))).toMatchObject({
      status: 200,
      body: { action: 'order stored' },
    });
  });

  it('compares only a *.myshopify.com status-page host: a custom storefront domain is accepted', async () => {
    const { b } = await shops();
    const order = liveOrder(b.shop) as Record<string, unknown>;
    order.order_status_url = 'https://shop.example.com/548380009/orders/123456abcd/authenticate?key=abc';
    expect((await deliver('orders/create', b.shop, order)).status).toBe(200);
  });

  it("refuses an app/uninstalled naming shop A sent as shop B's: B's session survives", async () => {
    const { a, b } = await shops();
    // The documented example is the shop resource with myshopify_domain null; a live one carries the domain.
    const uninstalled = { ...documentedExample('app/uninstalled').payload, myshopify_domain: a.shop };
    const replay = await deliver('app/uninstalled', b.shop, uninstalled);
    expect(replay.status).toBe(400);
    expect(String(replay.body.error)).toContain(`myshopify_domain names shop ${a.shop}`);
    expect(await b.session()).not.toBeNull();
    expect((await deliver('app/uninstalled', a.shop, uninstalled)).status).toBe(200);
    expect(await a.session()).toBeNull();
  });

  it('takes the header alone when the body names no shop (the documented app/uninstalled example)', async () => {
    const { b } = await shops();
    expect(await deliver('app/uninstalled', b.shop, documentedExample('app/uninstalled').payload)).toEqual({
      status: 200,
      body: { action: 'session deleted' },
    });
    expect(await b.session()).toBeNull();
  });

  it("refuses a compliance request whose shop_domain is another shop's", async () => {
    const { a, b } = await shops();
    const before = await tenantSnapshot(store, b.tenantId);
    for (const topic of ['customers/redact', 'shop/redact', 'customers/data_request'])
      expect((await deliver(topic, b.shop, documentedExample(topic, { shop: a.shop }).payload)).status).toBe(
        400,
      );
    expect(await tenantSnapshot(store, b.tenantId)).toBe(before);
  });
});
