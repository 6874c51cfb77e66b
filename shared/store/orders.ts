/**
 * recordOrder: idempotent on source + order id. A newer version (by the
 * source's updated_at) replaces an older one; an older or equal one is
 * ignored. The check is a conditional write on the order's owner item, so two
 * deliveries racing each other cannot both win.
 */
import { PermanentError } from '../errors.ts';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Purchase } from '../clv/index.ts';
import { batchGet } from './batch.ts';
import { identityItemKeys, ownersIn, resolveCustomer } from './identities.ts';
import { keys } from './keys.ts';
import type { Order } from './order.ts';
import { OrderSchema } from './order.ts';
import type { Store } from './store.ts';
import type { TenantSettings } from './tenants.ts';

export class ForeignCurrencyError extends PermanentError {
  override name = 'ForeignCurrencyError';
  constructor(message: string) {
    super(message, { statusCode: 422 });
  }
}

export interface RecordedOrder {
  /** stored: new or newer; stale: an equal or newer version was already stored. */
  status: 'stored' | 'stale';
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
    return { status: 'stale', customerId: stored.customerId, merged };
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
  try {
    await store.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: store.table,
              Item: { ...owner, kind: 'orderOwner', customerId, version: order.version, versionMs },
              ConditionExpression: 'attribute_not_exists(pk) OR versionMs < :v',
              ExpressionAttributeValues: { ':v': versionMs },
            },
          },
          { Put: { TableName: store.table, Item: item } },
          // The order's customer may have changed (identities fixed at the source): it leaves the old history.
          ...(moved
            ? [
                {
                  Delete: {
                    TableName: store.table,
                    Key: { pk: keys.customerPartition(tenant.tenantId, stored.customerId), sk: item.sk },
                  },
                },
              ]
            : []),
        ],
      }),
    );
  } catch (error) {
    if (error instanceof TransactionCanceledException) {
      // A newer version won the race; ours is stale.
      return { status: 'stale', customerId, merged };
    }
    throw error;
  }
  return { status: 'stored', customerId, merged };
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
