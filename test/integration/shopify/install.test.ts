/**
 * Installing a shop into a workspace that exists already: the README's order (link Salesforce under
 * `shopify-<shop>` first, then install) must end with one workspace linking both, the org link, the
 * outbound token and the merchant's settings kept. DynamoDB Local and the Shopify sandbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salesforceLink } from '../../../cli/commands/salesforce-link.ts';
import { outboundTokenMatches } from '../../../integrations/salesforce/outbound-token.ts';
import { tenantIdForShop } from '../../../integrations/shopify/install.ts';
import { getTenant, putTenant, tenantIdFor } from '../../../shared/store/tenants.ts';
import type { ShopifySandboxWorld } from '../../worlds/shopify.ts';
import { startShopifyWorld } from '../../worlds/shopify.ts';

let world: ShopifySandboxWorld;

beforeAll(async () => {
  world = await startShopifyWorld({
    apiKey: 'install-merge-key',
    apiSecret: 'install-merge-secret-not-real',
  });
});

afterAll(() => world?.stop());

describe('install into an existing workspace', () => {
  it('keeps the Salesforce link, the outbound token and the settings, and adds the shop', async () => {
    const shop = `joined-${Math.random().toString(36).slice(2, 8)}.myshopify.com`;
    const { sandbox, store } = world;
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
    const res = await world.install(shop, async (m) => requested.push(m));
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
