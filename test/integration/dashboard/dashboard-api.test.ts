/**
 * The dashboard API without a browser, on DynamoDB Local: session tokens checked (missing, malformed,
 * forged, expired, not yet valid, another app's, incomplete or inconsistent claims: 401), the shop
 * taken from the token alone (no parameter reaches another shop's tenant), settings validated (400,
 * nothing stored) and saved with a refit queued, which the refit-request consumer then runs.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DashboardResponse, SettingsResponse } from '../../../functions/dashboard-api.ts';
import { createRefitRequestHandler } from '../../../functions/refit-requests.ts';
import { LocalQueue } from '../../../local/sqs-queue.ts';
import { assignTiers } from '../../../shared/segments/index.ts';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../../shared/store/keys.ts';
import type { TenantSettings } from '../../../shared/store/tenants.ts';
import { getTenant, putTenant } from '../../../shared/store/tenants.ts';
import { apiEvent } from '../../helpers/api-event.ts';
import { scoresOf, tenantName } from '../../helpers/dynamo.ts';
import { CDNOW_TODAY, seedCdnowShop } from '../../browser/cdnow-demo.ts';
import { ACCEPTED_SETTINGS } from '../../worlds/dashboard-settings.ts';
import { shopifyWorld } from '../../worlds/shopify.ts';

const refitQueue = new LocalQueue({ name: 'refit', batchSize: 1, maxReceiveCount: 2 });
let refitRequests: unknown[] = [];
let failQueue = false;
const world = shopifyWorld({
  apiKey: 'dash-api-test-key',
  apiSecret: 'dash-api-test-secret-not-real',
  requestRefit: async (message) => {
    if (failQueue) throw new Error('queue unreachable');
    refitRequests.push(message);
    await refitQueue.send(message);
  },
});
const { store, logger } = world;
/** A session token as the admin signs it for `shop`, claims replaced or (undefined) removed, or another secret. */
const token = world.sessionToken;

/**
 * What a settings save can write: the tenant item and its shop route (putTenant), and, through a refit,
 * the scores. Read directly rather than by tenantSnapshot's table scan: the table also holds the browser
 * test's demo shop, and a scan per assertion made this file minutes long.
 */
async function tenantState(tenant: TenantSettings): Promise<string> {
  const get = async (key: { pk: string; sk: string }) =>
    (await store.doc.send(new GetCommand({ TableName: store.table, Key: key, ConsistentRead: true }))).Item;
  const { pk, sk } = keys.tenant(tenant.tenantId);
  const scores = [...(await scoresOf(store, tenant.tenantId)).values()].sort((a, b) =>
    a.customerId.localeCompare(b.customerId),
  );
  return JSON.stringify({
    tenant: await get({ pk, sk }),
    route: await get(keys.routeKey('shopify', tenant.shopifyShop!)),
    scores,
  });
}

const consumeRefits = createRefitRequestHandler({
  store,
  logger,
  now: () => CDNOW_TODAY + 86_400_000,
  enqueueWriteback: async () => {},
});

const call = (
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
  query = '',
) => world.dashboard(apiEvent({ method, path, headers, query, ...(body === undefined ? {} : { body }) }));
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const bodyOf = (r: APIGatewayProxyStructuredResultV2) =>
  JSON.parse(String(r.body)) as Record<string, unknown>;

let shopA: TenantSettings;
let shopB: TenantSettings;

