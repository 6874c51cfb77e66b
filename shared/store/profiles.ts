/**
 * Customers whose stored score is behind their orders. Every change to a
 * customer's orders raises the profile's `orderSet` in the same transaction
 * (orders.ts), and a score records the `orderSet` it was computed from
 * (scores.ts). A customer whose profile says more than its score, or that has
 * orders and no score at all, was never scored from all of them: a queue send
 * lost after the commit, a backfill resumed past lines whose customers it
 * never scored, a refit's unconditional batch write over a newer score. The
 * refit finds them here and scores them.
 */
import { batchGet } from './batch.ts';
import { keys } from './keys.ts';
import { queryPages } from './query.ts';
import type { Store } from './store.ts';

const customerOf = (tenantId: string, pk: unknown): string =>
  String(pk).slice(keys.customerPartition(tenantId, '').length);

/** Each customer profile's order-set version, a page at a time, via the tenant index (eventually consistent). */
export async function* orderSetPages(
  store: Store,
  tenantId: string,
  pageSize = 1000,
): AsyncGenerator<{ customerId: string; orderSet: number }[]> {
  for await (const page of queryPages(store, {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :t AND begins_with(gsi1sk, :s)',
    ExpressionAttributeValues: { ':t': keys.tenantIndex(tenantId), ':s': 'CUSTOMER#' },
    ProjectionExpression: 'pk, sk, orderSet',
    Limit: pageSize,
  }))
    yield page
      .filter((p) => p.sk === 'PROFILE')
      .map((p) => ({
        customerId: customerOf(tenantId, p.pk),
        orderSet: Number(p.orderSet ?? 0),
      }));
}

/**
 * The customers among `scored` (customer id → the orderSet its score was computed from) and the
 * tenant's other profiles whose orders changed since: those with orders and no score, and those
 * whose score is older than their orders.
 */
export async function customersBehind(
  store: Store,
  tenantId: string,
  scored: ReadonlyMap<string, number>,
): Promise<string[]> {
  const behind: string[] = [];
  for await (const page of orderSetPages(store, tenantId))
    for (const { customerId, orderSet } of page)
      if (orderSet > 0 && (scored.get(customerId) ?? 0) !== orderSet) behind.push(customerId);
  return behind;
}

/** Of the scores just written (customer id → orderSet written), those whose orders changed meanwhile. */
export async function writtenBehind(
  store: Store,
  tenantId: string,
  written: ReadonlyMap<string, number>,
): Promise<string[]> {
  const profiles = await batchGet(
    store,
    [...written.keys()].map((id) => keys.profile(tenantId, id)),
  );
  const behind: string[] = [];
  for (const p of profiles) {
    const id = customerOf(tenantId, p.pk);
    if (Number(p.orderSet ?? 0) !== (written.get(id) ?? 0)) behind.push(id);
  }
  return behind;
}
