/**
 * The Salesforce sandbox's SOQL held to the real contracts: statements
 * parsed by Salesforce's grammar (@jetstreamapp/soql-parser-js), field paths
 * checked against a real org's Enterprise WSDL field lists
 * (../shared/reference/salesforce/sobjects), parent-to-child subqueries
 * answered in the REST shape, and Order Status values with their categories
 * (StatusCode), custom ones included.
 */
import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SalesforceSandbox } from '../../../sandbox/salesforce/index.ts';
import { generateOrgHistory, startSalesforceSandbox, to18 } from '../../../sandbox/salesforce/index.ts';
import { catchRejection } from '../../helpers/catch-error.ts';
import { loggedInConnection } from '../../helpers/sandbox-org.ts';

const VERSION = '62.0';
const HISTORY = { currency: 'USD', start: '2024-01-01T00:00:00Z', end: '2025-01-01T00:00:00Z' };

const errorOf = async (p: PromiseLike<unknown>) =>
  (await catchRejection(p)) as { errorCode?: string; message: string };

describe('Salesforce sandbox SOQL, against the real field lists', () => {
  let sf: SalesforceSandbox;
  let conn: Connection;
  const history = generateOrgHistory({
    orders: 80,
    contacts: 20,
    accounts: 10,
    seed: 3,
    b2b: true,
    ...HISTORY,
  });

  beforeAll(async () => {
    sf = await startSalesforceSandbox({ clientId: 'soql-contract', apiVersion: VERSION });
    sf.org.load(history);
    conn = loggedInConnection(sf, VERSION);
    conn.bulk2.pollInterval = 20;
    conn.bulk2.pollTimeout = 20_000;
  });
  afterAll(() => sf.stop());

  it('refuses Contact on Opportunity as Salesforce does: Opportunity has ContactId but no Contact relationship', async () => {
    const soql = 'SELECT Id, ContactId, Contact.Email FROM Opportunity';
    const rest = await errorOf(conn.query(soql));
    expect(rest.errorCode).toBe('INVALID_FIELD');
    expect(rest.message).toContain(
      "Didn't understand relationship 'Contact' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name.",
    );
    expect(rest.message).toContain('ERROR at Row:1:Column:23');
    // The same in a WHERE clause and in a Bulk API 2.0 query job (checked when the job is created).
    expect(
      (await errorOf(conn.query("SELECT Id FROM Opportunity WHERE Contact.Email = 'a@b.c'"))).errorCode,
    ).toBe('INVALID_FIELD');
    const bulk = await errorOf(conn.bulk2.query(soql));
    expect(bulk.message).toContain("Didn't understand relationship 'Contact' in field path");
    // ContactId itself is a real field.
    const ok = await conn.query('SELECT Id, ContactId FROM Opportunity LIMIT 1');
    expect(ok.records[0]).toHaveProperty('ContactId');
  });

  it('serves real fields the sandbox never refined, and refuses another org’s custom fields', async () => {
    // Order.PoNumber and Contact.Title are in the real lists; Account.Active__c is that org's own custom field.
    const res = await conn.query('SELECT Id, PoNumber, Account.Name, BillToContact.Title FROM Order LIMIT 1');
    expect(res.records[0]).toMatchObject({ PoNumber: null, Account: { Name: expect.any(String) } });
    const foreign = await errorOf(conn.query('SELECT Active__c FROM Account'));
    expect(foreign.errorCode).toBe('INVALID_FIELD');
    expect(foreign.message).toContain("No such column 'Active__c' on entity 'Account'");
  });

  it('answers a parent-to-child subquery in the REST shape: totalSize, done, records, or null', async () => {
    const res = await conn.query<Record<string, unknown>>(
      'SELECT Id, (SELECT ContactId, Contact.Email, IsPrimary FROM OpportunityContactRoles WHERE IsPrimary = true) FROM Opportunity ORDER BY Id',
    );
    expect(res.totalSize).toBe(history.opportunities.length);
    for (const r of res.records) {
      const primary = history.contactRoles.filter((c) => c.OpportunityId === r.Id && c.IsPrimary);
      const roles = r.OpportunityContactRoles as {
        totalSize: number;
        done: boolean;
        records: unknown[];
      } | null;
      if (primary.length === 0) {
        expect(roles).toBeNull();
        continue;
      }
      const contact = history.contacts.find((c) => c.Id === primary[0]!.ContactId)!;
      expect(roles).toEqual({
        totalSize: 1,
        done: true,
        records: [
          {
            attributes: {
              type: 'OpportunityContactRole',
              url: `/services/data/v${VERSION}/sobjects/OpportunityContactRole/${primary[0]!.Id}`,
            },
            ContactId: contact.Id,
            Contact: {
              attributes: {
                type: 'Contact',
                url: `/services/data/v${VERSION}/sobjects/Contact/${contact.Id}`,
              },
              Email: contact.Email,
            },
            IsPrimary: true,
          },
        ],
      });
    }
    // An opportunity with a second, non-primary role has both without the filter.
    const withTwo = history.opportunities.find(
      (o) => history.contactRoles.filter((c) => c.OpportunityId === o.Id).length === 2,
    )!;
    const all = await conn.query<Record<string, unknown>>(
      `SELECT Id, (SELECT Role FROM OpportunityContactRoles ORDER BY Role) FROM Opportunity WHERE Id = '${withTwo.Id}'`,
    );
    expect(
      (all.records[0]!.OpportunityContactRoles as { records: { Role: string }[] }).records.map((r) => r.Role),
    ).toEqual(['Decision Maker', 'Influencer']);
  });

  it('refuses child relationships the object does not have, fields the child lacks, and subqueries in Bulk API 2.0', async () => {
    const unknown = await errorOf(conn.query('SELECT Id, (SELECT Id FROM ContactRoles) FROM Opportunity'));
    expect(unknown.errorCode).toBe('INVALID_TYPE');
    expect(unknown.message).toContain(
      "Didn't understand relationship 'ContactRoles' in FROM part of query call",
    );
    const column = await errorOf(
      conn.query('SELECT Id, (SELECT Email FROM OpportunityContactRoles) FROM Opportunity'),
    );
    expect(column.errorCode).toBe('INVALID_FIELD');
    expect(column.message).toContain("No such column 'Email' on entity 'OpportunityContactRole'");
    const bulk = await errorOf(
      conn.bulk2.query('SELECT Id, (SELECT ContactId FROM OpportunityContactRoles) FROM Opportunity'),
    );
    expect(bulk.message).toContain('parent-to-child relationship queries are not supported by Bulk API 2.0');
  });

  it('refuses what is not SOQL by Salesforce’s grammar with MALFORMED_QUERY', async () => {
    for (const soql of [
      'SELECT FROM Order',
      'SELECT Id FROM Order WHERE',
      "SELECT Id FROM Order WHERE Status = 'Draft' ORDER",
    ]) {
      expect((await errorOf(conn.query(soql))).errorCode, soql).toBe('MALFORMED_QUERY');
    }
  });

  describe('Order status categories', () => {
    it('every Order has the StatusCode of its Status; a custom value counts in its category', async () => {
      sf.org.addOrderStatus('Shipped', 'Activated');
      sf.org.addOrderStatus('In Review', 'Draft');
      const account = history.accounts[0]!;
      const shipped = sf.org.insert('Order', {
        AccountId: account.Id,
        EffectiveDate: '2024-06-01',
        Status: 'Shipped',
      });
      const review = sf.org.insert('Order', {
        AccountId: account.Id,
        EffectiveDate: '2024-06-02',
        Status: 'In Review',
      });
      expect(shipped.StatusCode).toBe('Activated');
      expect(review.StatusCode).toBe('Draft');
      const activated = await conn.query<{ Id: string; Status: string }>(
        `SELECT Id, Status, StatusCode FROM Order WHERE StatusCode = 'Activated' AND Id IN ('${shipped.Id}', '${review.Id}')`,
      );
      expect(activated.records).toEqual([
        expect.objectContaining({ Id: shipped.Id, Status: 'Shipped', StatusCode: 'Activated' }),
      ]);
      const byLabel = await conn.query(
        `SELECT Id FROM Order WHERE Status = 'Activated' AND Id = '${shipped.Id}'`,
      );
      expect(byLabel.totalSize).toBe(0);

      // Setting Status moves StatusCode; StatusCode itself is read-only, and Status takes only the org's values.
      await conn.sobject('Order').update({ Id: review.Id, Status: 'Shipped' });
      expect(sf.org.get('Order', review.Id)!.StatusCode).toBe('Activated');
      const readOnly = await errorOf(conn.sobject('Order').update({ Id: review.Id, StatusCode: 'Draft' }));
      expect(readOnly.errorCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
      const unknown = await errorOf(conn.sobject('Order').update({ Id: review.Id, Status: 'Returned' }));
      expect(unknown.errorCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
      expect(() =>
        sf.org.insert('Order', { AccountId: account.Id, EffectiveDate: '2024-06-03', Status: 'Lost' }),
      ).toThrow(/no Order status Lost/);
      expect(to18(shipped.Id)).toBe(shipped.Id);
    });
  });
});
