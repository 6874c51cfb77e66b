/**
 * Customer identity resolution: a customer is known by any of a Shopify
 * customer id, a Salesforce Contact or Account id, and a normalised email.
 * Each identity is an item pointing at its customer; an order whose
 * identities point at two customers proves they are one person, and the two
 * histories merge into the customer with the smaller id (a rule that does not
 * depend on which order arrived first), with the merge recorded.
 */
import { TransientError } from '../errors.ts';
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { logIds } from '../log-ids.ts';
import { batchGet, deleteAll, putAll } from './batch.ts';
import { scoreKeysOf } from './gone-customers.ts';
import type { Key } from './keys.ts';
import { keys } from './keys.ts';
import { queryAll } from './query.ts';
import type { CustomerIdentity } from './order.ts';
import { identityKeys } from './order.ts';
import type { Store } from './store.ts';

export class IdentityConflictError extends TransientError {
  override name = 'IdentityConflictError';
}

/** A customer id derived from an identity: the same person gets the same id however often they are resolved. */
export function customerIdFor(identityKey: string): string {
  return `c${createHash('sha256').update(identityKey).digest('hex').slice(0, 24)}`;
}

export interface Resolution {
  customerId: string;
  /** Customers merged into it by this resolution. */
  merged: string[];
}

/** The items naming who owns each of `identity`'s keys: for a caller that reads them with reads of its own. */
export const identityItemKeys = (tenantId: string, identity: CustomerIdentity): Key[] =>
  identityKeys(identity).map((k) => keys.identity(tenantId, k));

/** Who owns each identity key, from identity items read (other items among them are ignored). */
export const ownersIn = (items: readonly Record<string, unknown>[]): Map<string, string> =>
  new Map(
    items.filter((i) => i.kind === 'identity').map((i) => [String(i.identityKey), String(i.customerId)]),
  );

async function owners(
  store: Store,
  tenantId: string,
  identity: readonly string[],
): Promise<Map<string, string>> {
  return ownersIn(
    await batchGet(
      store,
      identity.map((k) => keys.identity(tenantId, k)),
    ),
  );
}

async function claim(
  store: Store,
  tenantId: string,
  customerId: string,
  identity: readonly string[],
): Promise<void> {
  await store.doc.send(
    new TransactWriteCommand({
      TransactItems: identity.map((k) => ({
        Put: {
          TableName: store.table,
          Item: { ...keys.identity(tenantId, k), kind: 'identity', identityKey: k, customerId },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      })),
    }),
  );
  await store.doc.send(
    new UpdateCommand({
      TableName: store.table,
      Key: { pk: keys.profile(tenantId, customerId).pk, sk: 'PROFILE' },
      UpdateExpression: 'SET gsi1pk = :g, gsi1sk = :s, kind = :kind ADD identities :ids',
      ExpressionAttributeValues: {
        ':g': keys.profile(tenantId, customerId).gsi1pk,
        ':s': keys.profile(tenantId, customerId).gsi1sk,
        ':kind': 'profile',
        ':ids': new Set(identity),
      },
    }),
  );
}

/** Every item in a customer's partition. */
export async function partitionItems(
  store: Store,
  tenantId: string,
  customerId: string,
): Promise<Record<string, unknown>[]> {
  return queryAll(store, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.customerPartition(tenantId, customerId) },
    ConsistentRead: true,
  });
}

/**
 * Moves everything of `absorbed` into `survivor`: orders (and who owns them),
 * identities, earlier merge records; then records the merge and removes the
 * absorbed customer. Every step is an idempotent put or delete, so a merge cut
 * short is completed by the next resolution that meets the same identities.
 */
