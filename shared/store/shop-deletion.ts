/**
 * A shop's redact (`shop/redact`, 48 hours after an uninstall): everything
 * the shop gave us goes. A workspace that is the shop's alone is deleted
 * whole. A workspace that also links a Salesforce org keeps that side: the
 * tenant (without its shop), the org's route, settings and outbound token,
 * and every customer with Salesforce orders. What goes: the shop's route and
 * sessions, its backfill checkpoint, its pending metafield writes, every
 * Shopify order (and who owned it), every Shopify customer id. A customer
 * known by both loses its Shopify orders and id and is rescored from what is
 * left; a customer left with no order is deleted as a redact would.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { deleteAll } from './batch.ts';
import { deleteCustomer, deleteShopifySessions, deleteTenant } from './deletion.ts';
import { partitionItems } from './identities.ts';
import type { Key } from './keys.ts';
import { keyOf, keys } from './keys.ts';
import { queryPages } from './query.ts';
import type { Store } from './store.ts';
import type { TenantSettings } from './tenants.ts';
import { tenantKey } from './tenants.ts';

export interface ShopDeletion {
  /** 'workspace' when the tenant was the shop's alone. */
  deleted: 'workspace' | 'shop side';
  items: number;
  /** Customers deleted because no order of theirs is left. */
  customersDeleted: string[];
  /** Customers who keep Salesforce orders: to be rescored without their Shopify ones. */
  customersToRescore: string[];
}

/** A tenant's items whose index sort key starts with `prefix`, with `extra` attributes. */
async function indexed(
  store: Store,
  tenantId: string,
  prefix: string,
  extra: readonly string[] = [],
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const page of queryPages(store, {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :t AND begins_with(gsi1sk, :p)',
    ExpressionAttributeValues: { ':t': keys.tenantIndex(tenantId), ':p': prefix },
    ProjectionExpression: ['pk', 'sk', ...extra].join(', '),
  }))
    out.push(...page);
  return out;
}

export async function deleteShop(store: Store, tenant: TenantSettings): Promise<ShopDeletion> {
  const tenantId = tenant.tenantId;
  if (!tenant.salesforceOrgId) {
    const items = await deleteTenant(store, tenantId);
    return { deleted: 'workspace', items, customersDeleted: [], customersToRescore: [] };
  }
  // Unlinked first: from here no delivery is routed to this workspace for the shop, and the tenant no
  // longer names it, so rescoring writes nothing for Shopify.
  const unlink: Key[] = tenant.shopifyShop ? [keys.routeKey('shopify', tenant.shopifyShop)] : [];
  await deleteAll(store, unlink);
  await store.doc.send(
    new UpdateCommand({
      TableName: store.table,
      Key: tenantKey(tenantId),
      UpdateExpression: 'REMOVE #s.shopifyShop',
      ConditionExpression: 'attribute_exists(#s)',
      ExpressionAttributeNames: { '#s': 'settings' },
    }),
  );
  let items = unlink.length;
  const customers = new Set<string>();
  const partitionPrefix = keys.customerPartition(tenantId, '');
  // The index is eventually consistent in AWS: read again until a pass finds nothing.
  for (let pass = 0; pass < 5; pass++) {
    const orders = await indexed(store, tenantId, 'ORDER#shopify#');
    const owners = await indexed(store, tenantId, 'OWNER#shopify#');
    const identities = await indexed(store, tenantId, 'ID#shopify:', ['customerId']);
    for (const o of orders) customers.add(String(o.pk).slice(partitionPrefix.length));
    for (const i of identities) customers.add(String(i.customerId));
    const doomed = [...orders, ...owners, ...identities].map(keyOf);
    if (!doomed.length) break;
    await deleteAll(store, doomed);
    items += doomed.length;
  }
  const customersDeleted: string[] = [];
  const customersToRescore: string[] = [];
  for (const customerId of [...customers].sort()) {
    const partition = await partitionItems(store, tenantId, customerId);
    if (!partition.some((i) => String(i.sk).startsWith('ORDER#'))) {
      items += await deleteCustomer(store, tenantId, customerId);
      customersDeleted.push(customerId);
      continue;
    }
    const profile = partition.find((i) => i.sk === 'PROFILE');
    const shopifyIds = [...((profile?.identities as Set<string> | undefined) ?? [])].filter((k) =>
      k.startsWith('shopify:'),
    );
    if (shopifyIds.length)
      await store.doc.send(
        new UpdateCommand({
          TableName: store.table,
          Key: keyOf(profile!),
          UpdateExpression: 'DELETE identities :ids',
          ExpressionAttributeValues: { ':ids': new Set(shopifyIds) },
        }),
      );
    customersToRescore.push(customerId);
  }
  const rest = [
    ...(await indexed(store, tenantId, 'OUTBOX#shopify#')),
    ...(await indexed(store, tenantId, 'SHOPIFY#')),
  ].map(keyOf);
  rest.push(keys.backfill(tenantId, 'shopify'));
  await deleteAll(store, rest);
  items += rest.length + (await deleteShopifySessions(store, tenantId));
  return { deleted: 'shop side', items, customersDeleted, customersToRescore };
}
