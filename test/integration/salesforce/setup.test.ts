/**
 * `deploySalesforceSetup` and `clv salesforce setup` against the Salesforce
 * sandbox, through the real jsforce 3: before setup the CLV fields do not
 * exist; after it they can be written and queried on Contact and Account,
 * the picklists are restricted to the values shared/segments produces, the
 * permission sets grant what they should, and a second deploy changes nothing.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  METADATA_DIR,
  MetadataPackageError,
  buildSetupPackage,
  packageMembers,
} from '../../../integrations/salesforce/metadata-package.ts';
import {
  SALESFORCE_API_VERSION,
  SalesforceSetupError,
  deploySalesforceSetup,
} from '../../../integrations/salesforce/setup.ts';
import { CHURN_BANDS, RFM_GROUPS, TIERS } from '../../../shared/segments/index.ts';
import type { SalesforceSandbox } from '../../../sandbox/salesforce/index.ts';
import { generateOrgHistory, readZip, startSalesforceSandbox } from '../../../sandbox/salesforce/index.ts';
import { catchRejection } from '../../helpers/catch-error.ts';
import { TWO_YEARS, loggedInConnection } from '../../helpers/sandbox-org.ts';

const CLIENT_ID = '3MVG9clvSyncSetupConsumerKey';
const CLIENT_SECRET = 'setup-consumer-secret';
const ENDPOINT = 'https://clv.example.com/salesforce/outbound?tenant=acme&v=1&token=t0k3n';
const root = fileURLToPath(new URL('../../..', import.meta.url));

const CLV_FIELDS = [
  'CLV_Predicted__c',
  'CLV_Historic__c',
  'CLV_Referral_Value__c',
  'CLV_Expected_Orders__c',
  'CLV_P_Alive__c',
  'CLV_Churn_Risk__c',
  'CLV_Segment__c',
  'CLV_Tier__c',
  'CLV_Next_Order_Date__c',
  'CLV_Scored_At__c',
];
const TYPES: Record<string, string> = {
  CLV_Predicted__c: 'currency',
  CLV_Historic__c: 'currency',
  CLV_Referral_Value__c: 'currency',
  CLV_Expected_Orders__c: 'double',
  CLV_P_Alive__c: 'percent',
  CLV_Churn_Risk__c: 'picklist',
  CLV_Segment__c: 'picklist',
  CLV_Tier__c: 'picklist',
  CLV_Next_Order_Date__c: 'date',
  CLV_Scored_At__c: 'datetime',
};
const SCORES = {
  CLV_Predicted__c: 1234.56,
  CLV_Historic__c: 310.2,
  CLV_Referral_Value__c: 0,
  CLV_Expected_Orders__c: 2.37,
  CLV_P_Alive__c: 87.5,
  CLV_Churn_Risk__c: 'low',
  CLV_Segment__c: 'Needs attention',
  CLV_Tier__c: 'gold',
  CLV_Next_Order_Date__c: '2025-03-01',
};
const SCORED_AT = '2025-01-15T08:30:00.000Z';

const connect = (sf: SalesforceSandbox): Connection => loggedInConnection(sf, SALESFORCE_API_VERSION);

const rejection = async (p: Promise<unknown>) => (await catchRejection(p)) as Error;

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `clv args…` as a user would. Asynchronously: the sandbox answers from
 * this process, so a synchronous spawn would wait for itself.
 */
/** `clv salesforce setup` with its credentials (`auth`) and ENDPOINT, then any more options. */
const setupRun = (auth: string[], env: Record<string, string>, ...more: string[]) =>
  clv(['salesforce', 'setup', ...auth, '--endpoint', ENDPOINT, ...more], env);

function clv(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  const base = { ...process.env };
  for (const name of ['SALESFORCE_ACCESS_TOKEN', 'SALESFORCE_CLIENT_SECRET', 'CLV_PROGRESS'])
    delete base[name];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(root, 'bin', 'clv.ts'), ...args],
      { cwd: root, env: { ...base, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const status = error ? error.code : 0;
        if (typeof status !== 'number') reject(error ?? new Error('clv did not exit'));
        else resolve({ status, stdout, stderr });
      },
    );
  });
}

