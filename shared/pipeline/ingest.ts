/**
 * The ingestion API every source uses (webhooks, outbound messages,
 * backfills): store the order idempotently, then queue its customer for
 * rescoring. A stale or duplicate delivery queues nothing.
 */
import type { Order } from '../store/order.ts';
import type { RecordedOrder } from '../store/orders.ts';
import { recordOrder } from '../store/orders.ts';
import type { Store } from '../store/store.ts';
import type { TenantSettings } from '../store/tenants.ts';
import type { Enqueue } from './messages.ts';

export async function ingestOrder(
  store: Store,
  tenant: TenantSettings,
  order: Order,
  enqueue: Enqueue,
  now = Date.now(),
): Promise<RecordedOrder> {
  const recorded = await recordOrder(store, tenant, order, now);
  if (recorded.status === 'stored')
    await enqueue({ tenantId: tenant.tenantId, customerId: recorded.customerId });
  return recorded;
}
