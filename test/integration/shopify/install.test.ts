/**
 * Installing a shop into a workspace that exists already: the README's order (link Salesforce under
 * `shopify-<shop>` first, then install) must end with one workspace linking both, the org link, the
 * outbound token and the merchant's settings kept. DynamoDB Local and the Shopify sandbox.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salesforceLink } from '../../../cli/commands/salesforce-link.ts';
import { createShopifyAuthHandler } from '../../../functions/shopify-auth.ts';
import { outboundTokenMatches } from '../../../integrations/salesforce/outbound-token.ts';
import { tenantIdForShop } from '../../../integrations/shopify/install.ts';
import { createShopifyApp } from '../../../integrations/shopify/shopify-app.ts';
import { getTenant, putTenant, tenantIdFor } from '../../../shared/store/tenants.ts';
import { apiEvent } from '../../helpers/api-event.ts';
import { testStore } from '../../helpers/dynamo.ts';
import type { ShopifySandbox } from '../../../sandbox/shopify/index.ts';
import { startShopifySandbox } from '../../../sandbox/shopify/index.ts';

const API_KEY = 'install-merge-key';
const API_SECRET = 'install-merge-secret-not-real';
const store = testStore();
const logger = new Logger({ serviceName: 'clv-test', logLevel: 'SILENT' });
let sandbox: ShopifySandbox;
let shopify: ReturnType<typeof createShopifyApp>;

beforeAll(async () => {
  sandbox = await startShopifySandbox({ apiKey: API_KEY, apiSecret: API_SECRET });
  shopify = createShopifyApp({
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    appUrl: 'https://app.clv-sync.test',
    adminOrigin: sandbox.origin,
  });
});

afterAll(() => sandbox?.stop());

describe('install into an existing workspace', () => {
  it('keeps the Salesforce link, the outbound token and the settings, and adds the shop', async () => {
    const shop = `joined-${Math.random().toString(36).slice(2, 8)}.myshopify.com`;
    sandbox.addShop(shop, { currencyCode: 'EUR' });
    const tenantId = tenantIdForShop(shop);
    const org = `00D5g${String(Math.floor(Math.random() * 1e10)).padStart(10, '0')}`;
    const linked = await salesforceLink({
      tenant: tenantId,
      'org-id': org,
      'login-url': 'https://acme.my.salesforce.com',
      'client-id': 'key-1',
      currency: 'EUR',
      grain: 'account',
    });
    const token = /\?token=([A-Za-z0-9_-]{43})'/.exec(linked)![1]!;
    await putTenant(store, {
      ...(await getTenant(store, tenantId)),
      defaultMarginRate: 0.4,
      horizonMonths: 24,
    });

    const requested: unknown[] = [];
    const auth = createShopifyAuthHandler({
      shopify,
      store,
      logger,
      requestBackfill: async (m) => void requested.push(m),
    });
    const res = await auth(
      apiEvent({
        method: 'POST',
        path: '/shopify/install',
        headers: { authorization: `Bearer ${sandbox.sessionToken(shop)}` },
      }),
    );
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(String(res.body))).toMatchObject({ tenantId });

    const tenant = await getTenant(store, tenantId);
    expect(tenant).toMatchObject({
      shopifyShop: shop,
      salesforceOrgId: org,
      salesforceGrain: 'account',
      salesforce: { loginUrl: 'https://acme.my.salesforce.com', clientId: 'key-1' },
      currency: 'EUR',
      defaultMarginRate: 0.4,
      horizonMonths: 24,
    });
    expect(outboundTokenMatches(tenant.salesforceOutboundTokenHash ?? '0'.repeat(64), token)).toBe(true);
    expect(await tenantIdFor(store, 'shopify', shop)).toBe(tenantId);
    expect(await tenantIdFor(store, 'salesforce', org)).toBe(tenantId);
    expect(requested).toEqual([{ tenantId, source: 'shopify' }]);
  });
});
