/**
 * Contract: the product's own token requests (integrations/salesforce/
 * connection.ts) follow Salesforce's OAuth rules, as the Salesforce sandbox
 * enforces them (sandbox/salesforce/oauth.ts; sources in
 * ../shared/reference/salesforce/README.md):
 *
 * - JWT bearer (Salesforce Help, "OAuth 2.0 JWT Bearer Flow for
 *   Server-to-Server Integration"): RS256, `exp` within 3 minutes, `aud`
 *   https://login.salesforce.com (production) or https://test.salesforce.com
 *   (sandbox), never the My Domain URL, though it is posted there.
 * - Client credentials (Salesforce Help, article 000886201): only on the My
 *   Domain token endpoint; login.salesforce.com and test.salesforce.com answer
 *   `invalid_grant` "request not supported on this domain".
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  SalesforceAuthError,
  SalesforceNotConfiguredError,
  jwtAssertion,
  salesforceConnection,
} from '../../integrations/salesforce/connection.ts';
import { jwtAudience, looksLikeSandbox } from '../../integrations/salesforce/login-hosts.ts';
import type { TenantSettings } from '../../shared/store/tenants.ts';
import { TenantSettingsSchema } from '../../shared/store/tenants.ts';
import type { SalesforceSandbox } from '../../sandbox/salesforce/index.ts';
import { startSalesforceSandbox } from '../../sandbox/salesforce/index.ts';

const CLIENT_ID = 'oauth-contract-consumer-key';
const CLIENT_SECRET = 'oauth-contract-secret-not-real';
const USERNAME = 'integration@clv.example';
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_KEY = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const secrets = async () => ({ clientSecret: CLIENT_SECRET, privateKey: PRIVATE_KEY });
const noWait = { sleep: async () => {}, timeoutMs: 2000 };
/** Logs in for `t` without waits; its connection, or what it threw. */
const connect = (t: TenantSettings) => salesforceConnection(t, secrets, noWait);
const refusal = (t: TenantSettings) => connect(t).catch((e: unknown) => e);

function tenant(
  sf: SalesforceSandbox,
  flow: 'client-credentials' | 'jwt-bearer',
  extra: Partial<NonNullable<TenantSettings['salesforce']>> = {},
): TenantSettings {
  return TenantSettingsSchema.parse({
    tenantId: 'oauth-contract',
    salesforceOrgId: sf.orgId,
    salesforce: { loginUrl: sf.loginUrl, clientId: CLIENT_ID, flow, username: USERNAME, ...extra },
    currency: 'USD',
  });
}

