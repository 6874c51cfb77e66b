/**
 * Scores of customers who no longer exist. A refit reads every score, works
 * for seconds to minutes, then writes the changed ones back by BatchWriteItem,
 * which cannot be conditional. A merge (identities.ts) or a deletion that ran
 * meanwhile removed its customer's profile, and the refit's write put the
 * score (and its pending CRM writes) back: a phantom customer every later
 * refit would score again, and whose fields the write-back would push.
 *
 * So once its writes are done the refit checks, strongly consistent, that
 * each customer it wrote still has a profile, and deletes again the score and
 * outbox entries of those that do not. A merge deletes the absorbed score
 * only after the profile: a score the refit wrote before that is deleted by
 * the merge, and one written after finds the profile already gone here.
 */
import { batchGet, deleteAll } from './batch.ts';
import { keys } from './keys.ts';
import type { Store } from './store.ts';

const CRM_TARGETS = ['shopify', 'salesforce'] as const;

/** Everything of a customer that a refit or a scoring writes outside its own orders and profile. */
export const scoreKeysOf = (tenantId: string, customerId: string) => [
  keys.score(tenantId, customerId),
  ...CRM_TARGETS.map((target) => keys.outbox(tenantId, target, customerId)),
];

/** Deletes the scores and outbox entries of those `customerIds` without a profile; returns their ids. */
export async function removeScoresOfGoneCustomers(
  store: Store,
  tenantId: string,
  customerIds: readonly string[],
): Promise<string[]> {
  const profiles = await batchGet(
    store,
    customerIds.map((id) => keys.profile(tenantId, id)),
  );
  const present = new Set(profiles.map((p) => String(p.pk)));
  const gone = customerIds.filter((id) => !present.has(keys.profile(tenantId, id).pk));
  await deleteAll(
    store,
    gone.flatMap((id) => scoreKeysOf(tenantId, id)),
  );
  return gone;
}
