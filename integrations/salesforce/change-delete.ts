/**
 * DELETE and GAP_DELETE: nothing is left to read, so a deleted record's
 * stored order is replaced by a cancelled version and its customer rescored.
 */
import { ingestOrder } from '../../shared/pipeline/ingest.ts';
import { OrderSchema } from '../../shared/store/order.ts';
import { tenantStore } from '../../shared/store/tenant-store.ts';
import type { ChangeEventContext, ChangeRecordOutcome } from './change-event-types.ts';
import type { SalesforceOrderObject } from './order-from-salesforce.ts';
import { salesforceOrderId } from './order-from-salesforce.ts';

/**
 * A deleted record's stored order, replaced by a cancelled version: at the
 * delete's commit time, or a millisecond after the stored version if that is
 * later, so it always wins over what is stored.
 */
export async function cancelDeleted(
  ctx: ChangeEventContext,
  sObject: SalesforceOrderObject,
  id: string,
  commitTimestamp: number,
): Promise<ChangeRecordOutcome> {
  const base = { sObjectType: sObject, recordId: id };
  const orderId = salesforceOrderId(sObject, id);
  const orders = tenantStore(ctx.store, ctx.tenant.tenantId).orders;
  const owner = await orders.owner('salesforce', orderId);
  if (!owner) return { ...base, action: 'ignored', reason: 'deleted, and never stored: nothing to cancel' };
  const stored = await orders.get(owner.customerId, 'salesforce', orderId);
  if (!stored) return { ...base, action: 'ignored', reason: 'deleted; its stored order moved meanwhile' };
  if (stored.cancelled === true)
    return {
      ...base,
      action: 'unchanged',
      customerId: owner.customerId,
      reason: 'deleted; already stored as cancelled',
    };
  const order = OrderSchema.parse({
    source: 'salesforce',
    orderId,
    version: new Date(Math.max(commitTimestamp, Number(owner.versionMs) + 1)).toISOString(),
    customer: stored.customer,
    placedAt: stored.placedAt,
    value: 0,
    refunded: 0,
    currency: stored.currency,
    margin: null,
    cancelled: true,
  });
  const recorded = await ingestOrder(ctx.store, ctx.tenant, order, ctx.enqueue, ctx.now);
  return {
    ...base,
    action: recorded.status === 'stored' ? 'cancelled' : 'unchanged',
    customerId: recorded.customerId,
    reason: 'deleted in Salesforce',
  };
}
