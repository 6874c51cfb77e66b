/**
 * The non-embedded install (OAuth authorization code), an install on a shop
 * whose admin filters are used up, and the backfill's harder paths: bulk
 * query slots taken by other exports (five may run since 2026-01; past that
 * LIMIT_REACHED, retried later), and a run cut off midway that resumes from
 * its checkpoint. DynamoDB Local and the Shopify sandbox; production code
 * unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shopAdmin } from '../../../integrations/shopify/access-token.ts';
import { backfillShopifyOrders } from '../../../integrations/shopify/backfill.ts';
import { BulkOperationsBusyError } from '../../../integrations/shopify/bulk-operations.ts';
import { METAFIELDS } from '../../../integrations/shopify/metafields.ts';
import { BULK_OPERATION_RUN_QUERY, BULK_OPERATION_STATUS } from '../../../integrations/shopify/operations.ts';
import { getBackfill, putBackfill } from '../../../shared/store/backfills.ts';
import { getTenant, tenantIdFor } from '../../../shared/store/tenants.ts';
import { apiEvent } from '../../helpers/api-event.ts';
import { takeAdminFilters } from '../../worlds/admin-filters.ts';
import type { ShopifySandboxWorld } from '../../worlds/shopify.ts';
import { APP_URL as APP, sortedKeys, startShopifyWorld } from '../../worlds/shopify.ts';

const API_KEY = 'oauth-api-key';
const shop = `code-${Math.random().toString(36).slice(2, 8)}.myshopify.com`;
let clock = Date.now();
const sleep = async (ms: number) => {
  clock += ms;
};
let world: ShopifySandboxWorld;

beforeAll(async () => {
  world = await startShopifyWorld({
    apiKey: API_KEY,
    apiSecret: 'oauth-api-secret-not-a-real-one',
    sandbox: { now: () => clock },
  });
  world.addShopWithHistory(shop, {
    orders: 1200,
    customers: 400,
    seed: 3,
    currencyCode: 'USD',
    start: '2025-01-01T00:00:00Z',
    end: '2026-05-01T00:00:00Z',
  });
});

afterAll(() => world?.stop());

describe('OAuth authorization-code install (non-embedded)', () => {
  it('redirects to the grant screen, then takes the signed callback and installs; a forged callback is refused', async () => {
    const { sandbox, store } = world;
    const requested: unknown[] = [];
    const auth = world.authWith(async (m) => requested.push(m));
    const begin = await auth(apiEvent({ method: 'GET', path: '/shopify/auth', query: `shop=${shop}` }));
    expect(begin.statusCode).toBe(302);
    const grant = new URL(String(begin.headers?.location));
    expect(grant.host).toBe(shop);
    expect(grant.pathname).toBe('/admin/oauth/authorize');
    expect(grant.searchParams.get('client_id')).toBe(API_KEY);
    expect(grant.searchParams.get('redirect_uri')).toBe(`${APP}/shopify/auth/callback`);
    const state = grant.searchParams.get('state')!;
    const cookies = (begin.cookies ?? []).map((c) => c.split(';')[0]!);
    expect(cookies.some((c) => c.startsWith('shopify_app_state='))).toBe(true);

    const callback = new URL(
      sandbox.authorizationRedirect(shop, { redirectUri: `${APP}/shopify/auth/callback`, state }),
    );
    const forged = new URLSearchParams(callback.search);
    forged.set('hmac', '0'.repeat(64));
    const refused = await auth(
      apiEvent({ method: 'GET', path: '/shopify/auth/callback', query: forged.toString(), cookies }),
    );
    expect(refused.statusCode).toBe(401);
    expect(await tenantIdFor(store, 'shopify', shop)).toBeNull();

    const done = await auth(
      apiEvent({ method: 'GET', path: '/shopify/auth/callback', query: callback.search.slice(1), cookies }),
    );
    expect(done.statusCode).toBe(302);
    expect(done.headers?.location).toBe(`https://${shop}/admin/apps/${API_KEY}`);
    const tenantId = await tenantIdFor(store, 'shopify', shop);
    expect(tenantId).not.toBeNull();
    expect((await getTenant(store, tenantId!)).currency).toBe('USD');
    expect(requested).toEqual([{ tenantId, source: 'shopify' }]);
    // Every definition was created, and only the three labels asked to be filterable in the admin.
    const definitions = world.clvDefinitions(shop);
    expect(sortedKeys(definitions)).toEqual(Object.keys(METAFIELDS).sort());
    expect(sortedKeys(definitions.filter((d) => d.adminFilterable))).toEqual([
      'churn_risk',
      'segment',
      'tier',
    ]);
  });
});

describe('install on a shop whose admin filters are used up', () => {
  it('creates the definitions without the filter, reports it, and still queues the backfill', async () => {
    const full = `full-${Math.random().toString(36).slice(2, 8)}.myshopify.com`;
    const s = world.sandbox.addShop(full, { currencyCode: 'EUR' });
    // 48 of the 50 filterable customer definitions are the merchant's and other apps'.
    takeAdminFilters(s, 48, 'loyalty_app');
    const requested: unknown[] = [];
    const res = await world.install(full, async (m) => requested.push(m));
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(String(res.body)) as {
      tenantId: string;
      definitions: { created: number; existing: number; notFilterable: { key: string; codes: string[] }[] };
    };
    expect(body.definitions).toMatchObject({ created: 11, existing: 0, refused: [] });
    expect(body.definitions.notFilterable).toEqual([
      {
        key: 'churn_risk',
        codes: ['OWNER_TYPE_LIMIT_EXCEEDED_FOR_USE_AS_ADMIN_FILTERS'],
        message: 'You have reached the maximum allowed definitions to be used as admin filters.',
      },
    ]);
    const clv = world.clvDefinitions(full);
    expect(clv.filter((d) => d.adminFilterable).map((d) => d.key)).toEqual(['tier', 'segment']);
    expect(clv).toHaveLength(11);
    expect(requested).toEqual([{ tenantId: body.tenantId, source: 'shopify' }]);
  });
});

describe('backfill: busy bulk slots, and a resume after a cut-off', () => {
  it(
    'shares the shop with running exports, is refused past five with a transient error, and resumes at the checkpoint',
    { timeout: 300_000 },
    async () => {
      const { sandbox, shopify, store } = world;
      const tenant = await getTenant(store, (await tenantIdFor(store, 'shopify', shop))!);
      const client = await shopAdmin(shopify, store, tenant, { sleep });
      const poll = { intervalMs: 5, sleep };
      const startOther = async () =>
        (
          await client.request<{ bulkOperationRunQuery: { bulkOperation: { id: string } | null } }>(
            BULK_OPERATION_RUN_QUERY,
            { query: '{ customers { edges { node { id } } } }' },
          )
        ).bulkOperationRunQuery.bulkOperation!.id;
      // Five other exports hold every slot Shopify gives an app on a shop (2026-01 and later).
      const others: string[] = [];
      for (let i = 0; i < 5; i++) others.push(await startOther());
      const busy = await backfillShopifyOrders(store, client, tenant, { poll, now: () => clock }).catch(
        (e: unknown) => e,
      );
      expect(busy).toBeInstanceOf(BulkOperationsBusyError);
      expect((busy as BulkOperationsBusyError).transient).toBe(true);
      expect((busy as Error).message).toContain('Bulk operations limit reached. Please try again later.');
      for (const id of others) expect((busy as Error).message).toContain(id);
      expect((await getBackfill(store, tenant.tenantId, 'shopify'))?.status).not.toBe('failed');
      // Let four finish: with one other export still running, ours starts at once beside it.
      for (const id of others.slice(0, 4))
        for (let i = 0; i < 4; i++) await client.request(BULK_OPERATION_STATUS, { id });
      const first = await backfillShopifyOrders(store, client, tenant, { poll, now: () => clock });
      expect(first).not.toBeNull();
      const starts = sandbox.calls.filter((c) => c.operationName === 'RunBulkQuery');
      expect(starts.length).toBe(7); // five others, ours refused once, ours started
      expect(first!.resumed).toBe(false);
      const total = first!.progress.consumed;
      expect(total).toBeGreaterThan(1000);
      expect(first!.progress.stored).toBe(total - first!.progress.rejected);

      // A later run that was cut off after 1,000 orders: the same operation's result, from order 1,001 on.
      const state = (await getBackfill(store, tenant.tenantId, 'shopify'))!;
      await putBackfill(store, tenant.tenantId, { ...state, status: 'importing', ordersRecorded: 1000 });
      const resumed = await backfillShopifyOrders(store, client, tenant, { poll, now: () => clock });
      expect(resumed!.resumed).toBe(true);
      expect(resumed!.operationId).toBe(first!.operationId);
      expect(resumed!.progress.consumed).toBe(total);
      // Only the remaining orders were read again, and they were already stored: nothing counted twice.
      expect(resumed!.progress.stored).toBe(0);
      expect(resumed!.progress.stale + resumed!.progress.rejected).toBe(total - 1000);
      expect((await getBackfill(store, tenant.tenantId, 'shopify'))!.status).toBe('done');
      // Asked again after it is done (a reinstall): nothing to do.
      expect(await backfillShopifyOrders(store, client, tenant, { poll, now: () => clock })).toBeNull();
    },
  );
});
