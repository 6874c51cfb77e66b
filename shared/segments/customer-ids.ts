/**
 * Every segment is computed per customer and returned keyed by customer id, so one id twice would
 * silently keep only the last row. That is always an upstream identity-merge bug; say so instead.
 */
import { InternalError } from '../errors.ts';
import { logCustomerId } from '../log-ids.ts';

export class DuplicateCustomerError extends InternalError {
  override name = 'DuplicateCustomerError';
}

export function assertUniqueCustomerIds(rows: Iterable<{ customerId: string }>, what: string): Set<string> {
  const seen = new Set<string>();
  for (const { customerId } of rows) {
    if (seen.has(customerId)) {
      throw new DuplicateCustomerError(
        `${what}: customer ${logCustomerId(customerId)} (log id) appears more than once; merge its identities into one row first`,
      );
    }
    seen.add(customerId);
  }
  return seen;
}
