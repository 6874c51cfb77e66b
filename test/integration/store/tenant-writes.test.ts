/**
 * Tenant writes that must not undo each other, on DynamoDB Local: a dashboard settings save made from a
 * read taken before `clv salesforce link --new-outbound-token` rotated the token keeps the new token
 * (the old one stays refused), and a relink keeps settings saved meanwhile. The interleaving is forced
 * at the DynamoDB client boundary: the rotation runs right after the dashboard's read of the tenant.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { salesforceLink } from '../../../cli/commands/salesforce-link.ts';
import { outboundTokenHash, outboundTokenMatches } from '../../../integrations/salesforce/outbound-token.ts';
import type { Store } from '../../../shared/store/store.ts';
import { createStore } from '../../../shared/store/store.ts';
import {
  getTenant,
  putTenant,
  saveTenantSettings,
  TenantNotFoundError,
} from '../../../shared/store/tenants.ts';
import { tenantName } from '../../helpers/dynamo.ts';
import { ACCEPTED_SETTINGS } from '../../worlds/dashboard-settings.ts';
import { shopifyWorld } from '../../worlds/shopify.ts';

const world = shopifyWorld({ apiKey: 'tenant-writes-key', apiSecret: 'tenant-writes-secret-not-real' });
const { store } = world;
const randomOrg = () => `00D5g${String(Math.floor(Math.random() * 1e10)).padStart(10, '0')}`;

/** A store on the same table whose first read of `tenantId`'s item runs `meanwhile` before it answers. */
function storeInterleaving(tenantId: string, meanwhile: () => Promise<unknown>): Store {
  const s = createStore({ tableName: store.table, endpoint: process.env.CLV_DYNAMODB_ENDPOINT });
  let done = false;
  s.doc.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      // The document client's own stack may see the key marshalled or not: matched by its text.
      const key = JSON.stringify((args.input as { Key?: unknown }).Key ?? null);
      const get = /^Get(Item)?Command$/.test(String(context.commandName));
      if (!done && get && key.includes(`"T#${tenantId}"`) && key.includes('"TENANT"')) {
        done = true;
        await meanwhile();
      }
      return out;
    },
    { step: 'initialize', name: 'interleave' },
  );
  return s;
}

const linkArgs = (tenantId: string, org: string) => ({
  tenant: tenantId,
  'org-id': org,
  'login-url': 'https://acme.my.salesforce.com',
  'client-id': 'key-1',
});

describe('tenant writes', () => {
  it('a settings save from a read older than a token rotation keeps the new token; the old one is refused', async () => {
    const tenantId = tenantName('stale-save');
    const shop = `${tenantId}.myshopify.com`;
    const org = randomOrg();
    await world.addTenant(tenantId, shop);
    const first = await salesforceLink(linkArgs(tenantId, org));
    const oldToken = /\?token=([A-Za-z0-9_-]{43})'/.exec(first)![1]!;
    let newToken = '';
    const api = world.dashboardOn(
      storeInterleaving(tenantId, async () => {
        const rotated = await salesforceLink({ ...linkArgs(tenantId, org), 'new-outbound-token': true });
        newToken = /\?token=([A-Za-z0-9_-]{43})'/.exec(rotated)![1]!;
      }),
    );
    const settings = ACCEPTED_SETTINGS;
    const res = await api(
      world.dashboardEvent(shop, { method: 'PUT', path: '/api/settings', body: JSON.stringify(settings) }),
    );
    expect(res.statusCode).toBe(200);
    expect(newToken).not.toBe('');
    const tenant = await getTenant(store, tenantId);
    expect(tenant).toMatchObject({ ...settings, shopifyShop: shop, salesforceOrgId: org, currency: 'EUR' });
    expect(tenant.salesforceOutboundTokenHash).toBe(outboundTokenHash(newToken));
    expect(outboundTokenMatches(tenant.salesforceOutboundTokenHash!, newToken)).toBe(true);
    expect(outboundTokenMatches(tenant.salesforceOutboundTokenHash!, oldToken)).toBe(false);
  });

  it('a relink keeps the settings saved since its read, and the token it did not rotate', async () => {
    const tenantId = tenantName('relink');
    const org = randomOrg();
    const first = await salesforceLink({ ...linkArgs(tenantId, org), currency: 'USD' });
    const token = /\?token=([A-Za-z0-9_-]{43})'/.exec(first)![1]!;
    await saveTenantSettings(store, tenantId, { defaultMarginRate: 0.5, tags: false });
    await salesforceLink({ ...linkArgs(tenantId, org), 'client-id': 'key-2' });
    const tenant = await getTenant(store, tenantId);
    expect(tenant).toMatchObject({ defaultMarginRate: 0.5, tags: false, currency: 'USD' });
    expect(tenant.salesforce?.clientId).toBe('key-2');
    expect(outboundTokenMatches(tenant.salesforceOutboundTokenHash!, token)).toBe(true);
  });

  it('a settings save writes only its own attributes, and is refused for a tenant that does not exist', async () => {
    const tenantId = tenantName('partial');
    await putTenant(store, { tenantId, currency: 'USD', churnWindowDays: 60 });
    await saveTenantSettings(store, tenantId, { horizonMonths: 6 });
    const item = await store.doc.send(
      new GetCommand({
        TableName: store.table,
        Key: { pk: `T#${tenantId}`, sk: 'TENANT' },
        ConsistentRead: true,
      }),
    );
    expect(item.Item?.settings).toMatchObject({ horizonMonths: 6, churnWindowDays: 60, currency: 'USD' });
    await expect(saveTenantSettings(store, tenantName('gone'), { horizonMonths: 6 })).rejects.toThrow(
      TenantNotFoundError,
    );
  });
});
