/**
 * The org's Contact emails through the tenant's connected app, for the deployed outbound listener. jsforce is
 * imported on the first lookup only: most messages name Contacts already known, and the function starts
 * faster without it.
 */
import type { TenantSettings } from '../../shared/store/tenants.ts';
import type { ContactEmails } from '../../integrations/salesforce/contact-emails.ts';
import type { ConnectionCache } from '../../integrations/salesforce/connection-cache.ts';
import { connectionCache, connectOnFirstUse } from '../../integrations/salesforce/connection-cache.ts';

/** Kept while the function is warm (connection-cache.ts): messages do not each cost a login. */
let lookupConnections: ConnectionCache | undefined;

export function orgContactEmails(tenant: TenantSettings): ContactEmails | undefined {
  if (!tenant.salesforce) return undefined;
  return async (contactIds) => {
    const [{ secretsFromEnv }, { contactEmailsFrom }] = await Promise.all([
      import('../../integrations/salesforce/secrets.ts'),
      import('../../integrations/salesforce/contact-emails.ts'),
    ]);
    lookupConnections ??= connectionCache(connectOnFirstUse, secretsFromEnv());
    const { conn } = await lookupConnections.connect(tenant);
    return contactEmailsFrom(conn)(contactIds);
  };
}
