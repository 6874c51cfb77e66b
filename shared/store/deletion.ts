/**
 * Forgetting: one customer (a GDPR/CCPA redact request) or a whole tenant
 * (an uninstall's shop redact). Everything that names them goes: orders,
 * scores, identities, order owners, merge records, pending CRM writes.
 */
import { deleteAll } from './batch.ts';
import { partitionItems } from './identities.ts';
import type { Key } from './keys.ts';
import { keys } from './keys.ts';
import { queryPages } from './query.ts';
import type { Store } from './store.ts';

export async function deleteCustomer(store: Store, tenantId: string, customerId: string): Promise<number> {
  const items = await partitionItems(store, tenantId, customerId);
  const doomed: Key[] = items.map((i) => ({ pk: String(i.pk), sk: String(i.sk) }));
  for (const item of items) {
    if (item.sk === 'PROFILE') {
      for (const k of (item.identities as Set<string> | undefined) ?? [])
        doomed.push(keys.identity(tenantId, k));
    }
    if (String(item.sk).startsWith('ORDER#'))
      doomed.push(keys.orderOwner(tenantId, String(item.source), String(item.orderId)));
  }
  for (const target of ['shopify', 'salesforce']) doomed.push(keys.outbox(tenantId, target, customerId));
  await deleteAll(store, doomed);
  return doomed.length;
}

/**
 * Every item of a tenant but its Shopify sessions carries gsi1pk = the
 * tenant, so the index lists them all. The index is eventually consistent in
 * AWS: pages are re-read until it comes back empty. The sessions are kept out
 * of the index (keys.shopifySession) and read from their own partition.
 */
export async function deleteTenant(store: Store, tenantId: string): Promise<number> {
  let deleted = await deleteShopifySessions(store, tenantId);
  for (let pass = 0; pass < 5; pass++) {
    let found = 0;
    for await (const page of queryPages<Key>(store, {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :t',
      ExpressionAttributeValues: { ':t': keys.tenantIndex(tenantId) },
      ProjectionExpression: 'pk, sk',
    })) {
      await deleteAll(store, page);
      found += page.length;
    }
    deleted += found;
    if (!found) return deleted;
  }
  return deleted;
}

/** The tenant's Shopify sessions, read from their own partition: they carry no gsi1 keys (keys.shopifySession). */
export async function deleteShopifySessions(store: Store, tenantId: string): Promise<number> {
  let deleted = 0;
  for await (const page of queryPages<Key>(store, {
    KeyConditionExpression: 'pk = :p',
    ExpressionAttributeValues: { ':p': keys.shopifySessionPartition(tenantId) },
    ProjectionExpression: 'pk, sk',
    ConsistentRead: true,
  })) {
    await deleteAll(store, page);
    deleted += page.length;
  }
  return deleted;
}
