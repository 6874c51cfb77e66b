/**
 * What every Salesforce intake path (outbound messages, change events) does
 * with a record once it is read (readSalesforceRecord): a purchase is stored
 * and its customer queued; a record that stopped being one replaces its
 * stored order as cancelled, and only if an order of it was ever stored; any
 * other record is ignored. The backfill reads only purchases (its SOQL
 * selects them) and imports them in bulk (shared/pipeline/import-history.ts).
 */
import { ingestOrder } from '../../shared/pipeline/ingest.ts';
import type { Enqueue } from '../../shared/pipeline/messages.ts';
import type { Order } from '../../shared/store/order.ts';
import type { Store } from '../../shared/store/store.ts';
import { tenantStore } from '../../shared/store/tenant-store.ts';
import type { TenantSettings } from '../../shared/store/tenants.ts';
import type { SalesforceRecordReading } from './order-from-salesforce.ts';

export interface IntakeContext {
  store: Store;
  tenant: TenantSettings;
  enqueue: Enqueue;
  now: number;
}

export interface ReadingOutcome {
  action: 'stored' | 'unchanged' | 'cancelled' | 'ignored';
  customerId?: string;
  reason?: string;
}

/** `adjust` completes the order before it is stored: an email looked up, a version moved by a later change. */
export async function ingestReading(
  ctx: IntakeContext,
  reading: SalesforceRecordReading,
  adjust: (order: Order, as: 'purchase' | 'cancelled') => Order = (order) => order,
): Promise<ReadingOutcome> {
  if (reading.kind === 'purchase') {
    const recorded = await ingestOrder(
      ctx.store,
      ctx.tenant,
      adjust(reading.order, 'purchase'),
      ctx.enqueue,
      ctx.now,
    );
    return {
      action: recorded.status === 'stored' ? 'stored' : 'unchanged',
      customerId: recorded.customerId,
    };
  }
  const { cancelled } = reading;
  if (
    cancelled &&
    (await tenantStore(ctx.store, ctx.tenant.tenantId).orders.owner(cancelled.source, cancelled.orderId))
  ) {
    const recorded = await ingestOrder(
      ctx.store,
      ctx.tenant,
      adjust(cancelled, 'cancelled'),
      ctx.enqueue,
      ctx.now,
    );
    return {
      action: recorded.status === 'stored' ? 'cancelled' : 'unchanged',
      customerId: recorded.customerId,
      reason: reading.reason,
    };
  }
  return { action: 'ignored', reason: reading.reason };
}
