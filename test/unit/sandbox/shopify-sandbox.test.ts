/**
 * The Shopify sandbox is strict where Shopify is: it refuses what Shopify
 * refuses, in Shopify's words and shapes. Plain fetch against the server,
 * except where the point is that the production library gets along with it.
 */
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Session } from '@shopify/shopify-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, throttleWaitSeconds } from '../../../integrations/shopify/admin-client.ts';
import * as operations from '../../../integrations/shopify/operations.ts';
import { createShopifyApp, SHOPIFY_SCOPES } from '../../../integrations/shopify/shopify-app.ts';
import type { CanonicalOrder, SandboxShop, ShopifySandbox } from '../../../sandbox/shopify/index.ts';
import {
  deliverWebhook,
  generateShopHistory,
  orderWebhookJson,
  refundWebhookJson,
  signWebhook,
  startShopifySandbox,
} from '../../../sandbox/shopify/index.ts';
import { takeAdminFilters } from '../../worlds/admin-filters.ts';

const API_KEY = 'sandbox-test-key';
const API_SECRET = 'sandbox-test-secret';
const VERSION = '2026-10';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function gql(sandbox: ShopifySandbox, shop: string, token: string, query: string, variables?: Json) {
  const res = await fetch(`${sandbox.origin}/admin/api/${VERSION}/graphql.json`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-forwarded-host': shop,
      'x-shopify-access-token': token,
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

async function tokenEndpoint(sandbox: ShopifySandbox, shop: string, body: Json) {
  const res = await fetch(`${sandbox.origin}/admin/oauth/access_token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-forwarded-host': shop },
    body: JSON.stringify({ client_id: API_KEY, client_secret: API_SECRET, ...body }),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

function order(
  id: string,
  customerId: string,
  lines: [price: string, qty: number, discount: string, cost: string | null][],
): CanonicalOrder {
  return {
    id,
    name: `#${id}`,
    currency: 'EUR',
    createdAt: '2026-03-01T10:00:00Z',
    processedAt: '2026-03-01T10:00:00Z',
    updatedAt: '2026-03-01T10:05:00Z',
    cancelledAt: null,
    cancelReason: null,
    test: false,
    email: `c${customerId}@example.com`,
    customer: { id: customerId, email: `c${customerId}@example.com`, firstName: 'Ana' },
    lineItems: lines.map(([price, quantity, discount, unitCost], i) => ({
      id: `${id}0${i + 1}`,
      productId: `88${i}`,
      variantId: `44${i}`,
      title: `Product ${i + 1}`,
      sku: null,
      quantity,
      price,
      discount,
      unitCost,
    })),
    discountCodes: [{ code: 'REF-702', type: 'percentage', value: '10.0' }],
    noteAttributes: [{ name: 'gift_wrap', value: 'yes' }],
    landingSite: '/collections/coffee?ref=702',
    shippingPrice: '4.90',
    refunds: [],
  };
}

/** Three orders with known amounts: A has a partial refund of one of its two units of line 1. */
function threeOrders(): CanonicalOrder[] {
  const a = order('5001', '701', [
    ['30.00', 2, '6.00', '12.00'],
    ['36.00', 1, '3.60', null],
  ]);
  a.refunds = [
    {
      id: '9901',
      createdAt: '2026-03-05T09:00:00Z',
      note: 'damaged',
      lineItems: [{ id: '6601', lineItemId: '500101', quantity: 1 }],
    },
  ];
  a.updatedAt = '2026-03-05T09:00:01Z';
  const b = order('5002', '702', [['15.00', 1, '0.00', '5.00']]);
  const c = order('5003', '701', [
    ['8.00', 3, '0.00', '2.00'],
    ['24.00', 1, '0.00', null],
  ]);
  return [a, b, c];
}

const metafield = (customer: string, key: string, type: string, value: string) => ({
  ownerId: `gid://shopify/Customer/${customer}`,
  namespace: 'clv',
  key,
  type,
  value,
});

describe('Shopify sandbox', () => {
  let sandbox: ShopifySandbox;
  let shop: SandboxShop;
  let token: string;
  const SHOP = 'strict-shop.myshopify.com';

  beforeAll(async () => {
    sandbox = await startShopifySandbox({ apiKey: API_KEY, apiSecret: API_SECRET, bulkPollsUntilDone: 2 });
    shop = sandbox.addShop(SHOP, { currencyCode: 'EUR' });
    for (const o of threeOrders()) shop.addOrder(o);
    token = shop.issueAccessToken();
  });
  afterAll(() => sandbox.stop());

  describe('GraphQL endpoint', () => {
    it('runs every document of operations.ts against the schema slice', async () => {
      const variables: Record<string, Json> = {
        BULK_OPERATION_RUN_QUERY: { query: operations.ORDERS_BULK_QUERY },
        BULK_OPERATION_STATUS: { id: 'gid://shopify/BulkOperation/1' },
        RUNNING_BULK_OPERATIONS: { query: 'operation_type:query' },
        METAFIELD_DEFINITION_CREATE: {
          definition: {
            name: 'Tier',
            namespace: 'clv',
            key: 'tier',
            type: 'single_line_text_field',
            ownerType: 'CUSTOMER',
          },
        },
        METAFIELDS_SET: { metafields: [metafield('701', 'tier', 'single_line_text_field', 'gold')] },
        TAGS_ADD: { id: 'gid://shopify/Customer/701', tags: ['clv-tier:gold'] },
        TAGS_REMOVE: { id: 'gid://shopify/Customer/701', tags: ['clv-tier:silver'] },
        STAGED_UPLOADS_CREATE: {
          input: [
            {
              resource: 'BULK_MUTATION_VARIABLES',
              filename: 'v.jsonl',
              mimeType: 'text/jsonl',
              httpMethod: 'POST',
            },
          ],
        },
        BULK_OPERATION_RUN_MUTATION: { mutation: operations.METAFIELDS_SET, stagedUploadPath: 'tmp/none' },
      };
      for (const [name, document] of Object.entries(operations)) {
        if (name === 'ORDERS_BULK_QUERY') continue; // run in bulk below: it has no page sizes
        const { status, body } = await gql(sandbox, SHOP, token, document, variables[name]);
        expect(status, name).toBe(200);
        expect(body.errors, name).toBeUndefined();
        expect(body.extensions.cost.throttleStatus.maximumAvailable, name).toBe(2000);
      }
      // Let the bulk query started above finish, so the bulk tests below start from a quiet shop.
      for (let i = 0; i < 3; i++)
        await gql(sandbox, SHOP, token, operations.RUNNING_BULK_OPERATIONS, {
          query: 'operation_type:query',
        });
      // The bulk query validates too, and outside a bulk operation Shopify asks for page sizes.
      const direct = await gql(sandbox, SHOP, token, operations.ORDERS_BULK_QUERY);
      expect(direct.body.errors[0].message).toBe('you must provide one of first or last');
    });

    it('answers an unknown field with a validation error in Shopify’s shape', async () => {
      const { status, body } = await gql(sandbox, SHOP, token, 'query ShopInfo { shop { id nope } }');
      expect(status).toBe(200);
      expect(body.data).toBeUndefined();
      expect(body.errors).toEqual([
        {
          message: "Field 'nope' doesn't exist on type 'Shop'",
          locations: [{ line: 1, column: 28 }],
          path: ['query ShopInfo', 'shop', 'nope'],
          extensions: { code: 'undefinedField', typeName: 'Shop', fieldName: 'nope' },
        },
      ]);
      const missing = await gql(sandbox, SHOP, token, '{ order { id } }');
      expect(missing.body.errors[0]).toMatchObject({
        message: "Field 'order' is missing required arguments: id",
        extensions: { code: 'missingRequiredArguments' },
      });
      const parse = await gql(sandbox, SHOP, token, '{ shop { id }');
      expect(parse.body.errors[0].message).toBe('syntax error, unexpected end of file at [1, 14]');
    });

    it('checks variables against their types before running anything', async () => {
      const before = shop.writes.length;
      const { body } = await gql(sandbox, SHOP, token, operations.METAFIELDS_SET, {
        metafields: [
          {
            ownerId: 'gid://shopify/Customer/701',
            namespace: 'clv',
            key: 'tier',
            type: 'single_line_text_field',
          },
        ],
      });
      expect(body.errors[0]).toMatchObject({
        message:
          'Variable $metafields of type [MetafieldsSetInput!]! was provided invalid value for 0.value (Expected value to not be null)',
        extensions: {
          code: 'INVALID_VARIABLE',
          problems: [{ path: [0, 'value'], explanation: 'Expected value to not be null' }],
        },
      });
      expect(shop.writes.length).toBe(before);
    });

    it('refuses a bad or foreign token with 401 and an unknown version with 404', async () => {
      const bad = await gql(sandbox, SHOP, 'shpat_not-a-token', operations.SHOP_INFO);
      expect(bad).toEqual({
        status: 401,
        body: { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' },
      });
      const other = sandbox.addShop('other-shop.myshopify.com');
      expect((await gql(sandbox, 'other-shop.myshopify.com', token, operations.SHOP_INFO)).status).toBe(401);
      expect((await gql(sandbox, other.domain, other.issueAccessToken(), operations.SHOP_INFO)).status).toBe(
        200,
      );
      const res = await fetch(`${sandbox.origin}/admin/api/2019-04/graphql.json`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-forwarded-host': SHOP,
          'x-shopify-access-token': token,
        },
        body: JSON.stringify({ query: operations.SHOP_INFO }),
      });
      expect(res.status).toBe(404);
    });

    it('denies fields the token’s scopes do not cover', async () => {
      const readOnly = shop.issueAccessToken({ scope: 'read_orders' });
      const { body } = await gql(sandbox, SHOP, readOnly, operations.TAGS_ADD, {
        id: 'gid://shopify/Customer/701',
        tags: ['x'],
      });
      expect(body.errors[0].extensions).toMatchObject({ code: 'ACCESS_DENIED' });
      expect(shop.customers.get('701')!.tags.has('x')).toBe(false);
    });

    it('denies each field by Shopify’s requiredAccess, in Shopify’s words, and answers the rest', async () => {
      const noProducts = shop.issueAccessToken({
        scope: 'read_orders,read_all_orders,read_customers,write_customers',
      });
      const query = `query Lines { orders(first: 1) { nodes { id lineItems(first: 1) { nodes {
        id variant { inventoryItem { unitCost { amount } } } } } } } }`;
      const { body } = await gql(sandbox, SHOP, noProducts, query);
      expect(body.errors).toEqual([
        {
          message: 'Access denied for variant field. Required access: `read_products` access scope.',
          locations: [{ line: 2, column: 12 }],
          path: ['orders', 'nodes', 0, 'lineItems', 'nodes', 0, 'variant'],
          extensions: {
            code: 'ACCESS_DENIED',
            documentation: 'https://shopify.dev/api/usage/access-scopes',
            requiredAccess: '`read_products` access scope.',
          },
        },
      ]);
      expect(body.data.orders.nodes[0]).toEqual({
        id: 'gid://shopify/Order/5001',
        lineItems: { nodes: [{ id: 'gid://shopify/LineItem/500101', variant: null }] },
      });
      // read_inventory is enough for InventoryItem, not for the ProductVariant above it.
      const inventoryOnly = shop.issueAccessToken({ scope: 'read_orders,read_all_orders,read_inventory' });
      const again = await gql(sandbox, SHOP, inventoryOnly, query);
      expect(again.body.errors.map((e: Json) => e.path.at(-1))).toEqual(['variant']);
      const withProducts = shop.issueAccessToken({ scope: 'read_orders,read_all_orders,write_products' });
      const granted = await gql(sandbox, SHOP, withProducts, query);
      expect(granted.body.errors).toBeUndefined();
      expect(granted.body.data.orders.nodes[0].lineItems.nodes[0].variant).toEqual({
        inventoryItem: { unitCost: { amount: '12.0' } },
      });
      const ordersDenied = await gql(
        sandbox,
        SHOP,
        shop.issueAccessToken({ scope: 'read_customers' }),
        query,
      );
      expect(ordersDenied.body).toMatchObject({
        data: null,
        errors: [
          {
            message:
              'Access denied for orders field. Required access: `read_orders` access scope, `read_marketplace_orders` access scope or `read_quick_sale` access scope.',
            path: ['orders'],
          },
        ],
      });
    });

    it('fails a bulk query the token may not fully read with errorCode ACCESS_DENIED', async () => {
      const noProducts = shop.issueAccessToken({
        scope: 'read_orders,read_all_orders,read_customers,write_customers',
      });
      const started = await gql(sandbox, SHOP, noProducts, operations.BULK_OPERATION_RUN_QUERY, {
        query: operations.ORDERS_BULK_QUERY,
      });
      const op = started.body.data.bulkOperationRunQuery;
      expect(op.userErrors).toEqual([]);
      let node: Json = {};
      for (let i = 0; i < 5 && node.status !== 'FAILED'; i++)
        node = (
          await gql(sandbox, SHOP, noProducts, operations.BULK_OPERATION_STATUS, { id: op.bulkOperation.id })
        ).body.data.bulkOperation;
      expect(node).toMatchObject({ status: 'FAILED', errorCode: 'ACCESS_DENIED', url: null });
    });

    it('validates against Shopify’s whole schema, and says so when it does not serve a real field', async () => {
      const real = await gql(sandbox, SHOP, token, 'query { shop { id billingAddress { city } } }');
      expect(real.body.errors[0]).toMatchObject({
        message: expect.stringMatching(
          /^Valid for Shopify, but the sandbox does not serve it: Field 'billingAddress'/,
        ),
        extensions: { code: 'SANDBOX_UNSUPPORTED' },
      });
      const deprecatedStillServed = await gql(
        sandbox,
        SHOP,
        token,
        'query { customer(id: "gid://shopify/Customer/701") { email defaultEmailAddress { emailAddress } } }',
      );
      expect(deprecatedStillServed.body.data.customer).toEqual({
        email: 'c701@example.com',
        defaultEmailAddress: { emailAddress: 'c701@example.com' },
      });
    });
  });

  describe('metafieldsSet and friends', () => {
    it('refuses more than 25 metafields in one call and writes none of them', async () => {
      const before = shop.writes.length;
      const inputs = Array.from({ length: 26 }, (_, i) =>
        metafield('702', `k${i}x`, 'number_integer', String(i)),
      );
      const { body } = await gql(sandbox, SHOP, token, operations.METAFIELDS_SET, { metafields: inputs });
      expect(body.data.metafieldsSet.userErrors).toEqual([
        {
          field: ['metafields'],
          message: 'Exceeded the maximum metafields input limit of 25.',
          code: 'LESS_THAN_OR_EQUAL_TO',
        },
      ]);
      expect(shop.writes.length).toBe(before);
      expect([...shop.customers.get('702')!.metafields.keys()]).toEqual([]);
    });

    it('refuses a value that is not of its type, atomically', async () => {
      const before = shop.writes.length;
      const { body } = await gql(sandbox, SHOP, token, operations.METAFIELDS_SET, {
        metafields: [
          metafield('702', 'predicted_clv', 'number_decimal', '120.5'),
          metafield('702', 'referrals', 'number_integer', '2.5'),
          metafield('702', 'next_order_date', 'date', '2026-02-30'),
          metafield('999', 'tier', 'single_line_text_field', 'gold'),
        ],
      });
      expect(body.data.metafieldsSet.userErrors).toEqual([
        { field: ['metafields', '1', 'value'], message: 'Value must be an integer.', code: 'INVALID_VALUE' },
        {
          field: ['metafields', '2', 'value'],
          message: 'Value must be in YYYY-MM-DD format.',
          code: 'INVALID_VALUE',
        },
        { field: ['metafields', '3', 'ownerId'], message: 'Owner does not exist.', code: 'INVALID' },
      ]);
      expect(shop.writes.length).toBe(before);
      expect(shop.customers.get('702')!.metafields.has('clv.predicted_clv')).toBe(false);
    });

    it('holds values to their definition’s type, and refuses a second definition as TAKEN', async () => {
      const definition = {
        name: 'P(alive)',
        namespace: 'clv',
        key: 'p_alive',
        type: 'number_decimal',
        ownerType: 'CUSTOMER',
      };
      const first = await gql(sandbox, SHOP, token, operations.METAFIELD_DEFINITION_CREATE, { definition });
      expect(first.body.data.metafieldDefinitionCreate.userErrors).toEqual([]);
      expect(shop.metafieldDefinitions.find((d) => d.key === 'p_alive')).toMatchObject({
        adminFilterable: false,
        ownerType: 'CUSTOMER',
      });
      const again = await gql(sandbox, SHOP, token, operations.METAFIELD_DEFINITION_CREATE, { definition });
      expect(again.body.data.metafieldDefinitionCreate.userErrors[0]).toMatchObject({
        code: 'TAKEN',
        field: ['definition', 'key'],
      });
      const wrong = await gql(sandbox, SHOP, token, operations.METAFIELDS_SET, {
        metafields: [metafield('702', 'p_alive', 'single_line_text_field', 'high')],
      });
      expect(wrong.body.data.metafieldsSet.userErrors[0]).toMatchObject({
        code: 'INVALID_TYPE',
        field: ['metafields', '0', 'type'],
      });
      const right = await gql(sandbox, SHOP, token, operations.METAFIELDS_SET, {
        metafields: [
          metafield('702', 'p_alive', 'number_decimal', '0.42'),
          metafield('702', 'scored_at', 'date_time', '2026-05-01T00:00:00.000Z'),
        ],
      });
      expect(right.body.data.metafieldsSet).toMatchObject({
        userErrors: [],
        metafields: [{ key: 'p_alive' }, { key: 'scored_at' }],
      });
      expect(shop.writes.slice(-2)).toEqual([
        { customerId: '702', key: 'clv.p_alive', value: '0.42', via: 'metafieldsSet' },
        { customerId: '702', key: 'clv.scored_at', value: '2026-05-01T00:00:00.000Z', via: 'metafieldsSet' },
      ]);
    });

    it('refuses adminFilterable on a type Shopify cannot filter, and past 50 per owner type', async () => {
      const create = (key: string, type: string) =>
        gql(sandbox, SHOP, token, operations.METAFIELD_DEFINITION_CREATE, {
          definition: {
            name: key,
            namespace: 'caps',
            key,
            type,
            ownerType: 'CUSTOMER',
            capabilities: { adminFilterable: { enabled: true } },
          },
        });
      const decimal = await create('score', 'number_decimal');
      expect(decimal.body.data.metafieldDefinitionCreate).toEqual({
        createdDefinition: null,
        userErrors: [
          {
            field: ['definition'],
            message: 'The capability admin_filterable is not valid for this definition.',
            code: 'INVALID_CAPABILITY',
          },
        ],
      });
      expect(shop.metafieldDefinitions.some((d) => d.namespace === 'caps')).toBe(false);
      const text = await create('band', 'single_line_text_field');
      expect(text.body.data.metafieldDefinitionCreate.userErrors).toEqual([]);
      // Other apps' and the merchant's filterable definitions count too: fill the owner type up to 50.
      takeAdminFilters(shop, 50, 'other_app');
      const full = await create('band_two', 'single_line_text_field');
      expect(full.body.data.metafieldDefinitionCreate.userErrors).toEqual([
        {
          field: ['definition'],
          message: 'You have reached the maximum allowed definitions to be used as admin filters.',
          code: 'OWNER_TYPE_LIMIT_EXCEEDED_FOR_USE_AS_ADMIN_FILTERS',
        },
      ]);
      shop.metafieldDefinitions.splice(
        0,
        shop.metafieldDefinitions.length,
        ...shop.metafieldDefinitions.filter((d) => d.namespace !== 'other_app' && d.namespace !== 'caps'),
      );
    });

    it('adds and removes tags as a set, leaving other tags alone', async () => {
      shop.customers.get('702')!.tags.add('vip');
      const id = 'gid://shopify/Customer/702';
      await gql(sandbox, SHOP, token, operations.TAGS_ADD, { id, tags: ['clv-tier:gold', 'clv-tier:gold'] });
      const removed = await gql(sandbox, SHOP, token, operations.TAGS_REMOVE, {
        id,
        tags: ['clv-tier:silver'],
      });
      expect(removed.body.data.tagsRemove.userErrors).toEqual([]);
      expect([...shop.customers.get('702')!.tags].sort()).toEqual(['clv-tier:gold', 'vip']);
      const unknown = await gql(sandbox, SHOP, token, operations.TAGS_ADD, {
        id: 'gid://shopify/Customer/1',
        tags: ['x'],
      });
      expect(unknown.body.data.tagsAdd.userErrors).toEqual([{ field: ['id'], message: 'Node not found.' }]);
    });
  });

  describe('cost and throttling', () => {
    let clock = Date.parse('2026-06-01T00:00:00Z');
    let small: ShopifySandbox;
    let s: SandboxShop;
    let t: string;
    const THROTTLED = {
      errors: [
        {
          message: 'Throttled',
          extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
        },
      ],
    };

    beforeAll(async () => {
      small = await startShopifySandbox({
        apiKey: API_KEY,
        apiSecret: API_SECRET,
        throttle: { maximumAvailable: 50, restoreRate: 10 },
        now: () => clock,
      });
      s = small.addShop(SHOP, { currencyCode: 'EUR' });
      for (const o of threeOrders()) s.addOrder(o);
      t = s.issueAccessToken();
    });
    afterAll(() => small.stop());

    it('computes requested and actual cost as Shopify documents', async () => {
      const query =
        '{ orders(first: 3) { edges { node { id customer { id } lineItems(first: 2) { edges { node { id } } } } } } }';
      const { body } = await gql(small, SHOP, t, query);
      // 2 + 3 × (order 1 + customer 1 + lineItems (2 + 2 × 1)); actual: 3 orders with 2, 1 and 2 lines.
      expect(body.extensions.cost.requestedQueryCost).toBe(20);
      expect(body.extensions.cost.actualQueryCost).toBe(
        2 + (1 + 1 + 2 + 2) + (1 + 1 + 2 + 1) + (1 + 1 + 2 + 2),
      );
      const huge = await gql(
        small,
        SHOP,
        t,
        '{ orders(first: 250) { nodes { lineItems(first: 250) { nodes { id } } } } }',
      );
      expect(huge.body.errors[0].extensions).toMatchObject({ code: 'MAX_COST_EXCEEDED', maxCost: 1000 });
    });

    it('answers THROTTLED when the bucket is short, runs nothing, and refills at restoreRate', async () => {
      clock += 60_000; // a full bucket
      const set = (v: string) =>
        gql(small, SHOP, t, operations.METAFIELDS_SET, {
          metafields: [metafield('701', 'tier', 'single_line_text_field', v)],
        });
      for (let i = 0; i < 5; i++) expect((await set(`v${i}`)).body.data.metafieldsSet.userErrors).toEqual([]);
      const writes = s.writes.length;
      const throttled = await set('too many');
      expect(throttled.status).toBe(200);
      expect(throttled.body).toEqual({
        ...THROTTLED,
        extensions: {
          cost: {
            requestedQueryCost: 10,
            actualQueryCost: null,
            throttleStatus: { maximumAvailable: 50, currentlyAvailable: 0, restoreRate: 10 },
          },
        },
      });
      expect(s.writes.length).toBe(writes);
      expect(throttleWaitSeconds(throttled.body.extensions.cost)).toBe(1);
      clock += 500; // 5 points back: still short
      expect((await set('still')).body.extensions.cost.throttleStatus.currentlyAvailable).toBe(5);
      clock += 500; // 10 points: enough
      const ok = await set('now');
      expect(ok.body.data.metafieldsSet.userErrors).toEqual([]);
      expect(ok.body.extensions.cost.throttleStatus.currentlyAvailable).toBe(0);
      clock += 3_600_000;
      expect(
        (await gql(small, SHOP, t, operations.SHOP_INFO)).body.extensions.cost.throttleStatus
          .currentlyAvailable,
      ).toBe(49);
    });

    it('throttles the next n requests on demand, and the production client waits them out', async () => {
      clock += 60_000;
      const shopify = createShopifyApp({
        apiKey: API_KEY,
        apiSecret: API_SECRET,
        appUrl: 'https://app.test',
        adminOrigin: small.origin,
      });
      const session = new Session({
        id: `offline_${SHOP}`,
        shop: SHOP,
        state: '',
        isOnline: false,
        accessToken: t,
      });
      const waits: number[] = [];
      const client = adminClient(shopify, session, { sleep: async (ms) => void waits.push(ms) });
      small.throttleNext(2);
      const before = small.calls.length;
      await client.request(operations.SHOP_INFO);
      const calls = small.calls.slice(before);
      expect(calls.map((c) => [c.operationName, c.throttled ?? false])).toEqual([
        ['ShopInfo', true],
        ['ShopInfo', true],
        ['ShopInfo', false],
      ]);
      expect(waits).toEqual([1000, 1000]);
    });
  });

  describe('bulk operations', () => {
    const RUN = (groupObjects?: boolean) => `mutation RunBulkQuery($query: String!) {
      bulkOperationRunQuery(query: $query${groupObjects === undefined ? '' : `, groupObjects: ${groupObjects}`}) {
        bulkOperation { id status url objectCount }
        userErrors { field message code }
      }
    }`;
    const status = (id: string) => gql(sandbox, SHOP, token, operations.BULK_OPERATION_STATUS, { id });

    async function finish(id: string) {
      const seen: string[] = [];
      for (let i = 0; i < 10; i++) {
        const node = (await status(id)).body.data.bulkOperation;
        seen.push(node.status);
        if (node.status === 'COMPLETED') return { node, seen };
      }
      throw new Error(`still ${seen.at(-1)}`);
    }

    async function download(url: string) {
      const res = await fetch(url);
      expect(res.headers.get('content-type')).toBe('application/jsonl');
      return (await res.text())
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Json);
    }

    it('writes the JSONL result Shopify writes: orders, then their lines with __parentId', async () => {
      const started = await gql(sandbox, SHOP, token, RUN(true), { query: operations.ORDERS_BULK_QUERY });
      const op = started.body.data.bulkOperationRunQuery;
      expect(op.userErrors).toEqual([]);
      expect(op.bulkOperation).toMatchObject({ status: 'CREATED', url: null, objectCount: '0' });
      const { node, seen } = await finish(op.bulkOperation.id);
      expect(seen).toEqual(['RUNNING', 'RUNNING', 'COMPLETED']);
      expect(node).toMatchObject({ objectCount: '8', type: 'QUERY', errorCode: null });
      const lines = await download(node.url);
      expect(lines.map((l) => l.__parentId ?? l.id)).toEqual([
        'gid://shopify/Order/5001',
        'gid://shopify/Order/5001',
        'gid://shopify/Order/5001',
        'gid://shopify/Order/5002',
        'gid://shopify/Order/5002',
        'gid://shopify/Order/5003',
        'gid://shopify/Order/5003',
        'gid://shopify/Order/5003',
      ]);
      const [a, line1] = lines as [Json, Json];
      expect(a).not.toHaveProperty('lineItems');
      expect(a).toMatchObject({
        customer: {
          id: 'gid://shopify/Customer/701',
          defaultEmailAddress: { emailAddress: 'c701@example.com' },
        },
        currentSubtotalPriceSet: { shopMoney: { amount: '59.4', currencyCode: 'EUR' } },
        totalRefundedSet: { shopMoney: { amount: '27.0', currencyCode: 'EUR' } },
        discountCodes: ['REF-702'],
        customAttributes: [{ key: 'gift_wrap', value: 'yes' }],
        customerJourneySummary: { firstVisit: { landingPage: `https://${SHOP}/collections/coffee?ref=702` } },
      });
      expect(line1).toEqual({
        id: 'gid://shopify/LineItem/500101',
        currentQuantity: 1,
        discountedUnitPriceAfterAllDiscountsSet: { shopMoney: { amount: '27.0' } },
        variant: { inventoryItem: { unitCost: { amount: '12.0', currencyCode: 'EUR' } } },
        __parentId: 'gid://shopify/Order/5001',
      });
      expect((lines[2] as Json).variant.inventoryItem.unitCost).toBeNull();
    });

    it('agrees with the webhook JSON of the same order', async () => {
      const a = shop.orders.get('5001')!;
      const rest = orderWebhookJson(a, shop) as Json;
      expect(rest.current_subtotal_price).toBe('59.40');
      expect(rest.subtotal_price).toBe('86.40');
      const refund = refundWebhookJson(a, 0, shop) as Json;
      expect(refund.refund_line_items[0]).toMatchObject({ line_item_id: 500101, quantity: 1, subtotal: 27 });
      expect(refund.transactions[0]).toMatchObject({
        kind: 'refund',
        status: 'success',
        amount: '27.00',
        currency: 'EUR',
      });
      expect(rest.line_items[0]).toMatchObject({ current_quantity: 1, quantity: 2, price: '30.00' });
      expect(rest.created_at).toBe('2026-03-01T05:00:00-05:00');
    });

    it('does not group children under their parent unless asked (the 2026-10 default)', async () => {
      const started = await gql(sandbox, SHOP, token, RUN(), { query: operations.ORDERS_BULK_QUERY });
      const { node } = await finish(started.body.data.bulkOperationRunQuery.bulkOperation.id);
      const lines = await download(node.url);
      expect(lines.map((l) => (l.__parentId ? 'line' : 'order'))).toEqual([
        'order',
        'order',
        'order',
        'line',
        'line',
        'line',
        'line',
        'line',
      ]);
    });

    it('runs five bulk queries at once since 2026-01, and refuses a sixth with LIMIT_REACHED', async () => {
      const start = async () =>
        (await gql(sandbox, SHOP, token, RUN(true), { query: operations.ORDERS_BULK_QUERY })).body.data
          .bulkOperationRunQuery;
      const five = [];
      for (let i = 0; i < 5; i++) five.push(await start());
      expect(five.map((r) => r.userErrors)).toEqual([[], [], [], [], []]);
      const sixth = await start();
      expect(sixth).toEqual({
        bulkOperation: null,
        userErrors: [
          {
            field: null,
            message: 'Bulk operations limit reached. Please try again later.',
            code: 'LIMIT_REACHED',
          },
        ],
      });
      const running = await gql(sandbox, SHOP, token, operations.RUNNING_BULK_OPERATIONS, {
        query: 'operation_type:query status:running',
      });
      expect(running.body.data.bulkOperations.nodes.map((n: Json) => n.id).sort()).toEqual(
        five.map((r) => r.bulkOperation.id).sort(),
      );
      for (const r of five) await finish(r.bulkOperation.id);
      const again = await start();
      expect(again.userErrors).toEqual([]);
      await finish(again.bulkOperation.id);
    });

    it('refuses bulk queries Shopify would refuse', async () => {
      const run = async (query: string) =>
        (await gql(sandbox, SHOP, token, RUN(true), { query })).body.data.bulkOperationRunQuery.userErrors[0];
      expect(await run('{ orders { edges { node { id nope } } } }')).toEqual({
        field: ['query'],
        message: "Invalid bulk query: Field 'nope' doesn't exist on type 'Order'",
        code: 'INVALID',
      });
      expect(
        (await run('{ orders { edges { node { name lineItems { edges { node { id } } } } } } }')).message,
      ).toMatch(/nested connection must select the 'id' field/);
      expect((await run('{ shop { name } }')).message).toMatch(/at least one connection/);
    });

    it('stages an upload and runs a bulk mutation that writes metafields, line by line', async () => {
      const staged = await gql(sandbox, SHOP, token, operations.STAGED_UPLOADS_CREATE, {
        input: [
          {
            resource: 'BULK_MUTATION_VARIABLES',
            filename: 'vars.jsonl',
            mimeType: 'text/jsonl',
            httpMethod: 'POST',
          },
        ],
      });
      const target = staged.body.data.stagedUploadsCreate.stagedTargets[0];
      expect(target.url).toBe(`${sandbox.origin}/staged-uploads`);
      const key = target.parameters.find((p: Json) => p.name === 'key').value as string;
      const variables = [
        {
          metafields: [
            metafield('701', 'tier', 'single_line_text_field', 'platinum'),
            metafield('701', 'referrals', 'number_integer', '3'),
          ],
        },
        { metafields: [metafield('702', 'referrals', 'number_integer', 'many')] },
      ];
      const form = (params: Json[]) => {
        const f = new FormData();
        for (const p of params) f.append(p.name, p.value);
        f.append(
          'file',
          new Blob([variables.map((v) => JSON.stringify(v)).join('\n') + '\n'], { type: 'text/jsonl' }),
        );
        return f;
      };
      const tampered = target.parameters.map((p: Json) =>
        p.name === 'key' ? { ...p, value: `${key}-other` } : p,
      );
      expect((await fetch(target.url, { method: 'POST', body: form(tampered) })).status).toBe(403);
      const upload = await fetch(target.url, { method: 'POST', body: form(target.parameters) });
      expect(upload.status).toBe(201);
      expect(await upload.text()).toContain(`<Key>${key}</Key>`);

      const before = shop.writes.length;
      const run = await gql(sandbox, SHOP, token, operations.BULK_OPERATION_RUN_MUTATION, {
        mutation: operations.METAFIELDS_SET,
        stagedUploadPath: key,
      });
      const op = run.body.data.bulkOperationRunMutation;
      expect(op.userErrors).toEqual([]);
      expect(shop.writes.length).toBe(before); // nothing happens until it runs
      // Status reads racing each other complete it once: each line is written once.
      await Promise.all(Array.from({ length: 4 }, () => status(op.bulkOperation.id)));
      const { node } = await finish(op.bulkOperation.id);
      expect(node).toMatchObject({ type: 'MUTATION', objectCount: '2' });
      const results = await download(node.url);
      expect(results.map((r) => r.__lineNumber)).toEqual([0, 1]);
      expect(results[0]!.data.metafieldsSet.userErrors).toEqual([]);
      expect(results[1]!.data.metafieldsSet.userErrors[0]).toMatchObject({
        code: 'INVALID_VALUE',
        field: ['metafields', '0', 'value'],
      });
      expect(shop.writes.slice(before)).toEqual([
        { customerId: '701', key: 'clv.tier', value: 'platinum', via: 'bulk' },
        { customerId: '701', key: 'clv.referrals', value: '3', via: 'bulk' },
      ]);
      const missing = await gql(sandbox, SHOP, token, operations.BULK_OPERATION_RUN_MUTATION, {
        mutation: operations.METAFIELDS_SET,
        stagedUploadPath: 'tmp/nothing-here',
      });
      expect(missing.body.data.bulkOperationRunMutation.userErrors[0]).toMatchObject({
        code: 'NO_SUCH_FILE',
      });
    });
  });

  describe('OAuth', () => {
    const OFFLINE = 'urn:shopify:params:oauth:token-type:offline-access-token';
    const exchange = (subject: string, extra: Json = {}) =>
      tokenEndpoint(sandbox, SHOP, {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: subject,
        subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
        requested_token_type: OFFLINE,
        ...extra,
      });
    const forge = (claims: Json, secret = API_SECRET) => {
      const b64 = (o: Json) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
      return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
    };

    it('exchanges a session token for an expiring offline token, and refuses forged ones', async () => {
      const genuine = JSON.parse(
        Buffer.from(sandbox.sessionToken(SHOP).split('.')[1]!, 'base64url').toString(),
      ) as Json;
      expect(genuine).toMatchObject({
        iss: `https://${SHOP}/admin`,
        dest: `https://${SHOP}`,
        aud: API_KEY,
        sub: '1',
      });
      expect(genuine.exp - genuine.iat).toBe(60);

      expect(await exchange(forge(genuine, 'someone-else’s-secret'))).toMatchObject({
        status: 400,
        body: { error: 'invalid_subject_token' },
      });
      expect(await exchange(forge({ ...genuine, aud: 'another-app' }))).toMatchObject({
        status: 400,
        body: { error: 'invalid_subject_token' },
      });
      expect(await exchange(sandbox.sessionToken('other-shop.myshopify.com'))).toMatchObject({ status: 400 });
      expect(await exchange(forge({ ...genuine, exp: genuine.iat - 120 }))).toMatchObject({ status: 400 });
      const badClient = await tokenEndpoint(sandbox, SHOP, {
        client_secret: 'wrong',
        grant_type: 'refresh_token',
        refresh_token: 'x',
      });
      expect(badClient).toMatchObject({ status: 401, body: { error: 'invalid_client' } });

      const expiring = await exchange(sandbox.sessionToken(SHOP), { expiring: '1' });
      expect(expiring.status).toBe(200);
      expect(expiring.body).toEqual({
        access_token: expect.stringMatching(/^shpat_/),
        // What the app's shopify.app.toml asks for (the app-toml test holds it equal to SHOPIFY_SCOPES).
        scope: SHOPIFY_SCOPES.join(','),
        expires_in: 3600,
        refresh_token: expect.stringMatching(/^shprt_/),
        refresh_token_expires_in: 2592000,
      });
      const lasting = await exchange(sandbox.sessionToken(SHOP), { expiring: '0' });
      expect(Object.keys(lasting.body).sort()).toEqual(['access_token', 'scope']);
      expect((await gql(sandbox, SHOP, expiring.body.access_token, operations.SHOP_INFO)).status).toBe(200);
    });

    it('rotates refresh tokens: the old one dies once its replacement is used', async () => {
      const first = (await exchange(sandbox.sessionToken(SHOP), { expiring: '1' })).body;
      sandbox.expireAccessTokens(SHOP);
      expect((await gql(sandbox, SHOP, first.access_token, operations.SHOP_INFO)).status).toBe(401);
      const refresh = (refresh_token: string) =>
        tokenEndpoint(sandbox, SHOP, { grant_type: 'refresh_token', refresh_token });

      const second = await refresh(first.refresh_token);
      expect(second.status).toBe(200);
      expect(second.body.refresh_token).not.toBe(first.refresh_token);
      expect((await gql(sandbox, SHOP, second.body.access_token, operations.SHOP_INFO)).status).toBe(200);
      expect(await refresh(first.refresh_token)).toMatchObject({
        status: 400,
        body: { error: 'invalid_grant' },
      });

      const third = await refresh(second.body.refresh_token);
      expect(third.status).toBe(200);
      // Before the replacement is used, a lost answer can be asked again (Shopify, 2026-08); the unused one is withdrawn.
      const retried = await refresh(second.body.refresh_token);
      expect(retried.status).toBe(200);
      expect((await gql(sandbox, SHOP, third.body.access_token, operations.SHOP_INFO)).status).toBe(401);
      expect((await gql(sandbox, SHOP, retried.body.access_token, operations.SHOP_INFO)).status).toBe(200);
      expect(await refresh(second.body.refresh_token)).toMatchObject({
        status: 400,
        body: { error: 'invalid_grant' },
      });
    });

    it('serves the production library’s token exchange and refresh', async () => {
      const shopify = createShopifyApp({
        apiKey: API_KEY,
        apiSecret: API_SECRET,
        appUrl: 'https://app.test',
        adminOrigin: sandbox.origin,
      });
      const { RequestedTokenType } = await import('@shopify/shopify-api');
      const { session } = await shopify.auth.tokenExchange({
        shop: SHOP,
        sessionToken: sandbox.sessionToken(SHOP),
        requestedTokenType: RequestedTokenType.OfflineAccessToken,
        expiring: true,
      });
      expect(session.refreshToken).toMatch(/^shprt_/);
      const { session: fresh } = await shopify.auth.refreshToken({
        shop: SHOP,
        refreshToken: session.refreshToken!,
      });
      expect(fresh.accessToken).not.toBe(session.accessToken);
      expect(await adminClient(shopify, fresh).request(operations.SHOP_INFO)).toMatchObject({
        shop: { currencyCode: 'EUR' },
      });
    });

    it('accepts an authorization code once', async () => {
      const code = sandbox.authorizationCode(SHOP);
      expect((await tokenEndpoint(sandbox, SHOP, { code })).body).toEqual({
        access_token: expect.any(String),
        scope: expect.any(String),
      });
      expect(await tokenEndpoint(sandbox, SHOP, { code })).toEqual({
        status: 400,
        body: {
          error: 'invalid_request',
          error_description: 'The authorization code was not found or was already used',
        },
      });
      const redirect = new URL(
        sandbox.authorizationRedirect(SHOP, {
          redirectUri: 'https://app.test/shopify/auth/callback',
          state: 'n0nce',
        }),
      );
      const { hmac, ...rest } = Object.fromEntries(redirect.searchParams);
      const message = Object.keys(rest)
        .sort()
        .map((k) => `${k}=${rest[k]}`)
        .join('&');
      expect(hmac).toBe(createHmac('sha256', API_SECRET).update(message).digest('hex'));
    });
  });

  describe('webhooks', () => {
    it('signs the raw body bytes with the app secret, with exactly Shopify’s headers', async () => {
      const body = JSON.stringify(orderWebhookJson(shop.orders.get('5001')!, shop));
      const signed = signWebhook({
        secret: API_SECRET,
        topic: 'orders/updated',
        shop: SHOP,
        body,
        apiVersion: VERSION,
      });
      expect(Object.keys(signed.headers).sort()).toEqual([
        'Content-Type',
        'X-Shopify-API-Version',
        'X-Shopify-Event-Id',
        'X-Shopify-Hmac-Sha256',
        'X-Shopify-Shop-Domain',
        'X-Shopify-Topic',
        'X-Shopify-Triggered-At',
        'X-Shopify-Webhook-Id',
      ]);
      const received: { hmac?: string; raw?: Buffer } = {};
      const server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          received.raw = Buffer.concat(chunks);
          received.hmac = req.headers['x-shopify-hmac-sha256'] as string;
          const ok = createHmac('sha256', API_SECRET).update(received.raw).digest('base64') === received.hmac;
          res.writeHead(ok ? 200 : 401).end();
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const { port } = server.address() as AddressInfo;
      expect((await deliverWebhook(`http://127.0.0.1:${port}/webhooks`, signed)).status).toBe(200);
      const forged = { ...signed, body: signed.body.replace('"59.40"', '"99.40"') };
      expect((await deliverWebhook(`http://127.0.0.1:${port}/webhooks`, forged)).status).toBe(401);
      await new Promise((r) => server.close(r));
    });
  });

  describe('generated history', () => {
    it('is the same for a seed, and shaped like a store’s', () => {
      const options = {
        orders: 2000,
        customers: 600,
        seed: 11,
        currencyCode: 'EUR',
        start: '2024-01-01T00:00:00Z',
        end: '2026-01-01T00:00:00Z',
      };
      const orders = generateShopHistory(options);
      expect(generateShopHistory(options)).toEqual(orders);
      expect(orders).toHaveLength(2000);
      const share = (f: (o: CanonicalOrder) => boolean) => orders.filter(f).length / orders.length;
      expect(share((o) => o.refunds.length > 0 && !o.cancelledAt)).toBeGreaterThan(0.03);
      expect(share((o) => o.refunds.length > 0 && !o.cancelledAt)).toBeLessThan(0.08);
      expect(share((o) => o.cancelledAt !== null)).toBeLessThan(0.04);
      const referred = (o: CanonicalOrder) =>
        o.discountCodes.some((d) => d.code.startsWith('REF-')) ||
        o.noteAttributes.some((n) => n.name === 'referred_by') ||
        !!o.landingSite?.includes('ref=');
      expect(share(referred)).toBeGreaterThan(0.015);
      expect(share(referred)).toBeLessThan(0.05);
      expect(orders.some((o) => !o.customer)).toBe(true);
      const lines = orders.flatMap((o) => o.lineItems);
      expect(lines.some((l) => l.unitCost === null) && lines.some((l) => l.unitCost !== null)).toBe(true);
      const perCustomer = new Map<string, number>();
      for (const o of orders)
        if (o.customer) perCustomer.set(o.customer.id, (perCustomer.get(o.customer.id) ?? 0) + 1);
      expect([...perCustomer.values()].filter((n) => n > 1).length).toBeGreaterThan(100);
      expect(orders.every((o, i) => i === 0 || o.createdAt >= orders[i - 1]!.createdAt)).toBe(true);
    });
  });
});
