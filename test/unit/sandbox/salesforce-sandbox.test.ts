/**
 * The Salesforce sandbox, driven by the real jsforce 3: every call below is
 * one production code makes, and every failure is asserted in the shape a
 * real org answers with.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, sign } from 'node:crypto';
import jsforce from 'jsforce';
import type { Connection } from 'jsforce';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SalesforceSandbox } from '../../../sandbox/salesforce/index.ts';
import {
  OUTBOUND_ACK,
  generateOrgHistory,
  isAck,
  outboundMessage,
  startSalesforceSandbox,
  writeZip,
} from '../../../sandbox/salesforce/index.ts';
import { catchRejection } from '../../helpers/catch-error.ts';
import { TWO_YEARS, loggedInConnection } from '../../helpers/sandbox-org.ts';

const VERSION = '62.0';
const CLIENT_ID = '3MVG9clvSyncSandboxConsumerKey';
const CLIENT_SECRET = 'sandbox-consumer-secret';

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });

function jwt(claims: Record<string, unknown>, key = keys.privateKey): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${b64({ alg: 'RS256' })}.${b64(claims)}`;
  return `${head}.${sign('RSA-SHA256', Buffer.from(head), key).toString('base64url')}`;
}

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * The metadata-format package our setup deploys: CLV fields on Contact, a
 * permission set, a layout. Elements in the order of the Metadata WSDL's
 * sequences (CustomField: label, precision, scale, type; PermissionSet:
 * fieldPermissions before label; LayoutSection needs its style).
 */
function clvPackage(): Buffer {
  const field = (name: string, body: string) => `<fields><fullName>${name}</fullName>${body}</fields>`;
  const number = (label: string, type: string, precision: number, scale: number) =>
    `<label>${label}</label><precision>${precision}</precision><scale>${scale}</scale><type>${type}</type>`;
  const picklist = (label: string, values: string[]) =>
    `<label>${label}</label><type>Picklist</type><valueSet><restricted>true</restricted><valueSetDefinition><sorted>false</sorted>${values
      .map((v) => `<value><fullName>${v}</fullName><default>false</default><label>${v}</label></value>`)
      .join('')}</valueSetDefinition></valueSet>`;
  const contact = `<?xml version="1.0" encoding="UTF-8"?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
${field('CLV_Predicted__c', number('Predicted CLV', 'Currency', 16, 2))}
${field('CLV_Historic__c', number('Historic CLV', 'Currency', 16, 2))}
${field('CLV_Expected_Orders__c', number('Expected orders', 'Number', 8, 2))}
${field('CLV_P_Alive__c', number('P(alive)', 'Percent', 5, 2))}
${field('CLV_Tier__c', picklist('CLV tier', ['platinum', 'gold', 'silver', 'bronze']))}
${field('CLV_Next_Order_Date__c', '<label>Next order</label><type>Date</type>')}
${field('CLV_Scored_At__c', '<label>Scored at</label><type>DateTime</type>')}
</CustomObject>`;
  const members = [
    'CLV_Predicted__c',
    'CLV_Historic__c',
    'CLV_Expected_Orders__c',
    'CLV_P_Alive__c',
    'CLV_Tier__c',
    'CLV_Next_Order_Date__c',
    'CLV_Scored_At__c',
  ];
  const pkg = `<?xml version="1.0" encoding="UTF-8"?>
<Package xmlns="http://soap.sforce.com/2006/04/metadata">
  <types>${members.map((m) => `<members>Contact.${m}</members>`).join('')}<name>CustomField</name></types>
  <types><members>CLV_Sync</members><name>PermissionSet</name></types>
  <types><members>Contact-Contact Layout</members><name>Layout</name></types>
  <version>${VERSION}</version>
</Package>`;
  const permissionSet = `<?xml version="1.0" encoding="UTF-8"?>
<PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata">
${members.map((m) => `<fieldPermissions><editable>true</editable><field>Contact.${m}</field><readable>true</readable></fieldPermissions>`).join('')}
<label>CLV Sync</label></PermissionSet>`;
  const layout = `<?xml version="1.0" encoding="UTF-8"?><Layout xmlns="http://soap.sforce.com/2006/04/metadata"><layoutSections><label>CLV</label><style>TwoColumnsTopToBottom</style></layoutSections></Layout>`;
  return writeZip({
    'clv/package.xml': pkg,
    'clv/objects/Contact.object': contact,
    'clv/permissionsets/CLV_Sync.permissionset': permissionSet,
    'clv/layouts/Contact-Contact Layout.layout': layout,
  });
}

async function deploy(conn: Connection, zip: Buffer) {
  conn.metadata.pollInterval = 20;
  return conn.metadata.deploy(zip, { rollbackOnError: true }).complete(true);
}

const connect = (sf: SalesforceSandbox, extra: Record<string, unknown> = {}) =>
  loggedInConnection(sf, VERSION, extra);

const errorOf = async (p: PromiseLike<unknown>) =>
  (await catchRejection(p)) as { errorCode?: string; name?: string; message: string; data?: unknown };

