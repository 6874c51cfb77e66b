/**
 * A tenant's Salesforce login URL is where the client secret (or the signed JWT) is posted, so it must be
 * https on a Salesforce login host (issue 15, item 18): `clv salesforce link` refuses anything else, and
 * the token request refuses a stored value that predates the rule, before anything is sent. The http://
 * loopback URL of the tests' sandbox is allowed only by CLV_SALESFORCE_LOOPBACK_LOGIN, turned off here.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  SalesforceNotConfiguredError,
  salesforceConnection,
} from '../../../integrations/salesforce/connection.ts';
import { LOOPBACK_LOGIN_SETTING } from '../../../integrations/salesforce/login-hosts.ts';
import { getTenant, TenantNotFoundError, TenantSettingsSchema } from '../../../shared/store/tenants.ts';
import { tenantName, testStore } from '../../helpers/dynamo.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const store = testStore();
const SECRET = 'login-url-test-secret-not-real';

/** Stands in for a host that is not Salesforce's: records whatever is posted to it. */
let catcher: Server;
let catcherUrl: string;
const received: string[] = [];

beforeAll(async () => {
  catcher = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(`${req.url} ${Buffer.concat(chunks).toString('utf8')}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'x', instance_url: 'https://acme.my.salesforce.com' }));
    });
  });
  await new Promise<void>((resolve) => catcher.listen(0, '127.0.0.1', resolve));
  catcherUrl = `http://127.0.0.1:${(catcher.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => catcher?.close(resolve));
});

afterEach(() => {
  vi.unstubAllEnvs();
});

function clv(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ status: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [`${root}bin/clv.ts`, ...args],
      { cwd: root, timeout: 60_000, env },
      (error, _stdout, stderr) => {
        const status = error ? error.code : 0;
        if (typeof status !== 'number') reject(error ?? new Error('clv did not exit'));
        else resolve({ status, stderr });
      },
    );
  });
}

describe('the Salesforce login URL', () => {
  it('a stored http:// login URL is never posted to: the token request stops before sending the secret', async () => {
    vi.stubEnv(LOOPBACK_LOGIN_SETTING, '');
    const tenant = TenantSettingsSchema.parse({
      tenantId: 'login-url-test',
      salesforceOrgId: '00D5g0000000001AAA',
      currency: 'USD',
      salesforce: { loginUrl: catcherUrl, clientId: 'key', flow: 'client-credentials' },
    });
    await expect(salesforceConnection(tenant, async () => ({ clientSecret: SECRET }))).rejects.toThrow(
      SalesforceNotConfiguredError,
    );
    await expect(salesforceConnection(tenant, async () => ({ clientSecret: SECRET }))).rejects.toThrow(
      /must be https/,
    );
    expect(received).toEqual([]);
  });

  it('clv salesforce link refuses an http:// or non-Salesforce login URL, and writes nothing', async () => {
    const env = { ...process.env, [LOOPBACK_LOGIN_SETTING]: '' };
    for (const [loginUrl, reason] of [
      ['http://acme.my.salesforce.com', /must be https/],
      ['https://acme.my.salesforce.com.evil.example', /not a Salesforce login host/],
      [catcherUrl, /must be https/],
    ] as const) {
      const tenantId = tenantName('login-url');
      const run = await clv(
        [
          'salesforce',
          'link',
          '--tenant',
          tenantId,
          '--org-id',
          '00D5g0000000002AAA',
          '--login-url',
          loginUrl,
          '--client-id',
          'key',
          '--currency',
          'USD',
        ],
        env,
      );
      expect(run.status, loginUrl).toBe(2);
      expect(run.stderr).toMatch(reason);
      await expect(getTenant(store, tenantId)).rejects.toThrow(TenantNotFoundError);
    }
    expect(received).toEqual([]);
  });
});
