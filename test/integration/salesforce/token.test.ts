/**
 * The token request (integrations/salesforce/token.ts) against the Salesforce
 * sandbox's OAuth endpoint: a 503, a dropped connection or a held call is
 * retried, each attempt within its timeout, and the connection works; a
 * refused login is not retried and names the OAuth error; a login service
 * that never answers ends in SalesforceLoginUnavailableError; an expired
 * session's refresh goes through the same path.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  SalesforceAuthError,
  SalesforceLoginUnavailableError,
  salesforceConnection,
} from '../../../integrations/salesforce/connection.ts';
import type { SalesforceSecrets } from '../../../integrations/salesforce/connection.ts';
import type { TenantSettings } from '../../../shared/store/tenants.ts';
import { TenantSettingsSchema } from '../../../shared/store/tenants.ts';
import { startSalesforceSandbox } from '../../../sandbox/salesforce/index.ts';
import type { SalesforceSandbox } from '../../../sandbox/salesforce/index.ts';

const CLIENT_ID = 'token-test-consumer-key';
const CLIENT_SECRET = 'token-test-secret-not-real';
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
/** Short, so a held call costs the test little; the sandbox holds it well past this. */
const TIMEOUT_MS = 300;
const noWait = { sleep: async () => {}, timeoutMs: TIMEOUT_MS };

let sf: SalesforceSandbox;
const tenant = (flow: 'client-credentials' | 'jwt-bearer'): TenantSettings =>
  TenantSettingsSchema.parse({
    tenantId: 'token-test',
    salesforceOrgId: sf.orgId,
    salesforce: {
      loginUrl: sf.loginUrl,
      clientId: CLIENT_ID,
      flow,
      username: 'integration@clv.example',
      apiVersion: sf.apiVersion,
    },
    currency: 'USD',
  });
const secrets =
  (
    s: SalesforceSecrets = {
      clientSecret: CLIENT_SECRET,
      privateKey: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    },
  ) =>
  async () =>
    s;
const tokenCalls = () => sf.calls.filter((c) => c.kind === 'token');

beforeAll(async () => {
  sf = await startSalesforceSandbox({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    jwtPublicKeyPem: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  });
});
afterAll(() => sf?.stop());
beforeEach(() => {
  sf.calls.length = 0;
  sf.injectFaults(undefined);
});

describe('Salesforce token request: timed out and retried', () => {
  it.each(['client-credentials', 'jwt-bearer'] as const)(
    '%s: a 503, a 500 and a dropped connection are retried; the fourth attempt logs in',
    async (flow) => {
      sf.failNext('token', 1, '503');
      sf.failNext('token', 1, '500');
      sf.failNext('token', 1, 'drop');
      const { conn } = await salesforceConnection(tenant(flow), secrets(), noWait);
      expect(tokenCalls().map((c) => c.status)).toEqual([503, 500, 0, 200]);
      const limits = await conn.limits();
      expect(limits.DailyApiRequests?.Max).toBeGreaterThan(0);
    },
  );

  it('a call held past the timeout is abandoned by the client and retried', async () => {
    const faults = sf.injectFaults({
      seed: 1,
      rate: 1,
      kinds: ['timeout'],
      holdMs: 10 * TIMEOUT_MS,
      eligible: (kind) => kind === 'token',
    })!;
    const pending = salesforceConnection(tenant('client-credentials'), secrets(), {
      ...noWait,
      // Stop the faults once the first held call is under way: the retry gets an answer.
      sleep: async () => void sf.injectFaults(undefined),
    });
    const { conn } = await pending;
    expect(faults.injected.timeout).toBe(1);
    expect(faults.clientGaveUp).toBe(1);
    expect(faults.sandboxHungUp).toBe(0);
    expect(tokenCalls().at(-1)!.status).toBe(200);
    expect(conn.accessToken).toBeTruthy();
  });

  it('a refused login is not retried and names the OAuth error', async () => {
    const error = await salesforceConnection(
      tenant('client-credentials'),
      secrets({ clientSecret: 'wrong' }),
      noWait,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SalesforceAuthError);
    expect((error as Error).message).toContain('invalid_client: invalid client credentials');
    expect((error as Error).message).toContain(CLIENT_ID);
    expect(tokenCalls()).toHaveLength(1);
  });

  it('a login service that fails every attempt ends in SalesforceLoginUnavailableError, after 4 attempts', async () => {
    sf.failNext('token', 4, '503');
    const slept: number[] = [];
    const error = await salesforceConnection(tenant('client-credentials'), secrets(), {
      timeoutMs: TIMEOUT_MS,
      sleep: async (ms) => void slept.push(ms),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SalesforceLoginUnavailableError);
    expect((error as Error).message).toMatch(/failed 4 times .* \(last: HTTP 503\)/);
    expect(tokenCalls().map((c) => c.status)).toEqual([503, 503, 503, 503]);
    expect(slept).toEqual([500, 1000, 2000]);
  });

  it('an expired session is refreshed through the same retrying request', async () => {
    const { conn, stats } = await salesforceConnection(tenant('client-credentials'), secrets(), noWait);
    sf.expireTokens();
    sf.failNext('token', 1, '503');
    const limits = await conn.limits();
    expect(limits.DailyApiRequests?.Max).toBeGreaterThan(0);
    expect(stats.refreshes).toBe(1);
    expect(tokenCalls().map((c) => c.status)).toEqual([200, 503, 200]);
  });
});