describe('Salesforce sandbox', () => {
  let sf: SalesforceSandbox;
  let conn: Connection;
  const history = generateOrgHistory({ orders: 600, contacts: 2500, accounts: 300, seed: 11, ...TWO_YEARS });

  beforeAll(async () => {
    sf = await startSalesforceSandbox({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      jwtPublicKeyPem: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      apiVersion: VERSION,
    });
    sf.org.load(history);
    conn = connect(sf);
  });
  afterAll(() => sf.stop());

  describe('OAuth', () => {
    // A production org's audience: https://login.salesforce.com, whichever host the JWT is posted to.
    const claims = () => ({
      iss: CLIENT_ID,
      sub: 'integration@clv.example',
      aud: sf.jwtAudience,
      exp: Math.floor(Date.now() / 1000) + 180,
    });

    it('JWT bearer through jsforce authorize() yields a working session', async () => {
      const c = new jsforce.Connection({ loginUrl: sf.loginUrl, version: VERSION });
      const user = await c.authorize({ grant_type: JWT_GRANT, assertion: jwt(claims()) });
      expect(user.organizationId).toBe(sf.orgId);
      expect(c.instanceUrl).toBe(sf.instanceUrl);
      const res = await c.query('SELECT Id FROM Account LIMIT 1');
      expect(res.records).toHaveLength(1);
    });

    it('rejects bad JWTs with Salesforce OAuth errors', async () => {
      const c = new jsforce.Connection({ loginUrl: sf.loginUrl, version: VERSION });
      const attempt = (assertion: string) => errorOf(c.authorize({ grant_type: JWT_GRANT, assertion }));
      expect(await attempt(jwt(claims(), otherKeys.privateKey))).toMatchObject({
        name: 'invalid_grant',
        message: 'invalid assertion',
      });
      // Salesforce Help, "OAuth 2.0 JWT Bearer Flow": never the My Domain URL; test.salesforce.com is a sandbox's.
      for (const aud of [sf.loginUrl, 'https://acme.my.salesforce.com', 'https://test.salesforce.com']) {
        expect(await attempt(jwt({ ...claims(), aud }))).toMatchObject({
          name: 'invalid_grant',
          message: 'audience is invalid',
        });
      }
      expect(await attempt(jwt({ ...claims(), exp: Math.floor(Date.now() / 1000) - 10 }))).toMatchObject({
        message: 'expired authorization code',
      });
      expect(await attempt(jwt({ ...claims(), iss: 'someone-else' }))).toMatchObject({
        name: 'invalid_client_id',
      });
    });

    it('JWT bearer at the login.salesforce.com stand-in works too, and its instance_url is the My Domain', async () => {
      const c = new jsforce.Connection({ loginUrl: sf.loginServers.production, version: VERSION });
      await c.authorize({ grant_type: JWT_GRANT, assertion: jwt(claims()) });
      expect(c.instanceUrl).toBe(sf.instanceUrl);
      expect(sf.calls.at(-1)).toMatchObject({ kind: 'token', status: 200, host: 'login.salesforce.com' });
    });

    it('client credentials on login.salesforce.com or test.salesforce.com: invalid_grant, request not supported on this domain', async () => {
      for (const loginUrl of [sf.loginServers.production, sf.loginServers.sandbox]) {
        const c = new jsforce.Connection({
          oauth2: { loginUrl, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
          version: VERSION,
        });
        expect(await errorOf(c.authorize({ grant_type: 'client_credentials' }))).toMatchObject({
          name: 'invalid_grant',
          message: 'request not supported on this domain',
        });
      }
      // The shared login servers serve nothing of the org's.
      const res = await fetch(`${sf.loginServers.production}/services/data/v${VERSION}/limits`);
      expect(res.status).toBe(404);
    });

    it("a sandbox org's JWT audience is test.salesforce.com; an Experience Cloud site URL is one too", async () => {
      const site = 'https://acme.my.site.com/partners';
      const sandbox = await startSalesforceSandbox({
        clientId: CLIENT_ID,
        jwtPublicKeyPem: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        isSandboxOrg: true,
        experienceSiteUrls: [site],
      });
      try {
        const c = new jsforce.Connection({ loginUrl: sandbox.loginUrl, version: VERSION });
        const login = (aud: string) =>
          c.authorize({ grant_type: JWT_GRANT, assertion: jwt({ ...claims(), aud }) });
        expect(sandbox.jwtAudience).toBe('https://test.salesforce.com');
        await login('https://test.salesforce.com');
        await login(site);
        expect(await errorOf(login('https://login.salesforce.com'))).toMatchObject({
          message: 'audience is invalid',
        });
      } finally {
        await sandbox.stop();
      }
    });

    it('client credentials through jsforce, and a wrong secret fails invalid_client', async () => {
      const ok = new jsforce.Connection({
        oauth2: { loginUrl: sf.loginUrl, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
        version: VERSION,
      });
      await ok.authorize({ grant_type: 'client_credentials' });
      expect(ok.accessToken).toMatch(new RegExp(`^${sf.orgId.slice(0, 15)}!`));
      const bad = new jsforce.Connection({
        oauth2: { loginUrl: sf.loginUrl, clientId: CLIENT_ID, clientSecret: 'nope' },
        version: VERSION,
      });
      expect(await errorOf(bad.authorize({ grant_type: 'client_credentials' }))).toMatchObject({
        name: 'invalid_client',
        message: 'invalid client credentials',
      });
    });

    it('an expired token answers 401 INVALID_SESSION_ID and jsforce refreshes through its hook', async () => {
      let refreshes = 0;
      const c = connect(sf, {
        refreshFn: (_c: unknown, done: (err: Error | null, token?: string) => void) => {
          refreshes++;
          const oauth = new jsforce.OAuth2({
            loginUrl: sf.loginUrl,
            clientId: CLIENT_ID,
            clientSecret: CLIENT_SECRET,
          });
          oauth
            .requestToken({ grant_type: 'client_credentials' })
            .then((r) => done(null, r.access_token), done);
        },
      });
      sf.expireTokens();
      const before = sf.calls.length;
      const res = await c.query('SELECT Id FROM Contact LIMIT 3');
      expect(res.records).toHaveLength(3);
      expect(refreshes).toBe(1);
      expect(sf.calls.slice(before).map((x) => [x.kind, x.status])).toEqual([
        ['query', 401],
        ['token', 200],
        ['query', 200],
      ]);
      const stale = await errorOf(conn.query('SELECT Id FROM Contact LIMIT 1'));
      expect(stale).toMatchObject({ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' });
      conn = connect(sf);
    });
  });

  describe('REST query', () => {
    it('pages 2,500 records in 2,000 + 500 through nextRecordsUrl / queryMore', async () => {
      const first = await conn.query<{ Id: string; Email: string | null; Account: { Name: string } }>(
        'SELECT Id, Email, Account.Name FROM Contact',
      );
      expect(first).toMatchObject({ totalSize: 2500, done: false });
      expect(first.records).toHaveLength(2000);
      // jsforce makes the locator absolute; on the wire it is the path Salesforce sends.
      expect(first.nextRecordsUrl).toMatch(new RegExp(`/services/data/v${VERSION}/query/01g\\w{15}-2000$`));
      const raw = await fetch(
        `${sf.instanceUrl}/services/data/v${VERSION}/query?q=${encodeURIComponent('SELECT Id FROM Contact')}`,
        {
          headers: { Authorization: `Bearer ${sf.issueAccessToken()}` },
        },
      );
      expect(((await raw.json()) as { nextRecordsUrl: string }).nextRecordsUrl).toMatch(
        new RegExp(`^/services/data/v${VERSION}/query/01g\\w{15}-2000$`),
      );
      expect(first.records[0]).toMatchObject({
        attributes: { type: 'Contact' },
        Account: { attributes: { type: 'Account' } },
      });
      const more = await conn.queryMore(first.nextRecordsUrl!);
      expect(more).toMatchObject({ totalSize: 2500, done: true });
      expect(more.records).toHaveLength(500);
      expect(sf.calls.filter((c) => c.kind === 'queryMore').at(-1)).toMatchObject({
        status: 200,
        records: 500,
      });
    });

    it('autoFetch follows every page, and batchSize pages smaller', async () => {
      const all = await conn.query('SELECT Id FROM Contact', { autoFetch: true, maxFetch: 10_000 });
      expect(all.records).toHaveLength(2500);
      const small = await conn.query('SELECT Id FROM Contact', {
        headers: { 'Sforce-Query-Options': 'batchSize=500' },
      });
      expect(small.records).toHaveLength(500);
    });

    it('filters, orders and follows lookups like SOQL', async () => {
      const since = '2024-06-01T00:00:00Z';
      const res = await conn.query<{
        Id: string;
        TotalAmount: number;
        LastModifiedDate: string;
        BillToContact: { Email: string | null };
      }>(
        `SELECT Id, TotalAmount, LastModifiedDate, BillToContact.Email FROM Order WHERE Status = 'Activated' AND LastModifiedDate > ${since} ORDER BY LastModifiedDate`,
        { autoFetch: true },
      );
      const expected = history.orders.filter(
        (o) => Date.parse(String(o.LastModifiedDate)) > Date.parse(since),
      );
      expect(res.totalSize).toBe(expected.length);
      const stamps = res.records.map((r: { LastModifiedDate: string }) => r.LastModifiedDate);
      expect(stamps[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
      expect([...stamps].sort()).toEqual(stamps);
      const order = history.orders.find((o) => o.Id === res.records[0]!.Id)!;
      const contact = history.contacts.find((c) => c.Id === order.BillToContactId)!;
      expect(res.records[0]!.BillToContact.Email).toBe(contact.Email);
      const ids = history.contacts.slice(0, 2).map((c) => c.Id);
      const byIds = await conn.query(
        `SELECT Id FROM Contact WHERE Id IN ('${ids[0]}', '${ids[1]!.slice(0, 15)}')`,
      );
      expect(byIds.records.map((r: { Id?: string }) => r.Id).sort()).toEqual([...ids].sort());
    });

    it('fails as Salesforce fails: unknown column, malformed SOQL, wrong literal type, unknown object', async () => {
      const unknown = await errorOf(conn.query('SELECT Id, Foo FROM Contact'));
      expect(unknown.errorCode).toBe('INVALID_FIELD');
      expect(unknown.message).toContain("No such column 'Foo' on entity 'Contact'");
      expect(unknown.message).toContain('ERROR at Row:1:Column:12');
      expect((await errorOf(conn.query('SELECT Id FORM Contact'))).errorCode).toBe('MALFORMED_QUERY');
      const quoted = await errorOf(
        conn.query("SELECT Id FROM Order WHERE LastModifiedDate > '2024-01-01T00:00:00Z'"),
      );
      expect(quoted.errorCode).toBe('INVALID_QUERY_FILTER_OPERATOR');
      expect(quoted.message).toContain('must be of type dateTime and should not be enclosed in quotes');
      expect((await errorOf(conn.query('SELECT Id FROM Widget__c'))).errorCode).toBe('INVALID_TYPE');
      const rel = await errorOf(conn.query('SELECT Id, Buyer.Email FROM Order'));
      expect(rel.message).toContain("Didn't understand relationship 'Buyer'");
    });
  });

  describe('Metadata API and sObject Collections', () => {
    const contactIds = () => history.contacts.slice(100, 103).map((c) => c.Id);

    it('refuses CLV fields before they are deployed, with INVALID_FIELD per record', async () => {
      const [id] = contactIds();
      const [result] = await conn
        .sobject('Contact')
        .update([{ Id: id!, CLV_Predicted__c: 120.5 }], { allOrNone: false });
      expect(result).toEqual({
        success: false,
        errors: [
          {
            statusCode: 'INVALID_FIELD',
            message: "No such column 'CLV_Predicted__c' on sobject of type Contact",
            fields: [],
          },
        ],
      });
      expect((await errorOf(conn.query('SELECT CLV_Predicted__c FROM Contact'))).errorCode).toBe(
        'INVALID_FIELD',
      );
    });

    it('a metadata-format zip deploys through deploy/checkDeployStatus; twice is idempotent', async () => {
      const first = await deploy(conn, clvPackage());
      expect(first).toMatchObject({
        done: true,
        success: true,
        status: 'Succeeded',
        numberComponentErrors: 0,
      });
      const successes = [first.details!.componentSuccesses].flat();
      expect(successes.map((s) => s.fullName)).toEqual(
        expect.arrayContaining([
          'Contact.CLV_Predicted__c',
          'Contact.CLV_Tier__c',
          'CLV_Sync',
          'Contact-Contact Layout',
        ]),
      );
      expect(successes.find((s) => s.fullName === 'Contact.CLV_Predicted__c')).toMatchObject({
        created: true,
        changed: true,
      });
      const again = await deploy(conn, clvPackage());
      expect(again.success).toBe(true);
      const field = [again.details!.componentSuccesses]
        .flat()
        .find((s) => s.fullName === 'Contact.CLV_Predicted__c');
      expect(field).toMatchObject({ created: false, changed: false });
      expect(sf.org.hasField('Contact', 'CLV_Tier__c')).toBe(true);
    });

    it('a source-format zip fails the way the Metadata API fails', async () => {
      const zip = writeZip({
        'package.xml': `<?xml version="1.0" encoding="UTF-8"?><Package xmlns="http://soap.sforce.com/2006/04/metadata"><types><members>Contact.CLV_Segment__c</members><name>CustomField</name></types><version>${VERSION}</version></Package>`,
        'objects/Contact/fields/CLV_Segment__c.field-meta.xml':
          '<CustomField><fullName>CLV_Segment__c</fullName></CustomField>',
      });
      const result = await deploy(conn, zip);
      expect(result).toMatchObject({ success: false, status: 'Failed', numberComponentErrors: 1 });
      expect([result.details!.componentFailures].flat()[0]).toMatchObject({
        problem:
          "An object 'Contact.CLV_Segment__c' of type CustomField was named in package.xml, but was not found in zipped directory",
        problemType: 'Error',
      });
      expect(sf.org.hasField('Contact', 'CLV_Segment__c')).toBe(false);
    });

    it('a file the Metadata WSDL refuses fails its components with "Error parsing file", where it is', async () => {
      const pkg = (types: string) =>
        `<?xml version="1.0" encoding="UTF-8"?><Package xmlns="http://soap.sforce.com/2006/04/metadata">${types}<version>${VERSION}</version></Package>`;
      const zip = writeZip({
        'package.xml': pkg(
          '<types><members>Contact.CLV_Segment__c</members><name>CustomField</name></types><types><members>CLV_Flow</members><name>Flow</name></types>',
        ),
        // CustomField's sequence puts precision before type.
        'objects/Contact.object':
          '<?xml version="1.0" encoding="UTF-8"?>\n<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">\n<fields><fullName>CLV_Segment__c</fullName><label>Segment</label><type>Number</type><precision>8</precision><scale>0</scale></fields>\n</CustomObject>',
        'flows/CLV_Flow.flow':
          '<?xml version="1.0" encoding="UTF-8"?><Flow xmlns="http://soap.sforce.com/2006/04/metadata"><label>x</label><processType>Autolaunched</processType></Flow>',
      });
      const result = await deploy(conn, zip);
      expect(result).toMatchObject({ success: false, status: 'Failed', numberComponentErrors: 2 });
      const failures = [result.details!.componentFailures].flat();
      expect(failures.find((f) => f.componentType === 'CustomField')).toMatchObject({
        fileName: 'objects/Contact.object',
        fullName: 'Contact.CLV_Segment__c',
        problem:
          'Error parsing file: Element {http://soap.sforce.com/2006/04/metadata}precision invalid at this location in type CustomField',
        problemType: 'Error',
        lineNumber: 3,
      });
      expect(failures.find((f) => f.componentType === 'Flow')).toMatchObject({
        fileName: 'flows/CLV_Flow.flow',
        problem: "Error parsing file: 'Autolaunched' is not a valid value for the enum 'FlowProcessType'",
      });
      expect(sf.org.hasField('Contact', 'CLV_Segment__c')).toBe(false);

      const badManifest = await deploy(
        conn,
        writeZip({
          'package.xml': pkg('<types><name>CustomField</name><members>Contact.X__c</members></types>'),
        }),
      );
      expect(badManifest).toMatchObject({ success: false, status: 'Failed' });
      expect([badManifest.details!.componentFailures].flat()[0]).toMatchObject({
        fileName: 'package.xml',
        problem:
          'Error parsing file: Element {http://soap.sforce.com/2006/04/metadata}members invalid at this location in type PackageTypeMembers',
      });
    });

    it('upsertMetadata / readMetadata create a field the CRUD way', async () => {
      const def = {
        fullName: 'Contact.CLV_Churn_Risk__c',
        label: 'Churn risk',
        type: 'Picklist',
        valueSet: {
          restricted: true,
          valueSetDefinition: {
            value: ['low', 'medium', 'high'].map((v) => ({ fullName: v, default: false, label: v })),
          },
        },
      };
      expect(await conn.metadata.upsert('CustomField', def)).toMatchObject({
        success: true,
        created: true,
        fullName: 'Contact.CLV_Churn_Risk__c',
      });
      expect(await conn.metadata.upsert('CustomField', def)).toMatchObject({ success: true, created: false });
      const bad = await conn.metadata.upsert('CustomField', {
        fullName: 'Contact.CLV_Referral_Value__c',
        label: 'Referral value',
        type: 'Currency',
      });
      expect(bad).toMatchObject({
        success: false,
        errors: [
          {
            statusCode: 'FIELD_INTEGRITY_EXCEPTION',
            message: "Must specify 'precision' for a CustomField of type Currency",
          },
        ],
      });
      const read = await conn.metadata.read('CustomField', 'Contact.CLV_Churn_Risk__c');
      expect(read).toMatchObject({ fullName: 'Contact.CLV_Churn_Risk__c', type: 'Picklist' });
    });

    it('writes through sObject Collections, recording each field write once', async () => {
      const ids = contactIds();
      const writesBefore = sf.writes.length;
      const results = await conn.sobject('Contact').update(
        ids.map((Id, i) => ({
          Id,
          CLV_Predicted__c: 100 + i,
          CLV_Tier__c: 'gold',
          CLV_Next_Order_Date__c: '2025-02-01',
          CLV_Scored_At__c: '2025-01-01T10:00:00Z',
        })),
        { allOrNone: false },
      );
      expect(results).toEqual(ids.map((id) => ({ id, success: true, errors: [] })));
      expect(sf.org.get('Contact', ids[1]!)).toMatchObject({
        CLV_Predicted__c: 101,
        CLV_Tier__c: 'gold',
        CLV_Scored_At__c: '2025-01-01T10:00:00.000Z',
      });
      const written = sf.writes.slice(writesBefore);
      expect(written).toHaveLength(12);
      expect(written.filter((w) => w.id === ids[0] && w.field === 'CLV_Predicted__c')).toEqual([
        { sobject: 'Contact', id: ids[0], field: 'CLV_Predicted__c', value: 100 },
      ]);
      const back = await conn.query(
        `SELECT CLV_Predicted__c, CLV_Scored_At__c FROM Contact WHERE Id = '${ids[0]}'`,
      );
      expect(back.records[0]).toMatchObject({
        CLV_Predicted__c: 100,
        CLV_Scored_At__c: '2025-01-01T10:00:00.000+0000',
      });
    });

    it('fails records the Salesforce way: restricted picklist, malformed id, missing id, read-only field', async () => {
      const [a, b] = contactIds();
      const results = await conn.sobject('Contact').update(
        [
          { Id: a!, CLV_Tier__c: 'diamond' },
          { Id: '003xx000004TmiQ', CLV_Predicted__c: 1 },
          { Id: b!, LastModifiedDate: '2025-01-01T00:00:00Z' },
        ],
        { allOrNone: false },
      );
      expect(results[0]).toEqual({
        success: false,
        errors: [
          {
            statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
            message: 'CLV tier: bad value for restricted picklist field: diamond',
            fields: ['CLV_Tier__c'],
          },
        ],
      });
      expect(results[1]!.errors[0]).toMatchObject({ statusCode: 'INVALID_CROSS_REFERENCE_KEY' });
      expect(results[2]!.errors[0]).toMatchObject({
        statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
        fields: ['LastModifiedDate'],
      });
      const raw = await conn.requestPatch<unknown[]>(`/services/data/v${VERSION}/composite/sobjects`, {
        allOrNone: false,
        records: [
          { attributes: { type: 'Contact' }, CLV_Predicted__c: 1 },
          { attributes: { type: 'Contact' }, id: 'not-an-id', CLV_Predicted__c: 1 },
        ],
      });
      expect(raw).toEqual([
        {
          success: false,
          errors: [
            { statusCode: 'MISSING_ARGUMENT', message: 'Id not specified in an update call', fields: [] },
          ],
        },
        {
          success: false,
          errors: [
            {
              statusCode: 'MALFORMED_ID',
              message: 'Contact ID: id value of incorrect type: not-an-id',
              fields: ['Id'],
            },
          ],
        },
      ]);
    });

    it('text in a Currency field fails the whole request with JSON_PARSER_ERROR', async () => {
      const [a] = contactIds();
      const err = await errorOf(
        conn.sobject('Contact').update([{ Id: a!, CLV_Predicted__c: 'lots' }], { allOrNone: false }),
      );
      expect(err.errorCode).toBe('JSON_PARSER_ERROR');
      expect(err.message).toMatch(/^Cannot deserialize instance of currency from VALUE_STRING value lots/);
    });

    it('allOrNone rolls back every record when one fails', async () => {
      const [a, b] = contactIds();
      const writesBefore = sf.writes.length;
      const results = await conn.sobject('Contact').update(
        [
          { Id: a!, CLV_Predicted__c: 999 },
          { Id: b!, CLV_P_Alive__c: 123456 },
        ],
        { allOrNone: true },
      );
      expect(results[0]).toEqual({
        success: false,
        errors: [
          {
            statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
            message:
              'Record rolled back because not all records were valid and the request was using AllOrNone header',
            fields: [],
          },
        ],
      });
      expect(results[1]!.errors[0]).toMatchObject({
        statusCode: 'NUMBER_OUTSIDE_VALID_RANGE',
        fields: ['CLV_P_Alive__c'],
      });
      expect(sf.writes.length).toBe(writesBefore);
      expect(sf.org.get('Contact', a!)!.CLV_Predicted__c).toBe(100);
    });

    it('more than 200 records is one 400 EXCEEDED_ID_LIMIT', async () => {
      const records = history.contacts.slice(0, 201).map((c) => ({ Id: c.Id, CLV_Predicted__c: 1 }));
      const err = await errorOf(conn.sobject('Contact').update(records, { allOrNone: false }));
      expect(err).toMatchObject({
        errorCode: 'EXCEEDED_ID_LIMIT',
        message: 'record limit reached. cannot submit more than 200 records into this call',
      });
      expect(sf.calls.at(-1)).toMatchObject({ kind: 'collections', status: 400, records: 201 });
    });
  });

  describe('Bulk API 2.0', () => {
    beforeAll(() => {
      conn.bulk2.pollInterval = 20;
      conn.bulk2.pollTimeout = 20_000;
    });

    it('ingest roundtrip: loadAndWaitForResults updates rows and reports failed rows with sf__Error', async () => {
      const rows = history.contacts
        .slice(200, 260)
        .map((c, i) => ({ Id: c.Id, CLV_Historic__c: String(10 + i), CLV_Tier__c: 'silver' }));
      rows.push({ Id: '003xx0000000000', CLV_Historic__c: '1', CLV_Tier__c: 'silver' });
      rows.push({ Id: history.contacts[261]!.Id, CLV_Historic__c: 'abc', CLV_Tier__c: 'silver' });
      const res = await conn.bulk2.loadAndWaitForResults({
        object: 'Contact',
        operation: 'update',
        input: rows,
        lineEnding: 'LF',
      });
      expect(res.successfulResults).toHaveLength(60);
      expect(res.failedResults).toHaveLength(2);
      expect(res.failedResults.map((r: { sf__Error: string }) => r.sf__Error)).toEqual([
        'INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--',
        'INVALID_TYPE_ON_FIELD_IN_RECORD:Historic CLV: value not of required type: abc:CLV_Historic__c --',
      ]);
      expect(sf.org.get('Contact', history.contacts[205]!.Id)).toMatchObject({
        CLV_Historic__c: 15,
        CLV_Tier__c: 'silver',
      });
      const kinds = sf.calls.filter((c) => c.kind === 'bulk-ingest').map((c) => `${c.method} ${c.status}`);
      expect(kinds).toEqual(expect.arrayContaining(['POST 200', 'PUT 201', 'PATCH 200', 'GET 200']));
    });

    it('an unknown column fails the whole job', async () => {
      const err = await errorOf(
        conn.bulk2.loadAndWaitForResults({
          object: 'Contact',
          operation: 'update',
          input: [{ Id: history.contacts[0]!.Id, CLV_Bogus__c: '1' }],
        }),
      );
      expect(err.message).toBe(
        'Ingest job failed to complete due to: InvalidBatch : Field name not found : CLV_Bogus__c',
      );
    });

    // One results page: jsforce 3's bulk2.query breaks on a multi-page result
    // ("write after end", jsforce issues #1546 and #1693); the paging itself is
    // exercised with plain HTTP below.
    it('query roundtrip through jsforce bulk2.query', async () => {
      const stream = await conn.bulk2.query('SELECT Id, Email, Account.Name FROM Contact');
      const rows: Record<string, string>[] = [];
      for await (const row of stream) rows.push(row as Record<string, string>);
      expect(rows).toHaveLength(2500);
      const sample = rows.find((r) => r.Id === history.contacts[7]!.Id)!;
      const account = history.accounts.find((a) => a.Id === history.contacts[7]!.AccountId)!;
      expect(sample['Account.Name']).toBe(account.Name);
      const pages = sf.calls.filter((c) => c.kind === 'bulk-query' && c.path.endsWith('/results'));
      expect(pages.map((p) => p.records)).toEqual([2500]);
    });

    it('results pages carry Sforce-Locator and Sforce-NumberOfRecords, "null" on the last', async () => {
      const token = sf.issueAccessToken();
      const base = `${sf.instanceUrl}/services/data/v${VERSION}/jobs/query`;
      const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
      const job = (await (
        await fetch(base, {
          method: 'POST',
          headers,
          body: JSON.stringify({ operation: 'query', query: 'SELECT Id FROM Account' }),
        })
      ).json()) as { id: string; state: string };
      expect(job.state).toBe('UploadComplete');
      let state = '';
      while (state !== 'JobComplete')
        state = ((await (await fetch(`${base}/${job.id}`, { headers })).json()) as { state: string }).state;
      const first = await fetch(`${base}/${job.id}/results?maxRecords=200`, { headers });
      expect(first.headers.get('sforce-numberofrecords')).toBe('200');
      const locator = first.headers.get('sforce-locator')!;
      expect(Buffer.from(locator, 'base64').toString()).toBe('200');
      expect((await first.text()).split('\n')[0]).toBe('"Id"');
      const last = await fetch(`${base}/${job.id}/results?maxRecords=200&locator=${locator}`, { headers });
      expect(last.headers.get('sforce-locator')).toBe('null');
      expect(last.headers.get('sforce-numberofrecords')).toBe('100');
    });
  });

  describe('limits and faults', () => {
    it('every answer carries Sforce-Limit-Info, usage rises, /limits agrees', async () => {
      await conn.query('SELECT Id FROM Account LIMIT 1');
      const used = conn.limitInfo.apiUsage!.used;
      await conn.query('SELECT Id FROM Account LIMIT 1');
      expect(conn.limitInfo.apiUsage).toEqual({ used: used + 1, limit: 100_000 });
      const limits = await conn.request<{ DailyApiRequests: { Max: number; Remaining: number } }>(
        `/services/data/v${VERSION}/limits`,
      );
      expect(limits.DailyApiRequests).toEqual({ Max: 100_000, Remaining: 100_000 - (used + 2) });
    });

    it('past the daily allowance: 403 REQUEST_LIMIT_EXCEEDED', async () => {
      const small = await startSalesforceSandbox({ clientId: 'small', dailyApiLimit: 2 });
      try {
        const c = connect(small);
        await c.query('SELECT Id FROM Contact');
        await c.query('SELECT Id FROM Contact');
        const err = await errorOf(c.query('SELECT Id FROM Contact'));
        expect(err).toMatchObject({
          errorCode: 'REQUEST_LIMIT_EXCEEDED',
          message: 'TotalRequests Limit exceeded.',
        });
        const res = await fetch(`${small.instanceUrl}/services/data/v${VERSION}/limits`, {
          headers: { Authorization: `Bearer ${small.issueAccessToken()}` },
        });
        expect(res.status).toBe(403);
        expect(res.headers.get('sforce-limit-info')).toBe('api-usage=2/2');
      } finally {
        await small.stop();
      }
    });

    it('injected 503 / 500 / limit faults answer with Salesforce bodies and change nothing', async () => {
      const [id] = history.contacts.slice(300, 301).map((c) => c.Id);
      sf.failNext('collections', 1, '503');
      const unavailable = await errorOf(
        conn.sobject('Contact').update([{ Id: id!, CLV_Predicted__c: 5 }], { allOrNone: false }),
      );
      expect(unavailable).toMatchObject({ errorCode: 'SERVER_UNAVAILABLE', message: 'Server Unavailable' });
      sf.failNext('collections', 1, 'limit');
      expect(
        await errorOf(
          conn.sobject('Contact').update([{ Id: id!, CLV_Predicted__c: 5 }], { allOrNone: false }),
        ),
      ).toMatchObject({
        errorCode: 'REQUEST_LIMIT_EXCEEDED',
      });
      expect(sf.org.get('Contact', id!)!.CLV_Predicted__c).toBeUndefined();
      sf.failNext('query', 1, '500');
      const res = await fetch(`${sf.instanceUrl}/services/data/v${VERSION}/query?q=SELECT+Id+FROM+Contact`, {
        headers: { Authorization: `Bearer ${sf.issueAccessToken()}` },
      });
      expect(res.status).toBe(500);
      const [body] = (await res.json()) as { errorCode: string; message: string }[];
      expect(body!.errorCode).toBe('UNKNOWN_EXCEPTION');
      expect(body!.message).toMatch(
        /^An unexpected error occurred\. Please include this ErrorId if you contact support: \d+-\d+ \(-?\d+\)$/,
      );
    });

    it('jsforce retries a GET after a 503 or a dropped connection', async () => {
      sf.failNext('query', 1, '503');
      sf.failNext('query', 1, 'drop');
      const before = sf.calls.length;
      const res = await conn.query('SELECT Id FROM Account LIMIT 2');
      expect(res.records).toHaveLength(2);
      expect(sf.calls.slice(before).map((c) => c.status)).toEqual([503, 0, 200]);
      sf.failNext('query', 1, 'drop');
      await expect(
        fetch(`${sf.instanceUrl}/services/data/v${VERSION}/query?q=SELECT+Id+FROM+Account`),
      ).rejects.toThrow();
    });

    it('a SOAP call with a stale session is an INVALID_SESSION_ID fault', async () => {
      const c = new jsforce.Connection({
        instanceUrl: sf.instanceUrl,
        accessToken: `${sf.orgId.slice(0, 15)}!stale`,
        version: VERSION,
      });
      const err = await errorOf(c.metadata.read('CustomField', 'Contact.CLV_Tier__c'));
      expect(err).toMatchObject({ errorCode: 'sf:INVALID_SESSION_ID' });
    });

    it('an unknown API version is 404 NOT_FOUND', async () => {
      const res = await fetch(`${sf.instanceUrl}/services/data/v99.0/limits`, {
        headers: { Authorization: `Bearer ${sf.issueAccessToken()}` },
      });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual([
        { errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' },
      ]);
    });
  });

  describe('outbound messages', () => {
    it('the envelope parses, names the org and carries up to 100 notifications', () => {
      const orders = history.orders.slice(0, 100);
      const xml = outboundMessage({
        orgId: sf.orgId,
        actionId: '04k5g00000ABCDEFGH',
        enterpriseUrl: `${sf.instanceUrl}/services/Soap/c/${VERSION}/${sf.orgId.slice(0, 15)}`,
        partnerUrl: `${sf.instanceUrl}/services/Soap/u/${VERSION}/${sf.orgId.slice(0, 15)}`,
        notifications: orders.map((o, i) => ({
          id: `04l5g0000000${String(i).padStart(3, '0')}AAA`,
          sObject: 'Order' as const,
          fields: { Id: o.Id, TotalAmount: String(o.TotalAmount), Status: 'Activated', Description: null },
        })),
      });
      const doc = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true }).parse(xml);
      const n = doc.Envelope.Body.notifications;
      expect(n.OrganizationId).toBe(sf.orgId);
      expect(n.SessionId['@_nil']).toBe('true');
      expect(n.Notification).toHaveLength(100);
      expect(n.Notification[0].sObject).toMatchObject({
        '@_type': 'sf:Order',
        Id: orders[0]!.Id,
        Status: 'Activated',
      });
      expect(n.Notification[0].sObject.Description).toBeUndefined();
      expect(xml).toContain('xmlns="http://soap.sforce.com/2005/09/outbound"');
      expect(() =>
        outboundMessage({
          orgId: sf.orgId,
          actionId: 'x',
          enterpriseUrl: '',
          partnerUrl: '',
          notifications: [],
        }),
      ).toThrow(RangeError);
    });

    it('isAck accepts only the exact acknowledgement', () => {
      expect(isAck(OUTBOUND_ACK)).toBe(true);
      expect(isAck(OUTBOUND_ACK.replace('<Ack>true</Ack>', '<Ack>false</Ack>'))).toBe(false);
      expect(isAck(OUTBOUND_ACK.replace('2005/09/outbound', '2005/09/inbound'))).toBe(false);
      expect(isAck('OK')).toBe(false);
      const prefixed =
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><o:notificationsResponse xmlns:o="http://soap.sforce.com/2005/09/outbound"><o:Ack>true</o:Ack></o:notificationsResponse></s:Body></s:Envelope>';
      expect(isAck(prefixed)).toBe(true);
    });

    it('sendOutbound delivers like Salesforce and retries until acknowledged', async () => {
      const received: string[] = [];
      let answer = 'OK';
      const listener = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          received.push(body);
          res.writeHead(200, { 'Content-Type': 'text/xml' });
          res.end(answer);
          answer = OUTBOUND_ACK;
        });
      });
      await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
      try {
        const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/sf`;
        const deliveries = await sf.sendOutbound({
          url,
          sObject: 'Order',
          recordIds: [history.orders[0]!.Id],
          fields: ['TotalAmount', 'Status', 'BillToContactId'],
          maxAttempts: 3,
        });
        expect(deliveries.map((d) => d.acked)).toEqual([false, true]);
        expect(received[1]).toContain(
          `<sf:BillToContactId>${history.orders[0]!.BillToContactId}</sf:BillToContactId>`,
        );
        expect(received[1]).toContain(
          '<sObject xsi:type="sf:Order" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">',
        );
      } finally {
        await new Promise((r) => listener.close(r));
      }
    });
  });

  describe('generated history', () => {
    it('is deterministic, has the requested orders, refunds as reduction orders, and B2B pipelines', () => {
      const opts = { orders: 200, contacts: 60, accounts: 20, seed: 3, ...TWO_YEARS, b2b: true };
      const a = generateOrgHistory(opts);
      expect(generateOrgHistory(opts)).toEqual(a);
      expect(a.orders).toHaveLength(200);
      for (const o of a.orders) {
        expect(o).toMatchObject({
          Status: 'Activated',
          AccountId: expect.any(String),
          BillToContactId: expect.any(String),
          EffectiveDate: expect.stringMatching(/^\d{4}-\d\d-\d\d$/),
        });
      }
      const reductions = a.orders.filter((o) => o.IsReductionOrder);
      expect(reductions.length).toBeGreaterThan(0);
      expect(
        reductions.every(
          (r) => Number(r.TotalAmount) < 0 && a.orders.some((o) => o.Id === r.OriginalOrderId),
        ),
      ).toBe(true);
      expect(a.opportunities.filter((o) => o.StageName === 'Closed Won')).toHaveLength(
        200 - reductions.length,
      );
      expect(a.contactRoles.length).toBeGreaterThanOrEqual(a.opportunities.length);
      expect(a.contacts.filter((c) => c.Email).length).toBeGreaterThan(50);
    });
  });
});
