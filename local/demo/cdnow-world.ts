/**
 * The CDNOW master file (Fader & Hardie: 23,570 customers' 69,659 purchases at the CDNOW music store,
 * 1997-01 to 1998-06-30, redistributed by `lifetimes`) turned into a shop's and an org's order history.
 *
 * - Dates move forward so that the file's last day, 1998-06-30, is yesterday: the models see a live
 *   customer base, not one that stopped buying in 1998.
 * - One customer in five is also a Salesforce Contact (same email): half of those buy only through sales
 *   (Salesforce Orders), the other half in both systems, orders alternating — they must come out as one
 *   customer with one CLV.
 * - The last four weeks arrive live (signed webhooks, outbound messages); the rest is history the
 *   backfills read.
 * - Referrals are SYNTHETIC (CDNOW has none): one customer in 25 names the customer before them
 *   (`referred_by` order attribute on their first order), so the report's uplift shows the mechanics,
 *   not a finding about CDNOW.
 */
import { readFileSync } from 'node:fs';
import type { CanonicalOrder } from '../../sandbox/shopify/index.ts';
import { IdFactory, KEY_PREFIX } from '../../sandbox/salesforce/ids.ts';

const DAY = 86_400_000;
const CDNOW_END = Date.parse('1998-06-30T00:00:00Z');
export const LIVE_DAYS = 28;

export interface CdnowPurchase {
  customer: number;
  /** UTC midnight of the purchase day, in CDNOW's time. */
  day: number;
  cds: number;
  dollars: number;
}

export class CdnowFormatError extends Error {
  override name = 'CdnowFormatError';
}