describe('the setup package', () => {
  const values = { outboundEndpoint: ENDPOINT, integrationUser: 'integration@clv.example' };

  it('zips package.xml and the files it names, with the placeholders filled in', () => {
    const pkg = buildSetupPackage(values);
    const zipped = readZip(pkg.zip);
    expect([...zipped.keys()].sort()).toEqual([
      'flows/CLV_Order_Activated.flow',
      'objects/Account.object',
      'objects/Contact.object',
      'package.xml',
      'permissionsets/CLV_Read.permissionset',
      'permissionsets/CLV_Sync_Integration.permissionset',
      'workflows/Order.workflow',
    ]);
    for (const [path, text] of pkg.files) expect(zipped.get(path)?.toString('utf8')).toBe(text);
    const workflow = pkg.files.get('workflows/Order.workflow')!;
    expect(workflow).toContain(
      '<endpointUrl>https://clv.example.com/salesforce/outbound?tenant=acme&amp;v=1&amp;token=t0k3n</endpointUrl>',
    );
    expect(workflow).toContain('<integrationUser>integration@clv.example</integrationUser>');
    for (const text of pkg.files.values()) expect(text).not.toContain('{{CLV_');
    expect(pkg.notDeployed).toEqual([
      'layouts/Account-Account Layout.layout',
      'layouts/Contact-Contact Layout.layout',
    ]);
    expect(buildSetupPackage(values).zip.equals(pkg.zip)).toBe(true);
  });

  it('names the twenty fields, two permission sets, the outbound message and the flow', () => {
    const { members } = buildSetupPackage(values);
    const fields = ['Account', 'Contact'].flatMap((o) => CLV_FIELDS.map((f) => `${o}.${f}`));
    expect(members.filter((m) => m.type === 'CustomField').map((m) => m.fullName)).toEqual(
      expect.arrayContaining(fields),
    );
    expect(members.map((m) => `${m.type}:${m.fullName}`)).toEqual(
      expect.arrayContaining([
        'PermissionSet:CLV_Read',
        'PermissionSet:CLV_Sync_Integration',
        'Workflow:Order',
        'Flow:CLV_Order_Activated',
      ]),
    );
    expect(members).toHaveLength(fields.length + 4);
  });

  it('leaves omitted types out of package.xml and the zip; a deployed placeholder without a value is refused', () => {
    const pkg = buildSetupPackage({ outboundEndpoint: ENDPOINT }, METADATA_DIR, {
      omitTypes: ['Workflow', 'Flow'],
    });
    expect([...readZip(pkg.zip).keys()].sort()).toEqual([
      'objects/Account.object',
      'objects/Contact.object',
      'package.xml',
      'permissionsets/CLV_Read.permissionset',
      'permissionsets/CLV_Sync_Integration.permissionset',
    ]);
    const packageXml = pkg.files.get('package.xml')!;
    expect(packageMembers(packageXml)).toEqual(pkg.members);
    expect(pkg.members).toHaveLength(22);
    expect(packageXml).toContain(`<version>${SALESFORCE_API_VERSION}</version>`);
    expect(() => buildSetupPackage({ outboundEndpoint: ENDPOINT })).toThrow(
      'workflows/Order.workflow: no value for the placeholder {{CLV_INTEGRATION_USER}}',
    );
  });

  it('refuses a folder whose package.xml names a file it lacks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'clv-sf-metadata-'));
    try {
      cpSync(METADATA_DIR, dir, { recursive: true });
      rmSync(join(dir, 'flows'), { recursive: true });
      expect(() => buildSetupPackage(values, dir)).toThrow(MetadataPackageError);
      expect(() => buildSetupPackage(values, dir)).toThrow(/flows\/CLV_Order_Activated\.flow cannot be read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('deploySalesforceSetup', () => {
  let sf: SalesforceSandbox;
  let conn: Connection;
  const history = generateOrgHistory({ orders: 200, contacts: 40, accounts: 20, seed: 5, ...TWO_YEARS });
  const contactId = history.contacts[3]!.Id as string;
  const accountId = history.accounts[2]!.Id as string;
  const setup = (extra: { metadataDir?: string } = {}) =>
    deploySalesforceSetup(conn, {
      outboundEndpoint: ENDPOINT,
      integrationUser: sf.org.username,
      pollIntervalMs: 10,
      ...extra,
    });

  beforeAll(async () => {
    sf = await startSalesforceSandbox({ clientId: CLIENT_ID, apiVersion: SALESFORCE_API_VERSION });
    sf.org.load(history);
    conn = connect(sf);
  });
  afterAll(() => sf.stop());

  it('before setup, writing CLV_Predicted__c on a Contact fails with INVALID_FIELD', async () => {
    const [result] = await conn
      .sobject('Contact')
      .update([{ Id: contactId, CLV_Predicted__c: 120.5 }], { allOrNone: false });
    expect(result).toMatchObject({ success: false, errors: [{ statusCode: 'INVALID_FIELD' }] });
  });

  it('refuses an endpoint that is not https before deploying anything', async () => {
    const deploys = sf.calls.filter((c) => c.kind === 'metadata').length;
    const error = await rejection(
      deploySalesforceSetup(conn, { outboundEndpoint: 'http://clv.example.com/salesforce/outbound' }),
    );
    expect(error).toBeInstanceOf(SalesforceSetupError);
    expect(error.message).toMatch(/must be an https URL/);
    expect(sf.calls.filter((c) => c.kind === 'metadata')).toHaveLength(deploys);
  });

  it('a failing component fails the whole deploy: SalesforceSetupError with the failures, nothing deployed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clv-sf-metadata-'));
    try {
      cpSync(METADATA_DIR, dir, { recursive: true });
      const file = join(dir, 'objects', 'Account.object');
      // Currency without precision: the Metadata API refuses the field.
      writeFileSync(file, readFileSync(file, 'utf8').replace('<precision>18</precision>', ''));
      const error = await rejection(setup({ metadataDir: dir }));
      expect(error).toBeInstanceOf(SalesforceSetupError);
      const failed = error as SalesforceSetupError;
      expect(failed.status).toBe('Failed');
      expect(failed.id).toMatch(/^0Af/);
      // The field, and the permission sets that grant it, as Salesforce reports them.
      expect(failed.failures).toEqual([
        {
          fileName: 'objects/Account.object',
          problem: "Must specify 'precision' for a CustomField of type Currency",
        },
        ...['CLV_Read', 'CLV_Sync_Integration'].map((name) => ({
          fileName: `permissionsets/${name}.permissionset`,
          problem: 'In field: field - no CustomField named Account.CLV_Predicted__c found',
        })),
      ]);
      expect(failed.message).toContain("objects/Account.object: Must specify 'precision'");
      // rollbackOnError: the fields that were fine were not deployed either.
      expect(sf.org.hasField('Contact', 'CLV_Predicted__c')).toBe(false);
      expect(sf.org.permissionSets.size).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('deploys the fields, permission sets, outbound message and flow', async () => {
    const result = await setup();
    expect(result).toMatchObject({
      status: 'Succeeded',
      componentSuccesses: 24,
      componentFailures: [],
      outboundEndpoint: ENDPOINT,
      integrationUser: sf.org.username,
      warnings: [],
    });
    expect(result.id).toMatch(/^0Af/);
    const byName = new Map(result.components.map((c) => [`${c.type}:${c.fullName}`, c]));
    for (const object of ['Contact', 'Account']) {
      for (const field of CLV_FIELDS) {
        expect(byName.get(`CustomField:${object}.${field}`), `${object}.${field}`).toMatchObject({
          created: true,
          changed: true,
        });
      }
    }
    expect(byName.get('PermissionSet:CLV_Read')).toMatchObject({ created: true });
    expect(byName.has('Workflow:Order')).toBe(true);
    expect(byName.has('Flow:CLV_Order_Activated')).toBe(true);
    expect(result.notDeployed).toContain('layouts/Contact-Contact Layout.layout');
    expect(sf.org.layouts.size).toBe(0);
  });

  it('the fields exist on Contact and Account, with their types: written and queried back', async () => {
    for (const [sobject, id] of [
      ['Contact', contactId],
      ['Account', accountId],
    ] as const) {
      const describe = await conn.sobject(sobject).describe();
      for (const name of CLV_FIELDS) {
        expect(describe.fields.find((f) => f.name === name)?.type, `${sobject}.${name}`).toBe(TYPES[name]);
      }
      const [written] = await conn
        .sobject(sobject)
        .update([{ Id: id, ...SCORES, CLV_Scored_At__c: SCORED_AT }], { allOrNone: false });
      expect(written).toMatchObject({ success: true });
      const { records } = await conn.query<Record<string, unknown>>(
        `SELECT Id, ${CLV_FIELDS.join(', ')} FROM ${sobject} WHERE Id = '${id}'`,
      );
      expect(records[0]).toMatchObject(SCORES);
      expect(Date.parse(String(records[0]!.CLV_Scored_At__c))).toBe(Date.parse(SCORED_AT));
    }
  });

  it('the picklists are restricted to the values shared/segments produces', async () => {
    const expected: Record<string, readonly string[]> = {
      CLV_Churn_Risk__c: CHURN_BANDS,
      CLV_Segment__c: RFM_GROUPS,
      CLV_Tier__c: TIERS,
    };
    for (const sobject of ['Contact', 'Account']) {
      const { fields } = await conn.sobject(sobject).describe();
      for (const [name, values] of Object.entries(expected)) {
        const field = fields.find((f) => f.name === name)!;
        expect(field.restrictedPicklist, `${sobject}.${name}`).toBe(true);
        expect(field.picklistValues!.map((v) => v.value)).toEqual([...values]);
      }
    }
    const [result] = await conn
      .sobject('Contact')
      .update([{ Id: contactId, CLV_Tier__c: 'diamond' }], { allOrNone: false });
    expect(result).toMatchObject({
      success: false,
      errors: [{ statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' }],
    });
  });

  it('the permission sets exist: CLV_Read reads every field, CLV_Sync_Integration also edits them', () => {
    const fields = ['Account', 'Contact'].flatMap((o) => CLV_FIELDS.map((f) => `${o}.${f}`)).sort();
    const read = sf.org.permissionSets.get('CLV_Read');
    expect(read?.label).toBe('CLV Read');
    expect([...read!.fieldPermissions.keys()].sort()).toEqual(fields);
    for (const grant of read!.fieldPermissions.values())
      expect(grant).toEqual({ readable: true, editable: false });
    const integration = sf.org.permissionSets.get('CLV_Sync_Integration');
    expect([...integration!.fieldPermissions.keys()].sort()).toEqual(fields);
    for (const grant of integration!.fieldPermissions.values())
      expect(grant).toEqual({ readable: true, editable: true });
  });

  it('a second deploy succeeds and changes nothing', async () => {
    const writes = sf.writes.length;
    const again = await setup();
    expect(again).toMatchObject({ status: 'Succeeded', componentSuccesses: 24 });
    expect(again.components.filter((c) => c.created || c.changed)).toEqual([]);
    expect(sf.writes).toHaveLength(writes);
    const { records } = await conn.query<Record<string, unknown>>(
      `SELECT CLV_Tier__c FROM Contact WHERE Id = '${contactId}'`,
    );
    expect(records[0]).toMatchObject({ CLV_Tier__c: 'gold' });
  });
  it('without integrationUser, and no way to tell the logged-in user, leaves out the outbound message and flow', async () => {
    // The sandbox serves neither the identity URL nor User, so the username cannot be found out.
    const result = await deploySalesforceSetup(conn, { outboundEndpoint: ENDPOINT, pollIntervalMs: 10 });
    expect(result).toMatchObject({
      status: 'Succeeded',
      componentSuccesses: 22,
      outboundEndpoint: null,
      integrationUser: null,
    });
    expect(result.components.map((c) => c.type)).not.toContain('Workflow');
    expect(result.components.map((c) => c.type)).not.toContain('Flow');
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /^the Order outbound message and its flow were not deployed: cannot tell which user .*; deploy again with integrationUser/,
      ),
    ]);
    expect(result.notDeployed).toEqual(
      expect.arrayContaining(['flows/CLV_Order_Activated.flow', 'workflows/Order.workflow']),
    );
  });
});

describe('clv salesforce setup', () => {
  let sf: SalesforceSandbox;

  beforeAll(async () => {
    sf = await startSalesforceSandbox({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      apiVersion: SALESFORCE_API_VERSION,
    });
    sf.org.load(generateOrgHistory({ orders: 50, contacts: 10, accounts: 5, seed: 9, ...TWO_YEARS }));
  });
  afterAll(() => sf.stop());

  it('with an instance URL and a token from the environment: deploys and prints what it deployed', async () => {
    const run = await setupRun(
      ['--instance-url', sf.instanceUrl],
      { SALESFORCE_ACCESS_TOKEN: sf.issueAccessToken() },
      '--integration-user',
      sf.org.username,
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    // The sandbox accepts Flow and Workflow without modelling them, so reports them unchanged.
    expect(run.stdout).toMatch(/^Deployed 0Af\w+ \(Succeeded\): 24 components, 22 created or changed$/m);
    expect(run.stdout).toMatch(/^ {2}created +CustomField +Contact\.CLV_Predicted__c$/m);
    expect(run.stdout).toMatch(/^ {2}created +PermissionSet +CLV_Read$/m);
    expect(run.stdout).toMatch(/^ {2}unchanged +Flow +CLV_Order_Activated$/m);
    expect(run.stdout).toContain(`Activated Orders are sent to ${ENDPOINT} as ${sf.org.username}.`);
    expect(run.stdout).toContain('layouts/Contact-Contact Layout.layout');
    expect(sf.org.hasField('Account', 'CLV_Segment__c')).toBe(true);
  });

  it('with client credentials (secret from the environment) and --json: a rerun changes nothing', async () => {
    const run = await setupRun(
      ['--login-url', sf.loginUrl, '--client-id', CLIENT_ID],
      { SALESFORCE_CLIENT_SECRET: CLIENT_SECRET },
      '--integration-user',
      'integration@clv.example',
      '--json',
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as { status: string; components: { changed: boolean }[] };
    expect(result.status).toBe('Succeeded');
    expect(result.components).toHaveLength(24);
    expect(result.components.every((c) => !c.changed)).toBe(true);
    expect(sf.calls.some((c) => c.kind === 'token' && c.status === 200)).toBe(true);
  });

  it('a wrong client secret fails with the OAuth error, exit code 1', async () => {
    const run = await setupRun(['--login-url', sf.loginUrl, '--client-id', CLIENT_ID], {
      SALESFORCE_CLIENT_SECRET: 'wrong',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('clv: invalid client credentials\n');
  });

  it.each([
    ['no --endpoint', ['--instance-url', 'https://x.my.salesforce.com'], /needs --endpoint URL/],
    ['an http endpoint', ['--endpoint', 'http://clv.example.com/o'], /--endpoint: .*https URL/],
    ['no credentials', ['--endpoint', ENDPOINT], /needs --instance-url URL with SALESFORCE_ACCESS_TOKEN/],
    [
      'a token-less instance URL',
      ['--endpoint', ENDPOINT, '--instance-url', 'https://x.my.salesforce.com'],
      /SALESFORCE_ACCESS_TOKEN/,
    ],
    [
      'no client secret',
      ['--endpoint', ENDPOINT, '--login-url', 'https://x.my.salesforce.com', '--client-id', 'id'],
      /SALESFORCE_CLIENT_SECRET/,
    ],
  ])('%s is a usage error, exit code 2', async (_name, args, message) => {
    const run = await clv(['salesforce', 'setup', ...args]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it.each(['https://login.salesforce.com', 'https://test.salesforce.com'])(
    'client credentials at %s is a usage error naming the My Domain URL (Salesforce refuses it there)',
    async (loginUrl) => {
      const run = await setupRun(['--login-url', loginUrl, '--client-id', CLIENT_ID], {
        SALESFORCE_CLIENT_SECRET: CLIENT_SECRET,
      });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(
        /--login-url: the client credentials flow works only on the org's My Domain URL/,
      );
      expect(run.stdout).toBe('');
    },
  );

  it('an unknown salesforce subcommand is a usage error', async () => {
    const run = await clv(['salesforce', 'teardown']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/unknown salesforce command "teardown"; use salesforce setup/);
    const bare = await clv(['salesforce']);
    expect(bare.status).toBe(2);
    expect(bare.stderr).toBe('clv: salesforce needs a subcommand: salesforce setup or salesforce link\n');
  });
});
