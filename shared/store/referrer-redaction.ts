/**
 * A redacted person also lives on in other customers' items, as their
 * referrer: an order's `referredBy` holds the identity the order named (an
 * email as typed, a Shopify customer id), and a score's `referredBy` holds
 * those identity keys and our customer id for them. Deleting the person's own
 * partition leaves all of that, so a redaction removes the referrer link from
 * every order and score of the tenant that names them. The referred customers
 * keep their orders and scores; they simply count as not referred, since who
 * referred them is no longer ours to know.
 *
 * Nothing indexes referrals by referrer, so this reads the tenant's items
 * with a referrer through gsi1 (every item carries the tenant there). That is
 * a read of the whole tenant per redaction, paid rarely: Shopify sends
 * customers/redact only on a merchant's or customer's erasure request.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.ts';
import type { CustomerIdentity } from './order.ts';
import { identityKeys } from './order.ts';
import { queryPages } from './query.ts';
import type { Store } from './store.ts';

export interface RedactedPerson {
  /** Identity keys (`email:…`, `shopify:…`): the request's and those of every customer found for it. */
  identities: readonly string[];
  /** Our customer ids for the person. */
  customerIds: readonly string[];
}

interface ReferringItem {
  pk: string;
  sk: string;
  referredBy?: unknown;
}

/** Whether an order's or a score's `referredBy` names the person. */
function namesPerson(
  referredBy: unknown,
  identities: ReadonlySet<string>,
  ids: ReadonlySet<string>,
): boolean {
  if (!referredBy || typeof referredBy !== 'object') return false;
  const link = referredBy as { identities?: unknown; customerId?: unknown };
  // A score's link: identity keys and the id resolved at scoring time.
  if (Array.isArray(link.identities))
    return (
      link.identities.some((k) => identities.has(String(k))) ||
      (typeof link.customerId === 'string' && ids.has(link.customerId))
    );
  // An order's: the identity as the order named it, compared the way identities are resolved.
  return identityKeys(referredBy as CustomerIdentity).some((k) => identities.has(k));
}

/** Removes the referrer link naming `person` from every item of the tenant; returns how many it changed. */
export async function redactReferrer(
  store: Store,
  tenantId: string,
  person: RedactedPerson,
): Promise<number> {
  const identities = new Set(person.identities);
  const ids = new Set(person.customerIds);
  if (!identities.size && !ids.size) return 0;
  let changed = 0;
  for await (const page of queryPages<ReferringItem>(store, {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :t',
    FilterExpression: 'attribute_exists(referredBy)',
    ExpressionAttributeValues: { ':t': keys.tenantIndex(tenantId) },
    ProjectionExpression: 'pk, sk, referredBy',
  })) {
    for (const item of page) {
      if (!namesPerson(item.referredBy, identities, ids)) continue;
      try {
        await store.doc.send(
          new UpdateCommand({
            TableName: store.table,
            Key: { pk: item.pk, sk: item.sk },
            UpdateExpression: 'REMOVE referredBy',
            // An update creates a missing item: one deleted since the index listed it stays deleted.
            ConditionExpression: 'attribute_exists(pk)',
          }),
        );
        changed++;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
  }
  return changed;
}

/** The identity keys a redaction covers: the request's own, and every identity of the customers found for it. */
export function redactedIdentities(
  requested: CustomerIdentity,
  profiles: readonly (readonly string[])[],
): string[] {
  return [...new Set([...identityKeys(requested), ...profiles.flat()])];
}