/** Reads `CDNOW_master.txt`: header `customer_id date number_of_cds dollar_value`, dates YYYYMMDD. */
export function readCdnowMaster(path: string): CdnowPurchase[] {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  const purchases: CdnowPurchase[] = [];
  lines.forEach((line, i) => {
    const cells = line.trim().split(/\s+/);
    if (cells.length < 4 || !/^\d+$/.test(cells[0]!)) return; // header, blank lines
    const [id, date, cds, dollars] = cells as [string, string, string, string];
    const day = Date.parse(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T00:00:00Z`);
    if (!Number.isFinite(day) || !Number.isFinite(Number(dollars)))
      throw new CdnowFormatError(`${path}:${i + 1}: not "customer_id YYYYMMDD cds dollars": ${line}`);
    purchases.push({ customer: Number(id), day, cds: Number(cds), dollars: Number(dollars) });
  });
  return purchases;
}

export type Channel = 'shopify' | 'salesforce';

/** Where a customer buys: see the module comment. */
export function channelsOf(customer: number): 'shopify' | 'salesforce' | 'both' {
  if (customer % 10 === 0) return 'both';
  if (customer % 10 === 5) return 'salesforce';
  return 'shopify';
}

export const emailOf = (customer: number) => `cdnow.${customer}@example.com`;
const shopifyCustomerId = (customer: number) => String(20_000_000 + customer);
const isReferred = (customer: number) => customer % 25 === 1 && customer > 1;

type Row = Record<string, string | number | boolean | null> & { Id: string };

export interface SalesforceOrders {
  accounts: Row[];
  contacts: Row[];
  orders: Row[];
  orderItems: Row[];
}

export interface DemoWorld {
  customers: number;
  purchases: number;
  shopifyHistory: CanonicalOrder[];
  shopifyLive: CanonicalOrder[];
  salesforceHistory: SalesforceOrders;
  /** Orders created during the live weeks; contacts and accounts are in the history. */
  salesforceLive: Row[];
  salesforceLiveItems: Row[];
  referredCustomers: number;
  /** Milliseconds added to every CDNOW date. */
  shiftMs: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const money = (v: number) => v.toFixed(2);

export function planDemoWorld(
  purchases: readonly CdnowPurchase[],
  now = Date.now(),
  currency = 'USD',
): DemoWorld {
  const yesterday = Math.floor(now / DAY) * DAY - DAY;
  const shiftMs = yesterday - CDNOW_END;
  const liveFrom = yesterday - LIVE_DAYS * DAY;
  const ids = new IdFactory('9c');
  const contactOf = new Map<number, { contact: string; account: string }>();
  const salesforceHistory: SalesforceOrders = { accounts: [], contacts: [], orders: [], orderItems: [] };
  const shopifyHistory: CanonicalOrder[] = [];
  const shopifyLive: CanonicalOrder[] = [];
  const salesforceLive: Row[] = [];
  const salesforceLiveItems: Row[] = [];
  const orderCount = new Map<number, number>();
  const customers = new Set<number>();
  let referredCustomers = 0;
  let orderNumber = 1000;

  const sorted = [...purchases].sort((a, b) => a.day - b.day || a.customer - b.customer);
  for (const p of sorted) {
    customers.add(p.customer);
    const nth = orderCount.get(p.customer) ?? 0;
    orderCount.set(p.customer, nth + 1);
    const channels = channelsOf(p.customer);
    const channel: Channel = channels === 'both' ? (nth % 2 === 0 ? 'shopify' : 'salesforce') : channels;
    // Spread a day's orders over business hours, deterministically.
    const at = p.day + shiftMs + (9 * 3600 + ((p.customer * 7919 + nth * 104_729) % 36_000)) * 1000;
    const live = at >= liveFrom;

    if (channel === 'shopify') {
      orderNumber++;
      const referral = nth === 0 && isReferred(p.customer);
      if (referral) referredCustomers++;
      const order: CanonicalOrder = {
        id: String(5_000_000_000 + orderNumber),
        name: `#${orderNumber}`,
        currency,
        createdAt: iso(at),
        processedAt: iso(at),
        updatedAt: iso(at),
        cancelledAt: null,
        cancelReason: null,
        test: false,
        email: emailOf(p.customer),
        customer: {
          id: shopifyCustomerId(p.customer),
          email: emailOf(p.customer),
          firstName: 'CDNOW',
          lastName: `Customer ${p.customer}`,
        },
        lineItems: [
          {
            id: String(6_000_000_000 + orderNumber),
            productId: '7000000001',
            variantId: '7100000001',
            title: `${p.cds} CD${p.cds === 1 ? '' : 's'}`,
            sku: 'CD',
            quantity: 1,
            price: money(p.dollars),
            discount: '0.00',
            unitCost: null,
          },
        ],
        discountCodes: [],
        noteAttributes: referral ? [{ name: 'referred_by', value: emailOf(p.customer - 1) }] : [],
        landingSite: null,
        shippingPrice: '0.00',
        refunds: [],
      };
      (live ? shopifyLive : shopifyHistory).push(order);
      continue;
    }

    let who = contactOf.get(p.customer);
    if (!who) {
      who = { contact: ids.next(KEY_PREFIX.Contact), account: ids.next(KEY_PREFIX.Account) };
      contactOf.set(p.customer, who);
      const created = iso(at - 30 * DAY);
      salesforceHistory.accounts.push({
        Id: who.account,
        Name: `Customer ${p.customer} Household`,
        Type: 'Customer - Direct',
        CreatedDate: created,
        LastModifiedDate: created,
      });
      salesforceHistory.contacts.push({
        Id: who.contact,
        FirstName: 'CDNOW',
        LastName: `Customer ${p.customer}`,
        Email: emailOf(p.customer),
        AccountId: who.account,
        CreatedDate: created,
        LastModifiedDate: created,
      });
    }
    const orderId = ids.next(KEY_PREFIX.Order);
    const order: Row = {
      Id: orderId,
      AccountId: who.account,
      BillToContactId: who.contact,
      EffectiveDate: iso(at).slice(0, 10),
      Status: 'Activated',
      ActivatedDate: iso(at + 60_000),
      TotalAmount: p.dollars,
      Type: 'New',
      IsReductionOrder: false,
      CreatedDate: iso(at),
      LastModifiedDate: iso(at + 60_000),
    };
    const item: Row = {
      Id: ids.next(KEY_PREFIX.OrderItem),
      OrderId: orderId,
      Description: `${p.cds} CDs`,
      Quantity: 1,
      UnitPrice: p.dollars,
      ListPrice: p.dollars,
      TotalPrice: p.dollars,
      CreatedDate: iso(at),
      LastModifiedDate: iso(at),
    };
    if (live) {
      salesforceLive.push(order);
      salesforceLiveItems.push(item);
    } else {
      salesforceHistory.orders.push(order);
      salesforceHistory.orderItems.push(item);
    }
  }
  return {
    customers: customers.size,
    purchases: purchases.length,
    shopifyHistory,
    shopifyLive,
    salesforceHistory,
    salesforceLive,
    salesforceLiveItems,
    referredCustomers,
    shiftMs,
  };
}