function decode(assertion: string) {
  const [head, body] = assertion.split('.');
  const part = (p: string | undefined) =>
    JSON.parse(Buffer.from(p ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: part(head), claims: part(body) };
}

const start = (extra: { isSandboxOrg?: boolean } = {}) =>
  startSalesforceSandbox({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    jwtPublicKeyPem: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    ...extra,
  });

let production: SalesforceSandbox;
let sandboxOrg: SalesforceSandbox;
beforeAll(async () => {
  [production, sandboxOrg] = await Promise.all([start(), start({ isSandboxOrg: true })]);
});
afterAll(() => Promise.all([production?.stop(), sandboxOrg?.stop()]));
beforeEach(() => {
  production.calls.length = 0;
  sandboxOrg.calls.length = 0;
});
const tokenCalls = (sf: SalesforceSandbox) => sf.calls.filter((c) => c.kind === 'token');

describe('JWT bearer assertion', () => {
  it('is RS256, expires within 3 minutes, and names the login server, not the My Domain URL, as audience', () => {
    const now = Date.UTC(2026, 0, 1);
    const org = {
      loginUrl: 'https://acme.my.salesforce.com',
      clientId: CLIENT_ID,
      flow: 'jwt-bearer',
      username: USERNAME,
      apiVersion: '62.0',
    } as const;
    const { header, claims } = decode(jwtAssertion(org, PRIVATE_KEY, now));
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(claims).toMatchObject({ iss: CLIENT_ID, sub: USERNAME, aud: 'https://login.salesforce.com' });
    const exp = claims.exp as number;
    expect(exp * 1000).toBeGreaterThan(now);
    expect(exp * 1000 - now).toBeLessThanOrEqual(3 * 60 * 1000);
  });

  it.each([
    ['https://acme.my.salesforce.com', undefined, 'https://login.salesforce.com'],
    ['https://acme.develop.my.salesforce.com', undefined, 'https://login.salesforce.com'],
    ['https://acme--uat.sandbox.my.salesforce.com', undefined, 'https://test.salesforce.com'],
    ['https://acme--uat.my.salesforce.com', undefined, 'https://test.salesforce.com'],
    ['https://site-ruby-1234.scratch.my.salesforce.com', undefined, 'https://test.salesforce.com'],
    ['https://acme.my.salesforce.com', true, 'https://test.salesforce.com'],
    ['https://acme--uat.sandbox.my.salesforce.com', false, 'https://login.salesforce.com'],
  ])('login URL %s, sandbox %s: audience %s', (loginUrl, sandbox, audience) => {
    expect(jwtAudience({ loginUrl, sandbox })).toBe(audience);
    if (sandbox === undefined) expect(looksLikeSandbox(loginUrl)).toBe(audience.includes('test'));
  });

  it('the product logs in to a production org, posting to its My Domain URL', async () => {
    const { conn } = await connect(tenant(production, 'jwt-bearer'));
    expect((await conn.limits()).DailyApiRequests?.Max).toBeGreaterThan(0);
    expect(tokenCalls(production)).toEqual([expect.objectContaining({ status: 200 })]);
    expect(tokenCalls(production)[0]!.host).toBeUndefined();
  });

  it('the product logs in to a sandbox org with the test.salesforce.com audience', async () => {
    const { conn } = await connect(tenant(sandboxOrg, 'jwt-bearer', { sandbox: true }));
    expect(conn.accessToken).toBeTruthy();
    expect(tokenCalls(sandboxOrg).map((c) => c.status)).toEqual([200]);
  });

  it('a wrong audience is refused as Salesforce refuses it, not retried, and the message says what to set', async () => {
    const error = await refusal(tenant(production, 'jwt-bearer', { sandbox: true }));
    expect(error).toBeInstanceOf(SalesforceAuthError);
    expect((error as Error).message).toContain('invalid_grant: audience is invalid');
    expect((error as Error).message).toContain('--sandbox');
    expect(tokenCalls(production).map((c) => c.status)).toEqual([400]);
  });
});

describe('client credentials', () => {
  it('the product logs in on the My Domain token endpoint', async () => {
    const { conn } = await connect(tenant(production, 'client-credentials'));
    expect((await conn.limits()).DailyApiRequests?.Max).toBeGreaterThan(0);
    expect(tokenCalls(production).map((c) => c.status)).toEqual([200]);
  });

  it.each(['production', 'sandbox'] as const)(
    'on the %s login server it is refused (invalid_grant, request not supported on this domain) and not retried',
    async (server) => {
      const loginUrl = production.loginServers[server];
      const error = await refusal(tenant(production, 'client-credentials', { loginUrl }));
      expect(error).toBeInstanceOf(SalesforceAuthError);
      expect((error as Error).message).toContain('invalid_grant: request not supported on this domain');
      expect((error as Error).message).toContain("only on the org's My Domain URL");
      expect(tokenCalls(production)).toEqual([
        expect.objectContaining({
          status: 400,
          host: server === 'production' ? 'login.salesforce.com' : 'test.salesforce.com',
        }),
      ]);
    },
  );

  it.each(['https://login.salesforce.com', 'https://test.salesforce.com/'])(
    'a tenant whose login URL is %s is told so before any request',
    async (loginUrl) => {
      const error = await refusal(tenant(production, 'client-credentials', { loginUrl }));
      expect(error).toBeInstanceOf(SalesforceNotConfiguredError);
      expect((error as Error).message).toMatch(
        /only on the org's My Domain URL .* not (login|test)\.salesforce\.com/,
      );
      expect(tokenCalls(production)).toHaveLength(0);
    },
  );
});
