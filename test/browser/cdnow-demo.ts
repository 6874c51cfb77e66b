/**
 * The CDNOW demo shop: the 1/10 sample (2,357 customers, 6,919 purchases, 1997–98; read in place from
 * ../shared/data/cdnow) as Shopify orders in USD, recorded and scored through the real pipeline
 * (importOrders, then scoreAndRefit) on DynamoDB Local, "today" being the day after the data ends. CDNOW
 * has no referral data, so one customer in nine is marked as referred by the customer before them, on
 * their first order, the way a referral discount code is attributed: enough for the dashboard's referral
 * section to have both groups. Every other figure is CDNOW's own.
 */
import type { Order } from '../../shared/store/order.ts';
import type { Store } from '../../shared/store/store.ts';
import type { TenantSettings } from '../../shared/store/tenants.ts';
import type { RefitReport } from '../../shared/pipeline/refit-tenant.ts';
import { importOrders, scoreAndRefit } from '../../shared/pipeline/import-history.ts';
import { cdnowSampleTransactions } from '../helpers/cdnow.ts';

/** The day after the CDNOW observation period ends (1998-06-30). */
export const CDNOW_TODAY = Date.parse('1998-07-01T12:00:00Z');

const REFERRED_EVERY = 9;

export const cdnowEmail = (id: string) => `cdnow.${id}@example.com`;

export function cdnowOrders(options: { customers?: number } = {}): Order[] {
  const purchases = cdnowSampleTransactions().filter(
    (p) => options.customers === undefined || Number(p.customerId) <= options.customers,
  );
  const seen = new Set<string>();
  return purchases.map((p, i) => {
    const placedAt = new Date(p.at + 15 * 3_600_000).toISOString();
    const id = Number(p.customerId);
    const first = !seen.has(p.customerId);
    seen.add(p.customerId);
    const referred = first && id > 1 && id % REFERRED_EVERY === 0;
    return {
      source: 'shopify',
      orderId: `cdnow-${i + 1}`,
      version: placedAt,
      customer: { shopifyCustomerId: p.customerId, email: cdnowEmail(p.customerId) },
      placedAt,
      value: p.amount,
      refunded: 0,
      currency: 'USD',
      margin: null,
      cancelled: false,
      ...(referred ? { referredBy: { shopifyCustomerId: String(id - 1) } } : {}),
    };
  });
}

async function* stream(orders: Order[]): AsyncIterable<Order> {
  yield* orders;
}

export async function seedCdnowShop(
  store: Store,
  tenant: TenantSettings,
  options: { customers?: number; now?: number } = {},
): Promise<{ orders: number; customers: number; refit: RefitReport }> {
  const now = options.now ?? CDNOW_TODAY;
  const orders = cdnowOrders(options);
  const { progress, customers } = await importOrders(store, tenant, stream(orders), { now, concurrency: 32 });
  if (progress.rejected) throw new Error(`${progress.rejected} CDNOW orders were rejected`);
  const refit = await scoreAndRefit(store, tenant, customers, now, 32);
  return { orders: progress.stored, customers: customers.size, refit };
}
