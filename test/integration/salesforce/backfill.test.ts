/**
 * backfillSalesforceOrders against the sandbox org on DynamoDB Local, in an
 * org whose purchases are in a custom status ("Shipped", in the Activated
 * category) and whose won opportunities name their buyer by a primary
 * contact role: every purchase and every won deal is imported, nothing in a
 * Draft category is, and each deal is credited to its primary contact, email
 * included. On main both failed: the Order query filtered the Status label,
 * and the Opportunity query's Contact.Email is refused by Salesforce.
 */
import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SalesforceBackfillReport } from '../../../integrations/salesforce/backfill.ts';
import { backfillSalesforceOrders } from '../../../integrations/salesforce/backfill.ts';
import { putTenant } from '../../../shared/store/tenants.ts';
import { tenantItems, tenantName, testStore } from '../../helpers/dynamo.ts';
import type { OrgHistory, SalesforceSandbox } from '../../../sandbox/salesforce/index.ts';
import { generateOrgHistory, startSalesforceSandbox } from '../../../sandbox/salesforce/index.ts';

const store = testStore();
const NOW = Date.parse('2025-01-15T00:00:00Z');

let sf: SalesforceSandbox;
let history: OrgHistory;
let tenantId: string;
let report: SalesforceBackfillReport;
let drafts: string[];

beforeAll(async () => {
  sf = await startSalesforceSandbox({ clientId: tenantName('clv-sf-backfill') });
  // Salesforce orgs add their own Status values, each in a category (Object Reference, Order and OrderStatus).
  sf.org.addOrderStatus('Shipped', 'Activated');
  sf.org.addOrderStatus('Awaiting Approval', 'Draft');
  history = generateOrgHistory({
    orders: 60,
    contacts: 20,
    accounts: 10,
    seed: 41,
    currency: 'USD',
    start: '2024-01-01T00:00:00Z',
    end: '2025-01-01T00:00:00Z',
    b2b: true,
    activatedStatus: 'Shipped',
  });
  sf.org.load(history);
  const contact = history.contacts[0]!;
  drafts = ['Draft', 'Awaiting Approval'].map(
    (Status) =>
      sf.org.insert('Order', {
        AccountId: contact.AccountId ?? null,
        BillToContactId: contact.Id,
        EffectiveDate: '2024-12-01',
        TotalAmount: 75,
        Status,
      }).Id,
  );
  tenantId = tenantName('sf-backfill');
  const tenant = await putTenant(store, {
    tenantId,
    salesforceOrgId: sf.orgId,
    salesforceGrain: 'contact',
    currency: 'USD',
  });
  const conn = new jsforce.Connection({
    instanceUrl: sf.instanceUrl,
    accessToken: sf.issueAccessToken(),
    version: sf.apiVersion,
  });
  report = await backfillSalesforceOrders(store, conn, tenant, { includeOpportunities: true, now: NOW });
});
afterAll(() => sf?.stop());

const storedOrders = async () => (await tenantItems(store, tenantId)).filter((i) => i.kind === 'order');

describe('Salesforce backfill', () => {
  it('every query is one a real org accepts', () => {
    const queries = sf.calls.filter((c) => c.kind === 'query' || c.kind === 'queryMore');
    expect(queries.length).toBeGreaterThanOrEqual(3);
    expect(queries.filter((c) => c.status !== 200)).toEqual([]);
  });

  it('imports purchases in a custom Activated status, and nothing in a Draft category', async () => {
    const purchases = history.orders.filter((o) => !o.IsReductionOrder);
    const won = history.opportunities.filter((o) => o.StageName === 'Closed Won');
    expect(purchases.every((o) => o.Status === 'Shipped')).toBe(true);
    expect(report.progress.consumed).toBe(purchases.length + won.length);
    expect(report.progress.rejected).toBe(0);
    const ids = new Set((await storedOrders()).map((o) => o.orderId));
    for (const o of purchases) expect(ids.has(`Order:${o.Id}`), o.Id).toBe(true);
    for (const id of drafts) expect(ids.has(`Order:${id}`)).toBe(false);
  });

  it("credits each won opportunity to its primary contact role, with that contact's email", async () => {
    const stored = new Map((await storedOrders()).map((o) => [o.orderId as string, o]));
    const won = history.opportunities.filter((o) => o.StageName === 'Closed Won');
    expect(won.length).toBeGreaterThan(10);
    for (const deal of won) {
      const role = history.contactRoles.find((r) => r.OpportunityId === deal.Id && r.IsPrimary)!;
      const contact = history.contacts.find((c) => c.Id === role.ContactId)!;
      const order = stored.get(`Opportunity:${deal.Id}`);
      expect(order, deal.Id).toBeDefined();
      expect(order!.customer).toEqual({
        salesforceContactId: contact.Id,
        ...(contact.Email ? { email: contact.Email } : {}),
      });
    }
  });
});
