/**
 * What every backfill does once its source has produced orders: record them
 * (idempotently, a bounded number in flight), score each customer touched
 * so its compact history exists, then refit the tenant, which rescores
 * everyone with the new model and fills the outbox. Source-independent: the
 * Shopify bulk JSONL and Salesforce's SOQL/Bulk 2.0 results both end here.
 */
import { isPermanent } from '../errors.ts';
import type { Order } from '../store/order.ts';
import { recordOrder } from '../store/orders.ts';
import { getModel } from '../store/models.ts';
import { mapLimited } from './map-limited.ts';
import type { Store } from '../store/store.ts';
import type { TenantSettings } from '../store/tenants.ts';
import type { RefitReport } from './refit-tenant.ts';
import { refitTenant } from './refit-tenant.ts';
import { scoreCustomer } from './score-customer.ts';

export interface ImportProgress {
  /** Orders consumed from the source so far, including skipped and rejected ones: the resume point. */
  consumed: number;
  stored: number;
  stale: number;
  rejected: number;
}

export interface ImportOptions {
  /** Orders of the source already recorded by an earlier, interrupted run. */
  skip?: number;
  /** Records in flight at once. */
  concurrency?: number;
  /** Called every `checkpointEvery` orders, and at the end, so the caller can persist the resume point. */
  onCheckpoint?: (progress: ImportProgress) => Promise<void>;
  checkpointEvery?: number;
  onRejected?: (order: Order, reason: string) => void;
  now?: number;
}

export async function importOrders(
  store: Store,
  tenant: TenantSettings,
  orders: AsyncIterable<Order>,
  options: ImportOptions = {},
): Promise<{ progress: ImportProgress; customers: Set<string> }> {
  const { skip = 0, concurrency = 16, checkpointEvery = 1000, now = Date.now() } = options;
  const progress: ImportProgress = { consumed: 0, stored: 0, stale: 0, rejected: 0 };
  const customers = new Set<string>();
  let batch: Order[] = [];
  const flush = async () => {
    await mapLimited(batch, concurrency, async (order) => {
      try {
        const r = await recordOrder(store, tenant, order, now);
        progress[r.status]++;
        customers.add(r.customerId);
        for (const m of r.merged) customers.delete(m);
      } catch (error) {
        // A throttle or a conflict is not the order's fault: it stops the batch before its checkpoint, so the
        // import fails (its message is redelivered) and resumes at the last checkpoint with this order in it.
        if (!isPermanent(error)) throw error;
        // A bad order (foreign currency, invalid amounts) is reported and skipped: it must not stop the import.
        progress.rejected++;
        options.onRejected?.(order, (error as Error).message);
      }
    });
    progress.consumed += batch.length;
    batch = [];
    await options.onCheckpoint?.({ ...progress });
  };
  let index = 0;
  for await (const order of orders) {
    if (index++ < skip) {
      progress.consumed++;
      continue;
    }
    batch.push(order);
    if (batch.length >= checkpointEvery) await flush();
  }
  await flush();
  return { progress, customers };
}

/** Scores the customers an import touched, then refits the tenant on everyone. */
export async function scoreAndRefit(
  store: Store,
  tenant: TenantSettings,
  customers: Iterable<string>,
  now = Date.now(),
  concurrency = 16,
): Promise<RefitReport> {
  const model = await getModel(store, tenant.tenantId);
  await mapLimited([...customers], concurrency, (id) => scoreCustomer(store, tenant, id, model, now));
  return refitTenant(store, tenant, now);
}