describe('dashboard API', () => {
  beforeAll(async () => {
    const tenant = (label: string) => {
      const tenantId = tenantName(label);
      return putTenant(store, { tenantId, shopifyShop: `${tenantId}.myshopify.com`, currency: 'USD' });
    };
    [shopA, shopB] = await Promise.all([tenant('dash-api-a'), tenant('dash-api-b')]);
    await Promise.all([
      seedCdnowShop(store, shopA, { customers: 60 }),
      seedCdnowShop(store, shopB, { customers: 20 }),
    ]);
  }, 300_000);

  describe('session tokens', () => {
    const refusals: [string, () => Record<string, string>][] = [
      ['no Authorization header', () => ({})],
      ['a header that is not a bearer token', () => ({ authorization: `Basic ${btoa('a:b')}` })],
      ['a bearer that is not a JWT', () => bearer('not-a-jwt')],
      ['a token signed with another secret', () => bearer(token(shopA.shopifyShop!, {}, 'forged-secret'))],
      [
        'an expired token',
        () => bearer(token(shopA.shopifyShop!, { exp: Math.floor(Date.now() / 1000) - 60 })),
      ],
      [
        'a token not valid yet',
        () => bearer(token(shopA.shopifyShop!, { nbf: Math.floor(Date.now() / 1000) + 120 })),
      ],
      [
        "another app's token (wrong audience)",
        () => bearer(token(shopA.shopifyShop!, { aud: 'another-app' })),
      ],
      ['a token without an expiry', () => bearer(token(shopA.shopifyShop!, { exp: undefined }))],
      [
        'a token whose issuer is another shop',
        () => bearer(token(shopA.shopifyShop!, { iss: `https://${shopB.shopifyShop}/admin` })),
      ],
      [
        'a token for a destination that is not a shop',
        () =>
          bearer(
            token(shopA.shopifyShop!, {
              dest: 'https://evil.example.com',
              iss: 'https://evil.example.com/admin',
            }),
          ),
      ],
      [
        'an unsigned token (alg none)',
        () => {
          const [, payload] = token(shopA.shopifyShop!).split('.');
          const head = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
          return bearer(`${head}.${payload}.`);
        },
      ],
    ];
    for (const [what, headers] of refusals)
      it(`answers 401 and no data for ${what}`, async () => {
        for (const [method, path] of [
          ['GET', '/api/dashboard'],
          ['GET', '/api/settings'],
          ['PUT', '/api/settings'],
        ] as const) {
          const response = await call(method, path, headers(), method === 'PUT' ? '{}' : undefined);
          expect(response.statusCode, `${method} ${path}`).toBe(401);
          const body = bodyOf(response);
          expect(body).not.toHaveProperty('report');
          expect(body).not.toHaveProperty('settings');
          // The bearer credential is never echoed back.
          const sent = headers().authorization?.split(' ')[1];
          if (sent && sent.length > 20) expect(String(response.body)).not.toContain(sent);
        }
      });

    it('asks App Bridge to retry with a fresh token when the token is invalid', async () => {
      const response = await call('GET', '/api/dashboard', bearer(token(shopA.shopifyShop!, { exp: 1 })));
      expect(response.statusCode).toBe(401);
      expect(response.headers?.['x-shopify-retry-invalid-session-request']).toBe('1');
    });

    it("serves each shop its own tenant's data, whatever the request names", async () => {
      const a = await call('GET', '/api/dashboard', bearer(token(shopA.shopifyShop!)));
      expect(a.statusCode).toBe(200);
      expect(a.headers?.['cache-control']).toBe('no-store');
      const reportA = (bodyOf(a) as unknown as DashboardResponse).report;
      expect(reportA.tenantId).toBe(shopA.tenantId);
      expect(reportA.customers).toBe(60);
      for (const query of [
        `shop=${shopA.shopifyShop}`,
        `tenantId=${shopA.tenantId}`,
        `shop=${shopA.shopifyShop}&tenantId=${shopA.tenantId}`,
      ]) {
        const b = await call(
          'GET',
          '/api/dashboard',
          { ...bearer(token(shopB.shopifyShop!)), 'x-shopify-shop-domain': shopA.shopifyShop! },
          undefined,
          query,
        );
        expect(b.statusCode).toBe(200);
        const body = bodyOf(b) as unknown as DashboardResponse;
        expect(body.shop).toBe(shopB.shopifyShop);
        expect(body.report.tenantId).toBe(shopB.tenantId);
        expect(body.report.customers).toBe(20);
      }
    });

    it('refuses a genuine token of a shop that has not installed the app (403, no data)', async () => {
      const stranger = `${tenantName('stranger')}.myshopify.com`;
      for (const path of ['/api/dashboard', '/api/settings']) {
        const response = await call('GET', path, bearer(token(stranger)));
        expect(response.statusCode).toBe(403);
        expect(bodyOf(response)).toMatchObject({ error: 'not-installed' });
        expect(bodyOf(response)).not.toHaveProperty('report');
      }
    });

    it('answers 404 for an unknown path, and only after checking the token', async () => {
      expect((await call('GET', '/api/tenants')).statusCode).toBe(401);
      expect((await call('GET', '/api/tenants', bearer(token(shopA.shopifyShop!)))).statusCode).toBe(404);
    });
  });

  describe('settings', () => {
    it('answers the shop’s settings', async () => {
      const response = await call('GET', '/api/settings', bearer(token(shopA.shopifyShop!)));
      expect(response.statusCode).toBe(200);
      expect(bodyOf(response)).toEqual({
        shop: shopA.shopifyShop,
        settings: {
          defaultMarginRate: 1,
          horizonMonths: 12,
          monthlyDiscountRate: 0.01,
          tierThresholds: { platinum: 0.05, gold: 0.2, silver: 0.5 },
          tags: true,
        },
      });
    });

    const valid = ACCEPTED_SETTINGS;
    const invalid: [string, string][] = [
      ['a body that is not JSON', '{"horizonMonths": '],
      ['a missing field', JSON.stringify({ ...valid, tags: undefined })],
      ['an unknown field', JSON.stringify({ ...valid, colour: 'blue' })],
      [
        'a field of the tenant the dashboard may not change',
        JSON.stringify({ ...valid, shopifyShop: 'x.myshopify.com' }),
      ],
      ['a margin above 100 %', JSON.stringify({ ...valid, defaultMarginRate: 1.5 })],
      ['a zero horizon', JSON.stringify({ ...valid, horizonMonths: 0 })],
      ['a fractional horizon', JSON.stringify({ ...valid, horizonMonths: 6.5 })],
      ['a negative discount rate', JSON.stringify({ ...valid, monthlyDiscountRate: -0.01 })],
      [
        'tier shares out of order',
        JSON.stringify({ ...valid, tierThresholds: { platinum: 0.3, gold: 0.2, silver: 0.5 } }),
      ],
      [
        'a tier share of 100 %',
        JSON.stringify({ ...valid, tierThresholds: { platinum: 0.1, gold: 0.2, silver: 1 } }),
      ],
      ['tags as a string', JSON.stringify({ ...valid, tags: 'yes' })],
    ];
    for (const [what, body] of invalid)
      it(`refuses ${what} with a 400, storing nothing and queueing no refit`, async () => {
        refitRequests = [];
        const snapshot = await tenantState(shopA);
        const response = await call('PUT', '/api/settings', bearer(token(shopA.shopifyShop!)), body);
        expect(response.statusCode).toBe(400);
        expect(String(bodyOf(response).error)).toMatch(/invalid settings|not JSON/);
        expect(await tenantState(shopA)).toBe(snapshot);
        expect(refitRequests).toEqual([]);
      });

    it('saves valid settings for the token’s shop only, queues its refit, and the refit rescores with them', async () => {
      refitRequests = [];
      const otherBefore = await tenantState(shopB);
      const response = await call(
        'PUT',
        '/api/settings',
        bearer(token(shopA.shopifyShop!)),
        JSON.stringify(valid),
        `tenantId=${shopB.tenantId}`,
      );
      expect(response.statusCode).toBe(200);
      expect(bodyOf(response) as unknown as SettingsResponse).toEqual({
        shop: shopA.shopifyShop,
        settings: valid,
        rescore: 'queued',
      });
      const stored = await getTenant(store, shopA.tenantId);
      expect(stored).toMatchObject({ ...valid, shopifyShop: shopA.shopifyShop, currency: 'USD' });
      expect(refitRequests).toEqual([{ tenantId: shopA.tenantId, requestId: expect.any(String) }]);
      expect(await tenantState(shopB)).toBe(otherBefore);

      const before = await scoresOf(store, shopA.tenantId);
      await refitQueue.drain(consumeRefits);
      expect(refitQueue.deadLetters).toEqual([]);
      const after = await scoresOf(store, shopA.tenantId);
      expect(after.size).toBe(before.size);
      const total = (m: typeof before) => [...m.values()].reduce((s, x) => s + x.detail.predictedClv, 0);
      // 40 % margin instead of revenue, over 24 months instead of 12: a different value for the same customers.
      expect(total(after)).not.toBeCloseTo(total(before), 0);
      const expected = assignTiers(
        [...after.values()].map((s) => ({ customerId: s.customerId, predictedClv: s.detail.predictedClv })),
        valid.tierThresholds,
      );
      expect([...after.values()].filter((s) => s.fields.tier !== expected.tiers.get(s.customerId))).toEqual(
        [],
      );
      expect(await tenantState(shopB)).toBe(otherBefore);
    });

    it('keeps the saved settings when the refit cannot be queued, and says the nightly refit will apply them', async () => {
      failQueue = true;
      try {
        const next = { ...valid, horizonMonths: 18 };
        const response = await call(
          'PUT',
          '/api/settings',
          bearer(token(shopA.shopifyShop!)),
          JSON.stringify(next),
        );
        expect(response.statusCode).toBe(200);
        expect(bodyOf(response)).toMatchObject({ rescore: 'nightly', settings: next });
        expect((await getTenant(store, shopA.tenantId)).horizonMonths).toBe(18);
      } finally {
        failQueue = false;
      }
    });

    it('dead-letters an unreadable refit request instead of refitting anyone', async () => {
      const queue = new LocalQueue({ name: 'refit-bad', batchSize: 1, maxReceiveCount: 2 });
      await queue.send({ tenant: shopA.tenantId });
      const before = await tenantState(shopA);
      await queue.drain(consumeRefits);
      expect(queue.deadLetters.map((m) => m.receiveCount)).toEqual([2]);
      expect(await tenantState(shopA)).toBe(before);
    });
  });
});
