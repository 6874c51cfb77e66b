/**
 * The ingestion API every source uses (webhooks, outbound messages,
 * backfills): store the order idempotently, then queue its customer for
 * rescoring.
 *
 * The queue send comes after the commit, so it can fail (or the Lambda time
 * out) with the order stored. The source then redelivers the same version,
 * which finds it stored: that redelivery queues the customer again. Scoring
 * is idempotent (derived from the stored orders, written only on the order
 * set it read), so a customer queued twice costs one extra scoring, while a
 * customer never queued is never scored. A marker written in the order's
 * transaction and drained would also work, but needs a sweeper of its own;
 * the redelivery is already there. Only an older version queues nothing: the
 * newer one's own delivery (and its redeliveries) queue the customer.
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
  // A merge while resolving moved orders into this customer, whatever became of this version.
  if (recorded.status === 'stored' || recorded.duplicate || recorded.merged.length)
    await enqueue({ tenantId: tenant.tenantId, customerId: recorded.customerId });
  return recorded;
}
