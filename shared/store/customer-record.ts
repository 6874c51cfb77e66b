/** Everything stored on a customer, without the table's keys: the answer to a data request. */
import { partitionItems } from './identities.ts';
import type { Store } from './store.ts';

export type CustomerRecord = { customerId: string; orders: unknown[] } & Record<string, unknown>;

export async function customerRecord(
  store: Store,
  tenantId: string,
  customerId: string,
): Promise<CustomerRecord> {
  const items = await partitionItems(store, tenantId, customerId);
  const strip = ({ pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _h, ...rest }: Record<string, unknown>) => rest;
  const profile = items.find((i) => i.sk === 'PROFILE');
  return {
    customerId,
    identities: [...((profile?.identities as Set<string> | undefined) ?? [])].sort(),
    orders: items.filter((i) => String(i.sk).startsWith('ORDER#')).map(strip),
    score: items.filter((i) => i.sk === 'SCORE').map(strip)[0] ?? null,
    merges: items.filter((i) => String(i.sk).startsWith('MERGED#')).map(strip),
  };
}
