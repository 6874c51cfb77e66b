/**
 * Reads of a stored order by its source id: the owner item says which
 * customer holds it and at which version (orders.ts writes both in one
 * transaction), and from it the order item itself.
 */
import { keys } from './keys.ts';
import { getItem } from './query.ts';
import type { Store } from './store.ts';

export interface OrderOwner {
  customerId: string;
  versionMs: number;
}

/** Who holds the order, at which version; undefined when it was never stored. */
export const orderOwner = (store: Store, tenantId: string, source: string, orderId: string) =>
  getItem<OrderOwner>(store, keys.orderOwner(tenantId, source, orderId));

/** The order item as stored in its customer's partition; undefined when it is not (or no longer) there. */
export const storedOrder = (
  store: Store,
  tenantId: string,
  customerId: string,
  source: string,
  orderId: string,
) => getItem(store, keys.order(tenantId, customerId, source, orderId));
