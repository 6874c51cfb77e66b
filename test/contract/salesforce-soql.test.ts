/**
 * Contract: every SOQL statement clv-sync sends, as its builders really build
 * it (with realistic ids), parsed by Salesforce's grammar
 * (@jetstreamapp/soql-parser-js) and every object, field path, parent
 * relationship and child relationship in it checked against a real org's
 * field lists (../shared/reference/salesforce/sobjects, read in place) plus
 * the custom fields our own metadata deploy creates (deployed here by the
 * real `deploySalesforceSetup`). Each statement is then run by the sandbox
 * org, which refuses what a real org refuses.
 *
 * A new statement cannot slip past: the SELECT literals in
 * integrations/salesforce are counted per file and must match the builders
 * listed here.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseQuery } from '@jetstreamapp/soql-parser-js';
import type { Query, WhereClause } from '@jetstreamapp/soql-parser-js';
import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OPPORTUNITY_SOQL,
  ORDER_SOQL,
  PRIMARY_CONTACT_ROLE,
  REDUCTION_SOQL,
} from '../../integrations/salesforce/backfill.ts';
import {
  OPPORTUNITY_FIELDS,
  ORDER_FIELDS,
  RETURNS_FIELDS,
  RETURNS_FILTER,
  SOQL_ID_BATCH,
  selectWhereInSoql,
} from '../../integrations/salesforce/change-event-soql.ts';
import { contactEmailsSoql } from '../../integrations/salesforce/contact-emails.ts';
import {
  SALESFORCE_API_VERSION,
  deploySalesforceSetup,
  usernameSoql,
} from '../../integrations/salesforce/setup.ts';
import type { SalesforceSandbox } from '../../sandbox/salesforce/index.ts';
import { generateOrgHistory, startSalesforceSandbox } from '../../sandbox/salesforce/index.ts';
import { REFERENCE_OBJECTS } from '../../sandbox/salesforce/enterprise-fields.ts';
import { checkSoql } from '../../sandbox/salesforce/soql-check.ts';
import { loggedInConnection } from '../helpers/sandbox-org.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SALESFORCE_DIR = join(root, 'integrations/salesforce');

const history = generateOrgHistory({
  orders: 60,
  contacts: 20,
  accounts: 10,
  seed: 14,
  currency: 'USD',
  start: '2024-01-01T00:00:00Z',
  end: '2025-01-01T00:00:00Z',
  b2b: true,
});
const ids = (rows: { Id: string }[], n: number) => rows.slice(0, n).map((r) => r.Id);
const orderIds = ids(history.orders, 3);
const opportunityIds = ids(history.opportunities, 3);
const contactIds = ids(history.contacts, 3);

/** Every statement, by the builder that makes it, with the file it lives in. */
const STATEMENTS: { file: string; builder: string; soql: string }[] = [
  { file: 'backfill.ts', builder: 'ORDER_SOQL', soql: ORDER_SOQL },
  { file: 'backfill.ts', builder: 'REDUCTION_SOQL', soql: REDUCTION_SOQL },
  { file: 'backfill.ts', builder: 'OPPORTUNITY_SOQL', soql: OPPORTUNITY_SOQL },
  {
    file: 'change-event-soql.ts',
    builder: 'selectWhereInSoql(Order, ORDER_FIELDS)',
    soql: selectWhereInSoql('Order', ORDER_FIELDS, 'Id', orderIds),
  },
  {
    file: 'change-event-soql.ts',
    builder: 'selectWhereInSoql(Opportunity, OPPORTUNITY_FIELDS)',
    soql: selectWhereInSoql('Opportunity', OPPORTUNITY_FIELDS, 'Id', opportunityIds),
  },
  {
    file: 'change-event-soql.ts',
    builder: 'selectWhereInSoql(Order, RETURNS_FIELDS) (returns)',
    soql: selectWhereInSoql('Order', RETURNS_FIELDS, 'OriginalOrderId', orderIds, RETURNS_FILTER),
  },
  { file: 'contact-emails.ts', builder: 'contactEmailsSoql', soql: contactEmailsSoql(contactIds) },
  { file: 'setup.ts', builder: 'usernameSoql', soql: usernameSoql('005000000000001AAA') },
];

/**
 * The SELECT keywords each file's code holds (comments left out), and the
 * builders above that account for them. A new query literal changes a count.
 */
