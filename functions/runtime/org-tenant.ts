/**
 * The workspace a Salesforce org's event is for. Refused (by `refuse`'s error) when the org routes to no
 * tenant, to one that does not exist, or to one linked to another org: the route and the workspace must
 * agree on the org.
 */
import { sameSalesforceId } from '../../integrations/salesforce/salesforce-ids.ts';
import type { Store } from '../../shared/store/store.ts';
import type { TenantSettings } from '../../shared/store/tenants.ts';
import { getTenant, TenantNotFoundError, tenantIdFor } from '../../shared/store/tenants.ts';

export async function orgTenant(
  store: Store,
  orgId: string,
  refuse: (reason: string) => Error,
): Promise<{ tenantId: string; tenant: TenantSettings }> {
  const tenantId = await tenantIdFor(store, 'salesforce', orgId);
  if (!tenantId) throw refuse('unknown org');
  let tenant: TenantSettings;
  try {
    tenant = await getTenant(store, tenantId);
  } catch (error) {
    if (!(error instanceof TenantNotFoundError)) throw error;
    throw refuse(`org routed to tenant ${tenantId}, which does not exist`);
  }
  if (!tenant.salesforceOrgId || !sameSalesforceId(tenant.salesforceOrgId, orgId))
    throw refuse(`tenant ${tenantId} is linked to org ${tenant.salesforceOrgId ?? 'none'}`);
  return { tenantId, tenant };
}
