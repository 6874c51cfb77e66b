/**
 * What the Salesforce sandbox tests share before their first call: the span of a generated org
 * history, and a jsforce connection that is already logged in (a fresh access token on the org's
 * instance), as production code holds one after its OAuth login.
 */
import jsforce from 'jsforce';
import type { Connection } from 'jsforce';
import type { SalesforceSandbox } from '../../sandbox/salesforce/index.ts';

/** Two years of orders in USD, 2023 and 2024: the span of the sandbox and setup tests' histories. */
export const TWO_YEARS = { currency: 'USD', start: '2023-01-01T00:00:00Z', end: '2025-01-01T00:00:00Z' };

/** A connection to the sandbox org's instance with a fresh access token (and any other jsforce options). */
export function loggedInConnection(
  sf: SalesforceSandbox,
  version: string,
  extra: ConstructorParameters<typeof jsforce.Connection>[0] = {},
): Connection {
  return new jsforce.Connection({
    instanceUrl: sf.instanceUrl,
    accessToken: sf.issueAccessToken(),
    version,
    ...extra,
  });
}
