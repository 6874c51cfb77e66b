/**
 * What the fault matrix checks after every case, read straight from the
 * table: every accepted order stored at its newest version; every customer
 * with orders scored from all of them; every changed field on its way to the
 * CRM (an outbox entry and a flush request) or written there; or else the
 * failure sitting in a dead-letter queue, with its reason. Each breach is a
 * lost item, named precisely enough to find it.
 */
import { purchaseDayHistory } from '../../../shared/clv/index.ts';
import { getModel } from '../../../shared/store/models.ts';
import { ordersToPurchases } from '../../../shared/store/orders.ts';
import type { PurchaseHistory, StoredScore } from '../../../shared/store/scores.ts';
import type { Store } from '../../../shared/store/store.ts';
import { historyOf } from '../../../shared/pipeline/score-customer.ts';
import { tenantItems as itemsOfTenant } from '../../helpers/dynamo.ts';

export interface TenantItems {
  orders: Record<string, unknown>[];
  owners: Record<string, unknown>[];
  scores: Map<string, StoredScore>;
  outbox: Record<string, unknown>[];
  /** Every item, by customer partition. */
  partitions: Map<string, Record<string, unknown>[]>;
}

/** Everything of a tenant (its keys from gsi1, the items read strongly consistent), grouped for the checks. */
export async function tenantItems(store: Store, tenantId: string): Promise<TenantItems> {
  const items = await itemsOfTenant(store, tenantId);
  const partitions = new Map<string, Record<string, unknown>[]>();
  const prefix = `T#${tenantId}#C#`;
  for (const i of items) {
    const pk = String(i.pk);
    if (!pk.startsWith(prefix)) continue;
    const id = pk.slice(prefix.length);
    partitions.set(id, [...(partitions.get(id) ?? []), i]);
  }
  const scores = new Map<string, StoredScore>();
  for (const i of items)
    if (i.kind === 'score') scores.set(String(i.customerId), i as unknown as StoredScore);
  return {
    orders: items.filter((i) => i.kind === 'order'),
    owners: items.filter((i) => i.kind === 'orderOwner'),
    scores,
    outbox: items.filter((i) => i.kind === 'outbox'),
    partitions,
  };
}

/** The newest version each accepted order must end at: `source:orderId` → the source's updated_at. */
export type AcceptedOrders = Map<string, string>;

export interface InvariantInput {
  store: Store;
  tenantId: string;
  /** The scoring clock every score was made with. */
  now: number;
  accepted?: AcceptedOrders;
  /** Flush requests seen on the write-back queue, by target; checked when the tenant's outbox holds entries. */
  flushRequests?: Map<string, number>;
  /** The scores must carry the tenant's current model version (after a refit). */
  modelVersion?: boolean;
}

const sameHistory = (a: PurchaseHistory, b: PurchaseHistory) =>
  JSON.stringify([a.days, a.values, a.margins]) === JSON.stringify([b.days, b.values, b.margins]);

export async function lostItems(input: InvariantInput): Promise<string[]> {
  const { store, tenantId, now } = input;
  const t = await tenantItems(store, tenantId);
  const lost: string[] = [];
  for (const [key, version] of input.accepted ?? []) {
    const [source, ...rest] = key.split(':');
    const orderId = rest.join(':');
    const owner = t.owners.find((o) => String(o.pk).endsWith(`#ORDER#${source}#${orderId}`));
    const order = t.orders.find((o) => o.source === source && o.orderId === orderId);
    if (!owner || !order) lost.push(`order ${key} not stored`);
    else if (
      Number(order.versionMs) !== Date.parse(version) ||
      Number(owner.versionMs) !== Date.parse(version)
    )
      lost.push(`order ${key} stored at ${String(order.version)}, not its newest ${version}`);
  }
  for (const [customerId, items] of t.partitions) {
    if (!items.some((i) => i.sk === 'PROFILE')) continue;
    const purchases = ordersToPurchases(customerId, items);
    const days = purchaseDayHistory(purchases, { observationEnd: now, timeUnit: 'day' }).get(customerId);
    if (!days?.length) continue;
    const want = historyOf(days);
    const score = t.scores.get(customerId);
    const orders = items.filter((i) => String(i.sk).startsWith('ORDER#')).length;
    if (!score) lost.push(`customer ${customerId} (${orders} orders) never scored`);
    else if (!sameHistory(score.history, want))
      lost.push(
        score.history.days.length === want.days.length
          ? `customer ${customerId} scored on stale order values ${JSON.stringify(score.history.values)}, not ${JSON.stringify(want.values)}`
          : `customer ${customerId} scored from ${score.history.days.length} of ${want.days.length} purchase days (${orders} orders)`,
      );
  }
  if (input.flushRequests)
    for (const target of new Set(t.outbox.map((e) => String(e.target))))
      if (!input.flushRequests.get(target))
        lost.push(
          `${t.outbox.filter((e) => e.target === target).length} ${target} outbox entries, no flush requested`,
        );
  if (input.modelVersion) {
    const model = await getModel(store, tenantId);
    if (!model) lost.push('no model stored');
    else
      for (const s of t.scores.values())
        if (s.modelVersion !== model.version && model.method === 'model')
          lost.push(
            `customer ${s.customerId} scored with model ${String(s.modelVersion)}, not ${model.version}`,
          );
  }
  return lost;
}
