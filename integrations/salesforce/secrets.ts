/**
 * The connected app's secrets: SALESFORCE_CLIENT_SECRET (client credentials
 * flow) and SALESFORCE_PRIVATE_KEY (JWT bearer), from the environment locally
 * and from SSM in AWS (shared/config/secret-settings.ts). Kept apart from
 * connection.ts so a handler can hold its secret source without loading
 * jsforce until it connects.
 */
import type { SecretSettingsOptions } from '../../shared/config/secret-settings.ts';
import { optionalSecret } from '../../shared/config/secret-settings.ts';

export interface SalesforceSecrets {
  clientSecret?: string;
  /** PEM private key of the connected app's certificate (JWT bearer). */
  privateKey?: string;
}

/** Where a tenant's secrets come from: the environment locally; SSM in AWS. */
export type SecretSource = (tenantId: string) => Promise<SalesforceSecrets>;

/**
 * One pair for every org for now. Both are optional: an org uses one flow, and
 * the connection names the one its flow lacks.
 */
export const secretsFromEnv =
  (options: SecretSettingsOptions = {}): SecretSource =>
  async () => {
    const [clientSecret, privateKey] = await Promise.all([
      optionalSecret('SALESFORCE_CLIENT_SECRET', options),
      optionalSecret('SALESFORCE_PRIVATE_KEY', options),
    ]);
    // A key pasted into one line (a .env file) has its newlines written as \n.
    return { clientSecret, privateKey: privateKey?.replace(/\\n/g, '\n') };
  };
