/**
 * Who is asking: the shop of the App Bridge session token in `Authorization: Bearer …`, verified by
 * integrations/shopify/session-token.ts, and that shop's tenant. A missing, forged, expired or foreign-app
 * token is refused with 401; a genuine token for a shop that has not installed the app with 403.
 */
import type { Shopify } from '@shopify/shopify-api';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { SessionTokenClaims } from '../../integrations/shopify/session-token.ts';
import {
  SessionTokenError,
  bearerToken,
  verifySessionToken,
} from '../../integrations/shopify/session-token.ts';
import type { Store } from '../../shared/store/store.ts';
import { tenantIdFor } from '../../shared/store/tenants.ts';
import { ForbiddenError, UnauthenticatedError } from '../../shared/errors.ts';
import { DashboardRefusal } from './answers.ts';

/**
 * App Bridge retries a request once with a fresh token when a 401 carries this header: an expired
 * token (a tab left open) then heals without the merchant noticing.
 */
const RETRY_WITH_NEW_TOKEN = { 'x-shopify-retry-invalid-session-request': '1' };

export async function sessionClaims(
  shopify: Shopify,
  event: APIGatewayProxyEventV2,
): Promise<SessionTokenClaims> {
  const token = bearerToken(event.headers ?? {});
  if (!token)
    throw new DashboardRefusal(
      new UnauthenticatedError(
        'missing session token: send Authorization: Bearer <App Bridge session token>',
      ),
      { reason: 'no-token', log: { reason: 'no session token' } },
    );
  try {
    return await verifySessionToken(shopify, token);
  } catch (error) {
    if (!(error instanceof SessionTokenError)) throw error;
    throw new DashboardRefusal(new UnauthenticatedError(`invalid session token: ${error.message}`), {
      reason: 'invalid-token',
      log: { reason: error.message },
      headers: RETRY_WITH_NEW_TOKEN,
      cause: error,
    });
  }
}

/** The tenant the shop is routed to: the token's shop alone selects it, never a path, query or body. */
export async function installedTenantId(store: Store, shop: string): Promise<string> {
  const tenantId = await tenantIdFor(store, 'shopify', shop);
  if (!tenantId)
    throw new DashboardRefusal(new ForbiddenError('not-installed'), {
      body: { message: `${shop} has not installed clv-sync: open the app to install it` },
      reason: 'not-installed',
      log: { shop, reason: 'shop not installed' },
    });
  return tenantId;
}
