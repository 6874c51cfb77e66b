/**
 * recordOrder: idempotent on source + order id. A newer version (by the
 * source's updated_at) replaces an older one; an older or equal one is
 * ignored. The check is a conditional write on the order's owner item, so two
 * deliveries racing each other cannot both win.
 */
import { TransientError, UnprocessableError } from '../errors.ts';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Purchase } from '../clv/index.ts';
import { batchGet } from './batch.ts';
import { cancellationCodes, failedOnCondition } from './dynamo-errors.ts';
import { identityItemKeys, ownersIn, resolveCustomer } from './identities.ts';
import { keys } from './keys.ts';
import type { Order } from './order.ts';
import { OrderSchema } from './order.ts';
import type { Store } from './store.ts';
import type { TenantSettings } from './tenants.ts';

export class ForeignCurrencyError extends UnprocessableError {
  override name = 'ForeignCurrencyError';
}

export interface RecordedOrder {
  /** stored: new or newer; stale: an equal or newer version was already stored. */
  status: 'stored' | 'stale';
  /**
   * Stale because this very version is already stored (or may be: a concurrent delivery's write beat
   * ours). A redelivery of a version whose first delivery failed after the commit looks like this.
   */
  duplicate: boolean;
  customerId: string;
  /** Customers merged into this one while resolving its identities. */
  merged: string[];
}

export async function recordOrder(
  store: Store,
  tenant: TenantSettings,
  input: Order,
  now = Date.now(),
): Promise<RecordedOrder> {
  const order = OrderSchema.parse(input);
  if (order.currency.toUpperCase() !== tenant.currency.toUpperCase()) {
    throw new ForeignCurrencyError(
      `order ${order.source}/${order.orderId} is in ${order.currency} but tenant ${tenant.tenantId} scores in ${tenant.currency}; send the shop-currency amounts (Shopify shop_money)`,
    );
  }
  const versionMs = Date.parse(order.version);
  const owner = keys.orderOwner(tenant.tenantId, order.source, order.orderId);
  // One strongly consistent read for the order's stored version and who owns its customer's identities.
  const read = await batchGet(store, [owner, ...identityItemKeys(tenant.tenantId, order.customer)]);
  const stored = read.find((i) => i.pk === owner.pk && i.sk === owner.sk) as
    { customerId: string; versionMs: number } | undefined;
  const { customerId, merged } = await resolveCustomer(
    store,
    tenant.tenantId,
    order.customer,
    now,
    ownersIn(read),
  );
  if (stored && stored.versionMs >= versionMs)
    return {
      status: 'stale',
      duplicate: stored.versionMs === versionMs,
      customerId: stored.customerId,
      merged,
    };
  const item = {
    ...keys.order(tenant.tenantId, customerId, order.source, order.orderId),
    kind: 'order',
    customerId,
    ...order,
    versionMs,
    placedAtMs: Date.parse(order.placedAt),
    storedAt: new Date(now).toISOString(),
  };
  const moved = stored && stored.customerId !== customerId;
  // The owner item decides a race between deliveries: only a newer version of the order may claim it.
  const claimOwner = {
    Put: {
      TableName: store.table,
      Item: { ...owner, kind: 'orderOwner', customerId, version: order.version, versionMs },
      ConditionExpression: 'attribute_not_exists(pk) OR versionMs < :v',
      ExpressionAttributeValues: { ':v': versionMs },
    },
  };
  try {
    await store.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          claimOwner,
          { Put: { TableName: store.table, Item: item } },
          orderSetChange(store, tenant.tenantId, customerId),
          // The order's customer may have changed (identities fixed at the source): it leaves the old history.
          ...(moved
            ? [
                {
                  Delete: {
                    TableName: store.table,
                    Key: { pk: keys.customerPartition(tenant.tenantId, stored.customerId), sk: item.sk },
                  },
                },
                orderSetChange(store, tenant.tenantId, stored.customerId),
              ]
            : []),
        ],
      }),
    );
  } catch (error) {
    // Our condition failed: an equal or newer version won the race, and its delivery queues the customer.
    if (failedOnCondition(error)) return { status: 'stale', duplicate: true, customerId, merged };
    const codes = cancellationCodes(error);
    // A conflict with another writer or a throttle says nothing about the versions: retried, never "stale".
    if (codes)
      throw new TransientError(
        `order ${order.source}/${order.orderId} was not stored: its transaction was cancelled (${codes.join(', ')}); the delivery is retried`,
        { cause: error },
      );
    throw error;
  }
  return { status: 'stored', duplicate: false, customerId, merged };
}

/**
 * The customer's order-set version goes up with every change to its orders, in the same
 * transaction: a score records the version it was computed from and is written only while that is
 * still the profile's (scores.ts), so a scoring that read fewer orders cannot overwrite one that
 * read more. ADD creates the attribute on the first order; the profile exists (resolveCustomer).
 */
export function orderSetChange(store: Store, tenantId: string, customerId: string) {
  return {
    Update: {
      TableName: store.table,
      Key: { pk: keys.customerPartition(tenantId, customerId), sk: 'PROFILE' },
      UpdateExpression: 'ADD orderSet :one',
      ExpressionAttributeValues: { ':one': 1 },
    },
  };
}

/**
 * Stored orders as the engine's purchases: cancelled ones count zero; a
 * refunded order is its gross and its refund, so the engine sees an order
 * refunded in full for what it is.
 */
export function ordersToPurchases(customerId: string, items: readonly Record<string, unknown>[]): Purchase[] {
  const out: Purchase[] = [];
  for (const i of items) {
    if (!String(i.sk).startsWith('ORDER#')) continue;
    const base = {
      customerId,
      at: Number(i.placedAtMs),
      orderId: `${String(i.source)}:${String(i.orderId)}`,
    };
    if (i.cancelled) {
      out.push({ ...base, amount: 0, cancelled: true });
      continue;
    }
    const refunded = Number(i.refunded ?? 0);
    out.push({ ...base, amount: Number(i.value) + refunded, margin: (i.margin as number | null) ?? null });
    if (refunded > 0) out.push({ ...base, amount: -refunded, margin: 0 });
  }
  return out;
}
