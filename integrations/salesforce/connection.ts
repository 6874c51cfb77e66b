/**
 * A jsforce connection to a tenant's org, by the OAuth 2.0 JWT bearer flow or
 * the client credentials flow (never username-password); token.ts asks for
 * the token, each attempt timed out and transient failures retried. jsforce
 * calls our refresh function when a call answers INVALID_SESSION_ID, and the
 * call is sent again with the new token.
 *
 * Both flows post to the tenant's login URL, its My Domain URL; the JWT's
 * audience is login.salesforce.com or test.salesforce.com (login-hosts.ts).
 */
import { createSign } from 'node:crypto';
import jsforce from 'jsforce';
import type { Connection } from 'jsforce';
import type { TenantSettings } from '../../shared/store/tenants.ts';
import { clientCredentialsUrlProblem, jwtAudience } from './login-hosts.ts';
import type { SalesforceSecrets, SecretSource } from './secrets.ts';
import type { TokenRequestOptions } from './token.ts';
import { requestAccessToken } from './token.ts';

// In salesforce-errors.ts, so code that only classifies errors need not load jsforce with this module.
import { SalesforceNotConfiguredError } from './salesforce-errors.ts';
export { SalesforceNotConfiguredError } from './salesforce-errors.ts';

export { SalesforceAuthError, SalesforceLoginUnavailableError } from './token.ts';

export type { SalesforceSecrets, SecretSource } from './secrets.ts';

type OrgSettings = NonNullable<TenantSettings['salesforce']>;

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * The signed assertion of the JWT bearer flow: RS256, expiring in 3 minutes,
 * the limit Salesforce sets ("OAuth 2.0 JWT Bearer Flow for Server-to-Server
 * Integration"). jsforce sends an assertion but does not make one; signing
 * RS256 is three lines of node:crypto, so no JWT library is pulled in for it.
 */
export function jwtAssertion(org: OrgSettings, privateKey: string, now = Date.now()): string {
  if (!org.username)
    throw new SalesforceNotConfiguredError('the JWT bearer flow needs the integration username');
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${part({ alg: 'RS256', typ: 'JWT' })}.${part({
    iss: org.clientId,
    sub: org.username,
    aud: jwtAudience(org),
    exp: Math.floor(now / 1000) + 180,
  })}`;
  return `${body}.${createSign('RSA-SHA256').update(body).sign(privateKey).toString('base64url')}`;
}

async function requestToken(org: OrgSettings, secrets: SalesforceSecrets, options?: TokenRequestOptions) {
  const describe = `${org.flow} login for ${org.clientId}`;
  if (org.flow === 'client-credentials') {
    const problem = clientCredentialsUrlProblem(org.loginUrl);
    if (problem) throw new SalesforceNotConfiguredError(`${problem} (clv salesforce link --login-url)`);
    if (!secrets.clientSecret)
      throw new SalesforceNotConfiguredError(
        'the client credentials flow needs SALESFORCE_CLIENT_SECRET (in AWS, the SSM parameter named by SALESFORCE_CLIENT_SECRET_PARAMETER)',
      );
    const params = {
      grant_type: 'client_credentials',
      client_id: org.clientId,
      client_secret: secrets.clientSecret,
    };
    return requestAccessToken(org.loginUrl, params, describe, options);
  }
  if (!secrets.privateKey)
    throw new SalesforceNotConfiguredError(
      'the JWT bearer flow needs SALESFORCE_PRIVATE_KEY (in AWS, the SSM parameter named by SALESFORCE_PRIVATE_KEY_PARAMETER)',
    );
  const params = { grant_type: JWT_BEARER, assertion: jwtAssertion(org, secrets.privateKey) };
  return requestAccessToken(org.loginUrl, params, describe, options);
}

export interface ConnectionStats {
  refreshes: number;
}

export async function salesforceConnection(
  tenant: TenantSettings,
  secrets: SecretSource,
  tokenOptions?: TokenRequestOptions,
): Promise<{ conn: Connection; stats: ConnectionStats }> {
  const org = tenant.salesforce;
  if (!org || !tenant.salesforceOrgId)
    throw new SalesforceNotConfiguredError(
      `tenant ${tenant.tenantId} has no Salesforce org configured: run clv salesforce setup`,
    );
  const tenantSecrets = await secrets(tenant.tenantId);
  const token = await requestToken(org, tenantSecrets, tokenOptions);
  const stats: ConnectionStats = { refreshes: 0 };
  const conn = new jsforce.Connection({
    instanceUrl: token.instance_url,
    accessToken: token.access_token,
    version: org.apiVersion,
    refreshFn: (_conn: unknown, done: (err: Error | null, accessToken?: string) => void) => {
      stats.refreshes++;
      requestToken(org, tenantSecrets, tokenOptions).then((t) => done(null, t.access_token), done);
    },
  });
  return { conn, stats };
}
