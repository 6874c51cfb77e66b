/**
 * The order history from Salesforce: activated Orders and won Opportunities,
 * by SOQL with jsforce, a page of up to 2,000 records at a time through the
 * query locator (queryMore), so memory stays constant however large the org.
 * Orders go through the same import as Shopify's backfill: recorded
 * idempotently, customers scored, the tenant refit.
 */
import type { Connection } from 'jsforce';
import { isPermanent } from '../../shared/errors.ts';
import type { ImportProgress } from '../../shared/pipeline/import-history.ts';
import { importOrders, scoreAndRefit } from '../../shared/pipeline/import-history.ts';
import type { RefitReport } from '../../shared/pipeline/refit-tenant.ts';
import type { Order } from '../../shared/store/order.ts';
import type { Store } from '../../shared/store/store.ts';
import type { TenantSettings } from '../../shared/store/tenants.ts';
import { orderFromSalesforce } from './order-from-salesforce.ts';
import { salesforceId18 } from './salesforce-ids.ts';

/**
 * What an Order is read with: the bill-to Contact's email links the same person across systems, and
 * StatusCode is the status category. "Active" is StatusCode = 'Activated', never the Status label: each
 * Status value belongs to a category (Draft or Activated) and orgs add their own values, such as
 * "Shipped" in Activated (Object Reference, Order and OrderStatus).
 */
export const ORDER_SELECT = [
  'Id',
  'AccountId',
  'BillToContactId',
  'BillToContact.Email',
  'TotalAmount',
  'EffectiveDate',
  'Status',
  'StatusCode',
  'LastModifiedDate',
] as const;

export const ORDER_SOQL = `SELECT ${ORDER_SELECT.join(', ')} FROM Order WHERE StatusCode = 'Activated' AND IsReductionOrder = false ORDER BY Id`;

/** Returns: activated reduction orders, netted from their original order's value. */
export const REDUCTION_SOQL =
  "SELECT OriginalOrderId, TotalAmount FROM Order WHERE StatusCode = 'Activated' AND IsReductionOrder = true";

/**
 * The contact of an opportunity: Opportunity has ContactId but no Contact relationship (a real org's
 * Enterprise WSDL), so Contact.Email cannot be read from it; a deal's contacts are its
 * OpportunityContactRoles. The one marked Primary is the deal's contact as Salesforce itself shows it
 * (the "Primary Contact" of the Contact Roles list, the contact in opportunity reports), and an org has at
 * most one per opportunity, so it is what an admin expects clv-sync to credit. Other roles (influencers,
 * technical buyers) are not the buyer and are not used. With no primary role, the Opportunity's own
 * ContactId (set when the deal was made from a contact or a converted lead) is the customer, by id.
 */
export const PRIMARY_CONTACT_ROLE =
  '(SELECT ContactId, Contact.Email FROM OpportunityContactRoles WHERE IsPrimary = true)';

export const OPPORTUNITY_SELECT = [
  'Id',
  'AccountId',
  'ContactId',
  'Amount',
  'CloseDate',
  'IsWon',
  'LastModifiedDate',
  PRIMARY_CONTACT_ROLE,
] as const;

export const OPPORTUNITY_SOQL = `SELECT ${OPPORTUNITY_SELECT.join(', ')} FROM Opportunity WHERE IsWon = true ORDER BY Id`;

export interface SalesforceBackfillReport {
  progress: ImportProgress;
  customers: number;
  queryPages: number;
  refit: RefitReport;
}

/** Records of a SOQL query, page by page through the query locator. */
export async function* queryRecords(
  conn: Connection,
  soql: string,
  stats: { pages: number },
): AsyncGenerator<Record<string, unknown>> {
  let page = await conn.query<Record<string, unknown>>(soql);
  for (;;) {
    stats.pages++;
    yield* page.records;
    if (page.done || !page.nextRecordsUrl) return;
    page = await conn.queryMore<Record<string, unknown>>(page.nextRecordsUrl);
  }
}

/**
 * How much was returned of each order, from its reduction orders. Held in
 * memory: one number per returned order, far fewer than the orders.
 */
async function returnedAmounts(conn: Connection, stats: { pages: number }): Promise<Map<string, number>> {
  const returned = new Map<string, number>();
  for await (const r of queryRecords(conn, REDUCTION_SOQL, stats)) {
    const original = salesforceId18(String(r.OriginalOrderId), 'OriginalOrderId');
    returned.set(original, (returned.get(original) ?? 0) + Math.abs(Number(r.TotalAmount) || 0));
  }
  return returned;
}

async function* orders(
  conn: Connection,
  tenant: TenantSettings,
  sources: { soql: string; sObject: 'Order' | 'Opportunity' }[],
  stats: { pages: number },
  onSkip: (sObject: string, id: unknown, reason: string) => void,
): AsyncGenerator<Order> {
  const returned = await returnedAmounts(conn, stats);
  for (const { soql, sObject } of sources) {
    for await (const record of queryRecords(conn, soql, stats)) {
      try {
        const refunded =
          sObject === 'Order' ? returned.get(salesforceId18(String(record.Id), 'Id')) : undefined;
        const order = orderFromSalesforce(record, sObject, tenant, refunded ? { refunded } : {});
        if (order) yield order;
      } catch (error) {
        // A record we cannot read as an order is skipped and reported; anything else stops the import.
        if (!isPermanent(error)) throw error;
        onSkip(sObject, record.Id, (error as Error).message);
      }
    }
  }
}

export async function backfillSalesforceOrders(
  store: Store,
  conn: Connection,
  tenant: TenantSettings,
  options: {
    includeOpportunities?: boolean;
    now?: number;
    log?: (message: string, detail: Record<string, unknown>) => void;
  } = {},
): Promise<SalesforceBackfillReport> {
  const log = options.log ?? (() => {});
  const stats = { pages: 0 };
  const sources: { soql: string; sObject: 'Order' | 'Opportunity' }[] = [
    { soql: ORDER_SOQL, sObject: 'Order' },
  ];
  if (options.includeOpportunities) sources.push({ soql: OPPORTUNITY_SOQL, sObject: 'Opportunity' });
  const { progress, customers } = await importOrders(
    store,
    tenant,
    orders(conn, tenant, sources, stats, (sObject, id, reason) =>
      log('record skipped', { sObject, id, reason }),
    ),
    {
      now: options.now,
      onRejected: (order, reason) => log('order rejected', { orderId: order.orderId, reason }),
    },
  );
  const refit = await scoreAndRefit(store, tenant, customers, options.now);
  return { progress, customers: customers.size, queryPages: stats.pages, refit };
}
