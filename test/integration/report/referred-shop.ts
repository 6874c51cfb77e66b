/**
 * A seeded shop whose orders name referrers, seeded through the real pipeline (importOrders, then
 * scoreAndRefit). Customer c is referred by:
 * - customer ⌊c/10⌋, by email in another spelling, when c % 5 = 1 and c ≥ 10 (a known advocate, unless
 *   that customer never bought);
 * - itself, by its Shopify id, when c % 11 = 2 (a self-referral: dropped);
 * - an email nobody bought with, when c % 13 = 4 (an unknown referrer: dropped).
 */
import { importOrders, scoreAndRefit } from '../../../shared/pipeline/import-history.ts';
import type { RefitReport } from '../../../shared/pipeline/refit-tenant.ts';
import type { CustomerIdentity, Order } from '../../../shared/store/order.ts';
import type { Store } from '../../../shared/store/store.ts';
import type { TenantSettings } from '../../../shared/store/tenants.ts';
import { putTenant } from '../../../shared/store/tenants.ts';
import { orderStream } from '../../helpers/order-stream.ts';

export const customerNumber = (order: Order) => Number(order.customer.shopifyCustomerId) - 7_000_000;

/** The referrer an order of customer `c` names, by the rules above. */
export function referrerOf(c: number): CustomerIdentity | undefined {
  if (c % 5 === 1 && c >= 10) return { email: `  customer.${Math.floor(c / 10)}+ref@EXAMPLE.com` };
  if (c % 11 === 2) return { shopifyCustomerId: String(7_000_000 + c) };
  if (c % 13 === 4) return { email: `stranger.${c}@example.org` };
  return undefined;
}

export function referredOrders(options: { orders: number; customers: number; seed: number }): Order[] {
  return orderStream(options).map((order) => {
    const referredBy = referrerOf(customerNumber(order));
    return referredBy ? { ...order, referredBy } : order;
  });
}

export async function seedShop(
  store: Store,
  tenantId: string,
  orders: readonly Order[],
  now: number,
): Promise<{ tenant: TenantSettings; refit: RefitReport }> {
  const tenant = await putTenant(store, {
    tenantId,
    shopifyShop: `${tenantId.toLowerCase().replace(/[^a-z0-9-]/g, '-')}.myshopify.com`,
    currency: 'USD',
    defaultMarginRate: 0.3,
  });
  const { customers } = await importOrders(
    store,
    tenant,
    (async function* () {
      yield* orders;
    })(),
    { now },
  );
  const refit = await scoreAndRefit(store, tenant, customers, now);
  return { tenant, refit };
}
