/** `clv salesforce link` as an admin runs it, against DynamoDB Local. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { outboundTokenHash } from '../../../integrations/salesforce/outbound-token.ts';
import { getTenant, putTenant, tenantIdFor } from '../../../shared/store/tenants.ts';
import { tenantName, testStore } from '../../helpers/dynamo.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const store = testStore();

function clv(args: readonly string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [`${root}bin/clv.ts`, ...args],
      { cwd: root, timeout: 60_000 },
      (error, stdout, stderr) => {
        const status = error ? error.code : 0;
        if (typeof status !== 'number') reject(error ?? new Error('clv did not exit'));
        else resolve({ status, stdout, stderr });
      },
    );
  });
}

// A fresh org id per run: other test files share the table and link orgs of their own.
const randomOrg = () => `00D5g${String(Math.floor(Math.random() * 1e10)).padStart(10, '0')}`;
const ORG = randomOrg();

/** `clv salesforce link` for a workspace, an org, a login URL and a consumer key, and any more options. */
const link = (tenantId: string, orgId: string, loginUrl: string, clientId: string, ...more: string[]) =>
  clv([
    'salesforce',
    'link',
    '--tenant',
    tenantId,
    '--org-id',
    orgId,
    '--login-url',
    loginUrl,
    '--client-id',
    clientId,
    ...more,
  ]);

describe('clv salesforce link', () => {
  it('links an existing Shopify workspace to an org, keeping its settings; the org then routes to it', async () => {
    const tenantId = tenantName('link');
    await putTenant(store, {
      tenantId,
      shopifyShop: `${tenantId}.myshopify.com`,
      currency: 'EUR',
      defaultMarginRate: 0.4,
    });
    const run = await clv([
      'salesforce',
      'link',
      '--tenant',
      tenantId,
      '--org-id',
      ORG,
      '--login-url',
      'https://acme.my.salesforce.com',
      '--client-id',
      'key-1',
      '--grain',
      'account',
    ]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`Workspace ${tenantId} now linked to org ${ORG}`);
    const tenant = await getTenant(store, tenantId);
    expect(tenant).toMatchObject({
      shopifyShop: `${tenantId}.myshopify.com`,
      currency: 'EUR',
      defaultMarginRate: 0.4,
      salesforceOrgId: ORG,
      salesforceGrain: 'account',
      salesforce: {
        loginUrl: 'https://acme.my.salesforce.com',
        clientId: 'key-1',
        flow: 'client-credentials',
        sandbox: false,
      },
    });
    expect(await tenantIdFor(store, 'salesforce', ORG)).toBe(tenantId);
    // The outbound token is shown once, in the endpoint to deploy; only its hash is stored.
    const token = /\?token=([A-Za-z0-9_-]{43})'/.exec(run.stdout)?.[1];
    expect(token).toBeDefined();
    expect(tenant.salesforceOutboundTokenHash).toBe(outboundTokenHash(token!));
    expect(JSON.stringify(tenant)).not.toContain(token);
    // Linking again keeps the token (the deployed endpoint keeps working); --new-outbound-token replaces it.
    const relink = ['salesforce', 'link', '--tenant', tenantId, '--org-id', ORG];
    const creds = ['--login-url', 'https://acme.my.salesforce.com', '--client-id', 'key-1'];
    const again = await clv([...relink, ...creds]);
    expect(again.stdout).not.toContain('token=');
    expect((await getTenant(store, tenantId)).salesforceOutboundTokenHash).toBe(outboundTokenHash(token!));
    const rotated = await clv([...relink, ...creds, '--new-outbound-token']);
    const next = /\?token=([A-Za-z0-9_-]{43})'/.exec(rotated.stdout)?.[1];
    expect(next).toBeDefined();
    expect(next).not.toBe(token);
    expect((await getTenant(store, tenantId)).salesforceOutboundTokenHash).toBe(outboundTokenHash(next!));
  });

  it('refuses a new workspace without a currency, the JWT flow without a user, and an org linked elsewhere', async () => {
    const base = [
      'salesforce',
      'link',
      '--org-id',
      randomOrg(),
      '--login-url',
      'https://x.my.salesforce.com',
      '--client-id',
      'k',
    ];
    const noCurrency = await clv([...base, '--tenant', tenantName('new')]);
    expect(noCurrency.status).toBe(2);
    expect(noCurrency.stderr).toMatch(/give its --currency/);
    const jwt = await clv([
      ...base,
      '--tenant',
      tenantName('new'),
      '--currency',
      'USD',
      '--flow',
      'jwt-bearer',
    ]);
    expect(jwt.status).toBe(2);
    expect(jwt.stderr).toMatch(/--username/);
    const taken = await clv([
      ...base.slice(0, 3),
      ORG,
      ...base.slice(4),
      '--tenant',
      tenantName('other'),
      '--currency',
      'USD',
    ]);
    expect(taken.status).toBe(1);
    expect(taken.stderr).toMatch(/already linked to another tenant/);
  });

  it.each(['https://login.salesforce.com', 'https://test.salesforce.com'])(
    'refuses client credentials at %s, where Salesforce refuses them, naming the My Domain URL',
    async (loginUrl) => {
      const tenantId = tenantName('generic-host');
      const run = await link(tenantId, randomOrg(), loginUrl, 'k', '--currency', 'USD');
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(
        /--login-url: the client credentials flow works only on the org's My Domain URL/,
      );
      expect(run.stderr).toMatch(/Setup › My Domain/);
      await expect(getTenant(store, tenantId)).rejects.toThrow();
    },
  );

  it('JWT bearer: a sandbox My Domain URL, or --sandbox, makes the audience test.salesforce.com; the token still goes to the My Domain URL', async () => {
    const linkJwt = async (loginUrl: string, extra: string[] = []) => {
      const tenantId = tenantName('jwt');
      const run = await link(
        tenantId,
        randomOrg(),
        loginUrl,
        'k',
        '--flow',
        'jwt-bearer',
        '--username',
        'integration@acme.example',
        '--currency',
        'USD',
        ...extra,
      );
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      return { run, tenant: await getTenant(store, tenantId) };
    };
    const sandbox = await linkJwt('https://acme--uat.sandbox.my.salesforce.com');
    expect(sandbox.tenant.salesforce).toMatchObject({
      sandbox: true,
      loginUrl: 'https://acme--uat.sandbox.my.salesforce.com',
    });
    expect(sandbox.run.stdout).toContain(
      'The JWT is posted to https://acme--uat.sandbox.my.salesforce.com with the audience https://test.salesforce.com.',
    );
    const flagged = await linkJwt('https://acme-uat.my.salesforce.com', ['--sandbox']);
    expect(flagged.tenant.salesforce?.sandbox).toBe(true);
    const prod = await linkJwt('https://acme.my.salesforce.com');
    expect(prod.tenant.salesforce?.sandbox).toBe(false);
    expect(prod.run.stdout).toContain('with the audience https://login.salesforce.com.');
    expect(prod.run.stdout).toContain('production org');
  });
});