async function merge(
  store: Store,
  tenantId: string,
  survivor: string,
  absorbed: string,
  at: string,
): Promise<void> {
  const items = await partitionItems(store, tenantId, absorbed);
  const puts: Record<string, unknown>[] = [];
  for (const item of items) {
    const sk = String(item.sk);
    if (sk.startsWith('ORDER#')) {
      const { source, orderId } = item as { source: string; orderId: string };
      puts.push({ ...item, ...keys.order(tenantId, survivor, source, orderId), customerId: survivor });
      puts.push({
        ...keys.orderOwner(tenantId, source, orderId),
        kind: 'orderOwner',
        customerId: survivor,
        version: item.version,
        versionMs: item.versionMs,
      });
    } else if (sk.startsWith('MERGED#')) {
      puts.push({ ...item, ...keys.merge(tenantId, survivor, sk.slice('MERGED#'.length)) });
    } else if (sk === 'PROFILE') {
      const identities = [...((item.identities as Set<string> | undefined) ?? [])];
      for (const k of identities)
        puts.push({ ...keys.identity(tenantId, k), kind: 'identity', identityKey: k, customerId: survivor });
      if (identities.length) {
        await store.doc.send(
          new UpdateCommand({
            TableName: store.table,
            Key: { pk: keys.profile(tenantId, survivor).pk, sk: 'PROFILE' },
            UpdateExpression: 'ADD identities :ids',
            ExpressionAttributeValues: { ':ids': new Set(identities) },
          }),
        );
      }
    }
  }
  puts.push({ ...keys.merge(tenantId, survivor, absorbed), kind: 'merge', survivor, absorbed, mergedAt: at });
  await putAll(store, puts);
  // The survivor's order set grew: a scoring of it that read before the move must not be the one kept.
  if (items.some((i) => String(i.sk).startsWith('ORDER#')))
    await store.doc.send(
      new UpdateCommand({
        TableName: store.table,
        Key: { pk: keys.profile(tenantId, survivor).pk, sk: 'PROFILE' },
        UpdateExpression: 'ADD orderSet :one',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
  await deleteAll(
    store,
    items.map((i) => ({ pk: String(i.pk), sk: String(i.sk) })),
  );
  // The absorbed customer's pending CRM writes are now the survivor's to make. Its score goes again, after its
  // profile: one a refit wrote since the items were read is removed here or by the refit (gone-customers.ts).
  await deleteAll(store, scoreKeysOf(tenantId, absorbed));
}

/** The customer an order's identities belong to, creating or merging customers as needed. */
export async function resolveCustomer(
  store: Store,
  tenantId: string,
  identity: CustomerIdentity,
  now = Date.now(),
  /** The identities' owners as the caller just read them (strongly consistent; see ownersIn): saves a read. */
  read?: Map<string, string>,
): Promise<Resolution> {
  const wanted = identityKeys(identity);
  for (let attempt = 0; attempt < 4; attempt++) {
    const found = attempt === 0 && read ? read : await owners(store, tenantId, wanted);
    const customers = [...new Set(found.values())].sort();
    const missing = wanted.filter((k) => !found.has(k));
    const survivor = customers[0] ?? customerIdFor(wanted[0] as string);
    try {
      for (const absorbed of customers.slice(1))
        await merge(store, tenantId, survivor, absorbed, new Date(now).toISOString());
      if (missing.length) await claim(store, tenantId, survivor, missing);
      return { customerId: survivor, merged: customers.slice(1) };
    } catch (error) {
      // Another delivery claimed one of these identities first: resolve again with what it wrote.
      if (error instanceof TransactionCanceledException || error instanceof ConditionalCheckFailedException)
        continue;
      throw error;
    }
  }
  // Identities by kind and keyed log id only: the message reaches logs, which must not hold an email.
  throw new IdentityConflictError(
    `could not settle the customer for ${wanted.map((k) => logIds().identity(k)).join(', ')} after 4 attempts; retry the delivery`,
  );
}

/** The identities a customer is known by. */
export async function readIdentities(store: Store, tenantId: string, customerId: string): Promise<string[]> {
  const items = await batchGet(store, [keys.profile(tenantId, customerId)]);
  return [...((items[0]?.identities as Set<string> | undefined) ?? [])].sort();
}

/** The customers known by any of these identities, without creating one: for redact and data requests. */
export async function findCustomers(
  store: Store,
  tenantId: string,
  identity: CustomerIdentity,
): Promise<string[]> {
  const wanted = identityKeys(identity);
  if (!wanted.length) return [];
  return [...new Set((await owners(store, tenantId, wanted)).values())].sort();
}