const SELECT_LITERALS: Record<string, { count: number; builders: string[] }> = {
  'backfill.ts': {
    count: 4,
    builders: [
      'ORDER_SOQL',
      'REDUCTION_SOQL',
      'OPPORTUNITY_SOQL',
      'PRIMARY_CONTACT_ROLE (inside OPPORTUNITY_SOQL)',
    ],
  },
  'change-event-soql.ts': { count: 1, builders: ['selectWhereInSoql'] },
  'contact-emails.ts': { count: 1, builders: ['contactEmailsSoql'] },
  'setup.ts': { count: 1, builders: ['usernameSoql'] },
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** SELECT keywords in code: block and line comments removed first (a `//` inside a URL string stays). */
function selectKeywords(text: string): number {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  return (code.match(/\bSELECT\b/g) ?? []).length;
}

/** Every (field, literal) comparison in a WHERE clause. */
function conditions(w: WhereClause | undefined): { field: string; value: unknown }[] {
  if (!w) return [];
  const left = w.left as { field?: string; value?: unknown } | null;
  const own = left?.field ? [{ field: left.field, value: left.value }] : [];
  return [...own, ...('right' in w && w.right ? conditions(w.right) : [])];
}

let sf: SalesforceSandbox;
let conn: Connection;

beforeAll(async () => {
  sf = await startSalesforceSandbox({ clientId: 'clv-sync-contract', apiVersion: SALESFORCE_API_VERSION });
  sf.org.load(history);
  conn = loggedInConnection(sf, SALESFORCE_API_VERSION);
  // Our custom fields exist in an org only once our metadata is deployed: deploy it the real way.
  const result = await deploySalesforceSetup(conn, {
    outboundEndpoint: 'https://clv.example.com/salesforce/outbound?tenant=acme&token=t0k3n',
    integrationUser: sf.org.username,
    pollIntervalMs: 10,
  });
  expect(result.status).toBe('Succeeded');
});
afterAll(() => sf?.stop());

describe('Salesforce SOQL contract', () => {
  it('lists every SELECT literal in integrations/salesforce', () => {
    const found: Record<string, number> = {};
    for (const file of sourceFiles(SALESFORCE_DIR)) {
      const n = selectKeywords(readFileSync(file, 'utf8'));
      if (n) found[relative(SALESFORCE_DIR, file)] = n;
    }
    expect(
      found,
      'a SOQL literal was added or removed: list its builder in STATEMENTS and SELECT_LITERALS',
    ).toEqual(Object.fromEntries(Object.entries(SELECT_LITERALS).map(([f, v]) => [f, v.count])));
    for (const file of Object.keys(SELECT_LITERALS))
      expect(STATEMENTS.some((s) => s.file === file)).toBe(true);
  });

  it('sends SOQL from integrations/salesforce only: no SELECT literal in functions, cli or shared', () => {
    const elsewhere = ['functions', 'cli', 'shared']
      .flatMap((dir) => sourceFiles(join(root, dir)))
      .filter((file) => selectKeywords(readFileSync(file, 'utf8')) > 0)
      .map((file) => relative(root, file));
    expect(elsewhere).toEqual([]);
  });

  it('the real field lists are the ones in ../shared/reference', () => {
    expect([...REFERENCE_OBJECTS.keys()]).toEqual(
      expect.arrayContaining(['Order', 'Opportunity', 'OpportunityContactRole', 'Contact', 'User']),
    );
    // The facts the defects turned on, straight from the reference.
    expect(REFERENCE_OBJECTS.get('Opportunity')!.fields.has('ContactId')).toBe(true);
    expect(REFERENCE_OBJECTS.get('Opportunity')!.relationships.has('Contact')).toBe(false);
    expect(REFERENCE_OBJECTS.get('Opportunity')!.children).toContain('OpportunityContactRoles');
    expect(REFERENCE_OBJECTS.get('Order')!.fields.has('StatusCode')).toBe(true);
  });

  describe.each(STATEMENTS)('$builder ($file)', ({ soql }) => {
    it('parses as SOQL and names only fields and relationships a real org has (plus ours, deployed)', () => {
      expect(() => parseQuery(soql)).not.toThrow();
      const { problem, paths } = checkSoql(sf.org.schema, soql);
      expect(problem, problem?.message).toBeUndefined();
      expect(paths.length).toBeGreaterThan(0);
      for (const p of paths) {
        // Every custom field named is one our deploy created, never another org's.
        for (const part of p.path.filter((x) => x.endsWith('__c'))) {
          expect(sf.org.customFields(p.object).map((f) => f.name)).toContain(part);
        }
      }
    });

    it('runs in the sandbox org through jsforce (the REST query resource)', async () => {
      const res = await conn.query(soql);
      expect(res.done).toBe(true);
    });

    it('decides activation by the status category, never the Status label', () => {
      const ast = parseQuery(soql) as Query;
      if (ast.sObject !== 'Order') return;
      const fields = conditions(ast.where).map((c) => c.field.toLowerCase());
      expect(fields).not.toContain('status');
      if (/Activated/i.test(soql)) expect(fields).toContain('statuscode');
    });
  });

  it("reads an opportunity's contact through its primary contact role", () => {
    const ast = parseQuery(OPPORTUNITY_SOQL) as Query;
    const sub = ast.fields?.find((f) => f.type === 'FieldSubquery');
    expect(sub?.type === 'FieldSubquery' && sub.subquery.relationshipName).toBe('OpportunityContactRoles');
    expect(OPPORTUNITY_SOQL).toContain(PRIMARY_CONTACT_ROLE);
    expect(conditions(sub?.type === 'FieldSubquery' ? sub.subquery.where : undefined)).toEqual([
      { field: 'IsPrimary', value: 'TRUE' },
    ]);
  });

  it('a batch of change-event ids stays one statement of at most SOQL_ID_BATCH ids', () => {
    const batch = Array.from({ length: SOQL_ID_BATCH }, () => orderIds[0]!);
    expect(
      checkSoql(sf.org.schema, selectWhereInSoql('Order', ORDER_FIELDS, 'Id', batch)).problem,
    ).toBeUndefined();
  });

  it("would have caught main's statements: Contact.Email on Opportunity is refused as Salesforce refuses it", () => {
    const mains =
      'SELECT Id, AccountId, ContactId, Contact.Email, Amount, CloseDate, IsWon, LastModifiedDate FROM Opportunity WHERE IsWon = true ORDER BY Id';
    expect(checkSoql(sf.org.schema, mains).problem).toMatchObject({
      errorCode: 'INVALID_FIELD',
      detail: expect.stringMatching(/^Didn't understand relationship 'Contact' in field path\./),
    });
  });
});
