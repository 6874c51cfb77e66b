/**
 * The workspace an outbound message is for, found before a byte of its body is read: by the secret token in
 * the endpoint URL (`?token=…`, integrations/salesforce/outbound-token.ts), since Salesforce does not sign
 * outbound messages. 401 when absent, 403 when it opens no workspace. So an unauthenticated body costs a hash
 * and one read to refuse, and the answer cannot depend on the org it names (no oracle for which orgs are
 * linked).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Store } from '../../shared/store/store.ts';
import type { TenantSettings } from '../../shared/store/tenants.ts';
import {
  getTenant,
  routeOutboundTokens,
  TenantNotFoundError,
  tenantIdForOutboundToken,
} from '../../shared/store/tenants.ts';
import {
  OUTBOUND_TOKEN_PARAM,
  outboundTokenHash,
  outboundTokenMatches,
} from '../../integrations/salesforce/outbound-token.ts';
import type { PermanentError } from '../../shared/errors.ts';
import { ForbiddenError, UnauthenticatedError } from '../../shared/errors.ts';
import { Rejection } from './rejection.ts';

/** A token that opens nothing: counted under `reason`, logged as `logged`, answered as `refused`. */
const refusal = (refused: PermanentError, reason: string, logged: string) =>
  new Rejection(refused, { reason, log: { reason: logged } });

/** Per handler: the token routes of workspaces linked before they existed are written once (tenants.ts). */
export function outboundWorkspace(store: Store, logger: Logger) {
  let tokenRoutesMigrated = false;
  /** The workspace this token opens, or null: found by the token's hash, then compared with the tenant's own. */
  const workspaceOf = async (token: string): Promise<TenantSettings | null> => {
    const hash = outboundTokenHash(token);
    let tenantId = await tenantIdForOutboundToken(store, hash);
    if (!tenantId && !tokenRoutesMigrated) {
      const routed = await routeOutboundTokens(store);
      if (routed) logger.info('outbound token routes written for workspaces linked before them', { routed });
      tokenRoutesMigrated = true;
      tenantId = await tenantIdForOutboundToken(store, hash);
    }
    if (!tenantId) return null;
    let tenant: TenantSettings;
    try {
      tenant = await getTenant(store, tenantId);
    } catch (error) {
      if (!(error instanceof TenantNotFoundError)) throw error;
      return null;
    }
    // The route is an index; the tenant's hash is the authority (a rotated token's route is left behind).
    const stored = tenant.salesforceOutboundTokenHash;
    return stored && outboundTokenMatches(stored, token) ? tenant : null;
  };

  return async (event: APIGatewayProxyEventV2): Promise<TenantSettings> => {
    const token = new URLSearchParams(event.rawQueryString ?? '').get(OUTBOUND_TOKEN_PARAM);
    if (!token)
      throw refusal(
        new UnauthenticatedError(
          `the endpoint URL carries no ${OUTBOUND_TOKEN_PARAM}: deploy it as clv salesforce link shows`,
        ),
        'no-token',
        'no token',
      );
    const tenant = await workspaceOf(token);
    if (!tenant)
      throw refusal(
        new ForbiddenError(
          `the ${OUTBOUND_TOKEN_PARAM} in the endpoint URL opens no clv-sync workspace: deploy the endpoint clv salesforce link showed last`,
        ),
        'wrong-token',
        'wrong token',
      );
    return tenant;
  };
}
