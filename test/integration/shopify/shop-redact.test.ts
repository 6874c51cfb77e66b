/**
 * `shop/redact` of a workspace that links a shop and a Salesforce org, delivered signed to the webhook
 * handler on DynamoDB Local: the Shopify side goes (the shop's route, session, backfill checkpoint and
 * pending metafield writes, every Shopify order and Shopify customer id; a customer left with no order),
 * the Salesforce side stays (the workspace, its org route, settings and outbound token, customers with
 * Salesforce orders), and a customer known by both keeps its Salesforce order, loses its Shopify one and
 * is queued for rescoring. The score consumer then rescores it from the Salesforce order alone.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Session } from '@shopify/shopify-api';
import { describe, expect, it } from 'vitest';
import { createScoreHandler } from '../../../functions/score.ts';
import { createShopifyWebhookHandler } from '../../../functions/shopify-webhooks.ts';
import { issueOutboundToken, outboundTokenMatches } from '../../../integrations/salesforce/outbound-token.ts';
import { saveSession, offlineSessionId } from '../../../integrations/shopify/session-storage.ts';
import { createShopifyApp, SHOPIFY_API_VERSION } from '../../../integrations/shopify/shopify-app.ts';
import { LocalQueue } from '../../../local/sqs-queue.ts';
import { putBackfill } from '../../../shared/store/backfills.ts';
import { partitionItems } from '../../../shared/store/identities.ts';
import type { Order } from '../../../shared/store/order.ts';
import { recordOrder } from '../../../shared/store/orders.ts';
import { getTenant, putTenant, tenantIdFor } from '../../../shared/store/tenants.ts';
import { apiEvent } from '../../helpers/api-event.ts';
import { scanAll, scoresOf, tenantName, testStore } from '../../helpers/dynamo.ts';
import { signWebhook } from '../../../sandbox/shopify/index.ts';

const store = testStore();
const logger = new Logger({ serviceName: 'clv-test', logLevel: 'SILENT' });
const API_SECRET = 'shop-redact-secret-not-real';
const NOW = Date.parse('2026-06-01T00:00:00Z');
const shopify = createShopifyApp({ apiKey: 'k', apiSecret: API_SECRET, appUrl: 'https://app.clv-sync.test' });

const order = (
  source: Order['source'],
  orderId: string,
  customer: Order['customer'],
  day: number,
): Order => ({
  source,
  orderId,
  version: `2026-03-${String(day).padStart(2, '0')}T10:00:00Z`,
  customer,
  placedAt: `2026-03-${String(day).padStart(2, '0')}T10:00:00Z`,
  value: 50 + day,
  refunded: 0,
  currency: 'EUR',
  margin: null,
  cancelled: false,
});

describe('shop/redact of a workspace joined with Salesforce', () => {
  it('deletes the Shopify side and keeps the workspace and the Salesforce side', async () => {
    const tenantId = tenantName('joined-redact');
    const shop = `${tenantId}.myshopify.com`;
    const org = `00D5g${String(Math.floor(Math.random() * 1e10)).padStart(10, '0')}`;
    const outbound = issueOutboundToken();
    const tenant = await putTenant(store, {
      tenantId,
      shopifyShop: shop,
      salesforceOrgId: org,
      salesforceOutboundTokenHash: outbound.hash,
      currency: 'EUR',
      defaultMarginRate: 0.3,
    });
    const suffix = tenantId.slice(-6);
    // A: Shopify only. B: known by both (one email), an order from each. C: Salesforce only.
    const a = await recordOrder(
      store,
      tenant,
      order('shopify', 'sa1', { shopifyCustomerId: '7001', email: `a.${suffix}@example.com` }, 1),
    );
    await recordOrder(store, tenant, order('shopify', 'sa2', { shopifyCustomerId: '7001' }, 9));
    const b = await recordOrder(
      store,
      tenant,
      order('shopify', 'sb1', { shopifyCustomerId: '7002', email: `b.${suffix}@example.com` }, 2),
    );
    const b2 = await recordOrder(
      store,
      tenant,
      order(
        'salesforce',
        'Order:801B',
        { salesforceContactId: '003B00000000001', email: `b.${suffix}@example.com` },
        3,
      ),
    );
    expect(b2.customerId).toBe(b.customerId);
    const c = await recordOrder(
      store,
      tenant,
      order('salesforce', 'Order:801C', { salesforceContactId: '003C00000000001' }, 4),
    );
    await saveSession(
      store,
      tenantId,
      new Session({
        id: offlineSessionId(shop),
        shop,
        state: 's',
        isOnline: false,
        accessToken: 'shpat_test',
      }),
    );
    const at = new Date(NOW).toISOString();
    await putBackfill(store, tenantId, {
      source: 'shopify',
      status: 'done',
      operationId: 'gid://shopify/BulkOperation/1',
      ordersRecorded: 3,
      customers: 2,
      startedAt: at,
      updatedAt: at,
    });
    const score = createScoreHandler({ store, logger, now: () => NOW, enqueueWriteback: async () => {} });
    const queue = new LocalQueue({ name: 'score', batchSize: 25 });
    for (const id of [a.customerId, b.customerId, c.customerId])
      await queue.send({ tenantId, customerId: id });
    await queue.drain(score);
    expect((await scoresOf(store, tenantId)).size).toBe(3);
    const before = (await scoresOf(store, tenantId)).get(b.customerId)!;
    expect(before.history.days).toHaveLength(2);

    const webhooks = createShopifyWebhookHandler({
      store,
      shopify,
      logger,
      enqueue: (m) => queue.send(m),
      now: () => NOW,
    });
    const signed = signWebhook({
      secret: API_SECRET,
      topic: 'shop/redact',
      shop,
      body: JSON.stringify({ shop_id: 1, shop_domain: shop }),
      apiVersion: SHOPIFY_API_VERSION,
    });
    const res = await webhooks(
      apiEvent({ method: 'POST', path: '/shopify/webhooks', headers: signed.headers, body: signed.body }),
    );
    expect(res.statusCode).toBe(200);

    // The workspace and its Salesforce side.
    const kept = await getTenant(store, tenantId);
    expect(kept.shopifyShop).toBeUndefined();
    expect(kept).toMatchObject({ salesforceOrgId: org, currency: 'EUR', defaultMarginRate: 0.3 });
    expect(outboundTokenMatches(kept.salesforceOutboundTokenHash!, outbound.token)).toBe(true);
    expect(await tenantIdFor(store, 'salesforce', org)).toBe(tenantId);
    expect(await tenantIdFor(store, 'shopify', shop)).toBeNull();
    // Nothing of the shop is left: no Shopify order, owner, id, session, checkpoint or pending write.
    const items = (await scanAll(store)).filter(
      (i) => String(i.gsi1pk) === `T#${tenantId}` || String(i.sk) === shop,
    );
    const shopifyItems = items.filter((i) =>
      /shopify/i.test(`${String(i.sk)} ${String(i.gsi1sk)} ${String(i.pk)}`),
    );
    expect(shopifyItems.map((i) => `${String(i.pk)} ${String(i.sk)}`)).toEqual([]);
    expect(JSON.stringify(items)).not.toContain(`a.${suffix}@example.com`);
    expect(await partitionItems(store, tenantId, a.customerId)).toEqual([]);
    // B keeps its Salesforce order; C is untouched.
    const bOrders = (await partitionItems(store, tenantId, b.customerId)).filter((i) =>
      String(i.sk).startsWith('ORDER#'),
    );
    expect(bOrders.map((i) => i.sk)).toEqual(['ORDER#salesforce#Order:801B']);
    expect(
      (await partitionItems(store, tenantId, c.customerId)).filter((i) => String(i.sk).startsWith('ORDER#')),
    ).toHaveLength(1);
    // B is queued for rescoring, and rescored from the Salesforce order alone.
    expect(queue.pending.map((m) => JSON.parse(m.body))).toEqual([{ tenantId, customerId: b.customerId }]);
    await queue.drain(score);
    const scores = await scoresOf(store, tenantId);
    expect([...scores.keys()].sort()).toEqual([b.customerId, c.customerId].sort());
    expect(scores.get(b.customerId)!.history.days).toHaveLength(1);
    expect(scores.get(b.customerId)!.identities.some((k) => k.startsWith('shopify:'))).toBe(false);
    const after = (await scanAll(store)).filter((i) => String(i.gsi1pk) === `T#${tenantId}`);
    expect(JSON.stringify(after, (_, v: unknown) => (v instanceof Set ? [...v] : v))).not.toContain(
      'shopify:',
    );
  });
});
