import { describe, expect, it } from 'vitest';
import { partitionItems, readIdentities, resolveCustomer } from '../../../shared/store/identities.ts';
import type { Order } from '../../../shared/store/order.ts';
import { ForeignCurrencyError, recordOrder } from '../../../shared/store/orders.ts';
import { putTenant } from '../../../shared/store/tenants.ts';
import { tenantName, testStore } from '../../helpers/dynamo.ts';

const store = testStore();

const order = (orderId: string, customer: Order['customer'], overrides: Partial<Order> = {}): Order => ({
  source: 'shopify',
  orderId,
  version: '2026-01-01T00:00:00Z',
  placedAt: '2026-01-01T00:00:00Z',
  customer,
  value: 50,
  refunded: 0,
  currency: 'USD',
  margin: null,
  cancelled: false,
  ...overrides,
});

describe('identity resolution and merge', () => {
  it('recognises the same person by email across systems and merges two histories into one', async () => {
    const tenant = await putTenant(store, { tenantId: tenantName('merge'), currency: 'USD' });
    const shop = await recordOrder(
      store,
      tenant,
      order('s1', { shopifyCustomerId: '1', email: 'Ann@Shop.com' }),
    );
    const sf = await recordOrder(store, tenant, {
      ...order('o1', { salesforceContactId: '003A' }),
      source: 'salesforce',
    });
    expect(sf.customerId).not.toBe(shop.customerId);
    // An order naming both proves they are one person.
    const both = await recordOrder(
      store,
      tenant,
      order('s2', { shopifyCustomerId: '1', salesforceContactId: '003A' }),
    );
    const survivor = [shop.customerId, sf.customerId].sort()[0]!;
    const absorbed = [shop.customerId, sf.customerId].sort()[1]!;
    expect(both.customerId).toBe(survivor);
    expect(both.merged).toEqual([absorbed]);
    const items = await partitionItems(store, tenant.tenantId, survivor);
    expect(
      items
        .filter((i) => String(i.sk).startsWith('ORDER#'))
        .map((i) => i.sk)
        .sort(),
    ).toEqual(['ORDER#salesforce#o1', 'ORDER#shopify#s1', 'ORDER#shopify#s2']);
    expect(items.some((i) => i.sk === `MERGED#${absorbed}`)).toBe(true);
    expect(await partitionItems(store, tenant.tenantId, absorbed)).toEqual([]);
    expect(await readIdentities(store, tenant.tenantId, survivor)).toEqual([
      'email:ann@shop.com',
      'sfcontact:003A',
      'shopify:1',
    ]);
    // A later order with only the email lands on the survivor.
    expect((await resolveCustomer(store, tenant.tenantId, { email: 'ann@shop.com' })).customerId).toBe(
      survivor,
    );
  });

  it('keeps the newest version of an order whatever the arrival order, and refuses a foreign currency', async () => {
    const tenant = await putTenant(store, { tenantId: tenantName('versions'), currency: 'USD' });
    const who = { shopifyCustomerId: '9' };
    const v2 = order('x', who, { version: '2026-01-02T00:00:00Z', value: 20, refunded: 30 });
    const v1 = order('x', who, { version: '2026-01-01T00:00:00Z' });
    expect((await recordOrder(store, tenant, v2)).status).toBe('stored');
    expect((await recordOrder(store, tenant, v1)).status).toBe('stale');
    expect((await recordOrder(store, tenant, v2)).status).toBe('stale');
    const { customerId } = await recordOrder(store, tenant, v2);
    const stored = (await partitionItems(store, tenant.tenantId, customerId)).find(
      (i) => i.sk === 'ORDER#shopify#x',
    );
    expect(stored).toMatchObject({ value: 20, refunded: 30, version: '2026-01-02T00:00:00Z' });
    await expect(recordOrder(store, tenant, order('y', who, { currency: 'EUR' }))).rejects.toBeInstanceOf(
      ForeignCurrencyError,
    );
    await expect(recordOrder(store, tenant, order('z', who, { value: -5 }))).rejects.toThrow(/value/);
  });

  it('settles concurrent first orders of one new customer on a single customer', async () => {
    const tenant = await putTenant(store, { tenantId: tenantName('race'), currency: 'USD' });
    const who = { shopifyCustomerId: '5', email: 'race@x.io' };
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => recordOrder(store, tenant, order(`r${i}`, who))),
    );
    expect(new Set(results.map((r) => r.customerId)).size).toBe(1);
    const items = await partitionItems(store, tenant.tenantId, results[0]!.customerId);
    expect(items.filter((i) => String(i.sk).startsWith('ORDER#'))).toHaveLength(8);
  });
});
