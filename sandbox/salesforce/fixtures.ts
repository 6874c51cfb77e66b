/**
 * An org's order history, generated: deterministic for a seed, shaped like a
 * real customer base. Contacts (most with an email; a few without, a few
 * sharing an address with another contact in different letter case) belong to
 * Accounts; each buys as a Poisson process from the day they arrive, with
 * heavy-tailed rates, so most buy once and a few many times, and each has
 * their own typical basket value. Every purchase is an activated Order with
 * order products summing to TotalAmount, BillToContactId and AccountId set.
 * About 6 % of purchases are later refunded, the Salesforce way: a reduction
 * Order (IsReductionOrder, OriginalOrderId, negative TotalAmount), in full or
 * for one line. In a B2B org every purchase also has a Closed Won Opportunity
 * with contact roles, next to some open and lost ones that must not count.
 */
import type { StoredValue } from './field-values.ts';
import { IdFactory, KEY_PREFIX } from './ids.ts';
import type { Rng } from '../prng.ts';
import { seededRng } from '../prng.ts';
import { FIRST_NAMES as FIRST, LAST_NAMES as LAST } from '../names.ts';

export interface OrgHistoryOptions {
  /** Order records in total, reduction orders included. */
  orders: number;
  contacts: number;
  accounts: number;
  seed: number;
  /** ISO 4217 code; zero-decimal currencies (JPY, KRW…) get whole amounts. */
  currency: string;
  /** ISO dates or date-times bounding every generated event. */
  start: string;
  end: string;
  b2b?: boolean;
  /**
   * The Status of the purchases (default 'Activated'); a custom value such as
   * 'Shipped' must first be added to the org in the Activated category
   * (OrgState.addOrderStatus), as an admin adds it in Setup.
   */
  activatedStatus?: string;
}

type Row = Record<string, StoredValue> & { Id: string };

export interface OrgHistory {
  accounts: Row[];
  contacts: Row[];
  orders: Row[];
  orderItems: Row[];
  opportunities: Row[];
  contactRoles: Row[];
}

const DAY = 86_400_000;
const ZERO_DECIMAL = new Set(['JPY', 'KRW', 'VND', 'CLP', 'ISK', 'HUF', 'TWD', 'UGX', 'XAF', 'XOF']);
const COMPANY = [
  'Acme',
  'Globex',
  'Initech',
  'Umbrella',
  'Stark',
  'Wayne',
  'Hooli',
  'Vandelay',
  'Wonka',
  'Tyrell',
  'Cyberdyne',
  'Soylent',
];
const SUFFIX = ['Ltd', 'GmbH', 'Inc', 'SA', 'BV', 'Co'];
/** Name, price in major units. */
const PRODUCTS: [string, number][] = [
  ['Ceramic pour-over set', 48],
  ['Single-origin beans 1 kg', 24],
  ['Espresso cups (pair)', 19],
  ['Gooseneck kettle', 79],
  ['Hand grinder', 129],
  ['Paper filters (100)', 6.5],
  ['Cold brew bottle', 32],
];

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const isoDateTime = (ms: number) => new Date(ms).toISOString();

function ascii(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
}

export function generateOrgHistory(options: OrgHistoryOptions): OrgHistory {
  const rng = seededRng(options.seed);
  const start = Date.parse(options.start);
  const end = Date.parse(options.end);
  if (!(end > start)) throw new RangeError('end must be after start');
  if (options.accounts < 1 || options.contacts < 1)
    throw new RangeError('need at least one account and one contact');
  const pod = podFor(options.seed);
  const ids = new IdFactory(pod);
  const minor = ZERO_DECIMAL.has(options.currency.toUpperCase()) ? 0 : 2;
  const scale = minor === 0 ? 100 : 1;
  const money = (major: number) => Math.round(major * scale * 10 ** minor) / 10 ** minor;

  const accounts: Row[] = [];
  for (let i = 0; i < options.accounts; i++) {
    const created = start - rng.int(30, 400) * DAY;
    accounts.push({
      Id: ids.next(KEY_PREFIX.Account),
      Name: options.b2b
        ? `${rng.pick(COMPANY)} ${rng.pick(SUFFIX)} ${i + 1}`
        : `${rng.pick(LAST)} Household ${i + 1}`,
      Type: 'Customer - Direct',
      Industry: options.b2b ? rng.pick(['Retail', 'Technology', 'Hospitality']) : null,
      CreatedDate: isoDateTime(created),
      LastModifiedDate: isoDateTime(created),
    });
  }

  const contacts: Row[] = [];
  const spend: number[] = [];
  const weight: number[] = [];
  for (let i = 0; i < options.contacts; i++) {
    const first = rng.pick(FIRST);
    const last = rng.pick(LAST);
    const created = start + rng.next() * (end - start) * 0.9;
    const account = accounts[i < accounts.length ? i : rng.int(0, accounts.length - 1)]!;
    let email: string | null =
      `${ascii(first)}.${ascii(last)}.${i + 1}@example.${rng.pick(['com', 'org', 'net'])}`.toLowerCase();
    if (rng.chance(0.04)) email = null;
    else if (i > 0 && rng.chance(0.03)) {
      // The same person entered twice: the address differs only in case.
      const other = contacts[rng.int(0, i - 1)]!;
      if (typeof other.Email === 'string') email = other.Email.toUpperCase();
    }
    contacts.push({
      Id: ids.next(KEY_PREFIX.Contact),
      FirstName: first,
      LastName: last,
      Email: email,
      AccountId: account.Id,
      LeadSource: rng.pick(['Web', 'Web', 'Phone Inquiry', 'Partner Referral', 'Other']),
      CreatedDate: isoDateTime(created),
      LastModifiedDate: isoDateTime(created),
    });
    spend.push(0.5 + rng.gamma(4) / 4);
    weight.push(rng.gamma(0.6));
  }

  // Purchases: who buys how often (heavy-tailed), then when.
  const purchaseCount = Math.round(options.orders / 1.06);
  const reductionCount = options.orders - purchaseCount;
  const perContact = new Array<number>(contacts.length).fill(0);
  const cumulative: number[] = [];
  weight.reduce((acc, w, i) => (cumulative[i] = acc + w), 0);
  const total = cumulative[cumulative.length - 1]!;
  for (let k = 0; k < purchaseCount; k++) {
    const u = rng.next() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    perContact[lo]!++;
  }
  const purchases: { contact: number; at: number }[] = [];
  perContact.forEach((m, c) => {
    if (m === 0) return;
    const born = Math.max(start, Date.parse(String(contacts[c]!.CreatedDate)));
    let t = born;
    for (let j = 0; j < m; j++) {
      let at = j === 0 ? t : t + rng.exp((end - born) / (m + 1));
      if (at >= end) at = born + rng.next() * (end - born);
      purchases.push({ contact: c, at });
      t = Math.max(t, at);
    }
  });
  purchases.sort((a, b) => a.at - b.at);

  const orders: Row[] = [];
  const orderItems: Row[] = [];
  const lines = new Map<string, Row[]>();
  for (const p of purchases) {
    const contact = contacts[p.contact]!;
    const orderId = ids.next(KEY_PREFIX.Order);
    const items: Row[] = [];
    for (let n = rng.int(1, 3); n > 0; n--) {
      const [name, price] = rng.pick(PRODUCTS);
      const quantity = rng.chance(0.8) ? 1 : rng.int(2, 3);
      const unit = money(price * spend[p.contact]!);
      items.push({
        Id: ids.next(KEY_PREFIX.OrderItem),
        OrderId: orderId,
        Description: name,
        Quantity: quantity,
        UnitPrice: unit,
        ListPrice: unit,
        TotalPrice: money((unit * quantity) / scale),
        CreatedDate: isoDateTime(p.at),
        LastModifiedDate: isoDateTime(p.at),
      });
    }
    const activated = p.at + rng.int(1, 90) * 60_000;
    const totalAmount = money(items.reduce((s, it) => s + Number(it.TotalPrice), 0) / scale);
    orders.push({
      Id: orderId,
      AccountId: contact.AccountId ?? null,
      BillToContactId: contact.Id,
      EffectiveDate: isoDate(p.at),
      Status: options.activatedStatus ?? 'Activated',
      ActivatedDate: isoDateTime(activated),
      TotalAmount: totalAmount,
      Type: 'New',
      IsReductionOrder: false,
      CreatedDate: isoDateTime(p.at),
      LastModifiedDate: isoDateTime(activated),
    });
    orderItems.push(...items);
    lines.set(orderId, items);
  }

  // Refunds: reduction orders against earlier purchases.
  const refundable = orders.filter((o) => Date.parse(String(o.ActivatedDate)) < end - 2 * DAY);
  for (let r = 0; r < reductionCount && refundable.length > 0; r++) {
    const original = refundable.splice(rng.int(0, refundable.length - 1), 1)[0]!;
    const originalLines = lines.get(original.Id)!;
    const refundLines = rng.chance(0.6) ? originalLines : [rng.pick(originalLines)];
    const at = Math.min(end - 1, Date.parse(String(original.ActivatedDate)) + rng.int(1, 20) * DAY);
    const reductionId = ids.next(KEY_PREFIX.Order);
    let amount = 0;
    for (const line of refundLines) {
      amount += Number(line.TotalPrice);
      orderItems.push({
        Id: ids.next(KEY_PREFIX.OrderItem),
        OrderId: reductionId,
        Description: line.Description ?? null,
        Quantity: -Number(line.Quantity),
        UnitPrice: line.UnitPrice!,
        ListPrice: line.UnitPrice!,
        TotalPrice: -Number(line.TotalPrice),
        CreatedDate: isoDateTime(at),
        LastModifiedDate: isoDateTime(at),
      });
    }
    orders.push({
      Id: reductionId,
      AccountId: original.AccountId!,
      BillToContactId: original.BillToContactId!,
      EffectiveDate: isoDate(at),
      Status: 'Activated',
      ActivatedDate: isoDateTime(at),
      TotalAmount: -money(amount / scale),
      Type: 'New',
      IsReductionOrder: true,
      OriginalOrderId: original.Id,
      CreatedDate: isoDateTime(at),
      LastModifiedDate: isoDateTime(at),
    });
    original.LastModifiedDate = isoDateTime(at);
  }

  const opportunities: Row[] = [];
  const contactRoles: Row[] = [];
  if (options.b2b) b2bPipeline(rng, ids, orders, contacts, opportunities, contactRoles, money, end);
  return { accounts, contacts, orders, orderItems, opportunities, contactRoles };
}

function b2bPipeline(
  rng: Rng,
  ids: IdFactory,
  orders: Row[],
  contacts: Row[],
  opportunities: Row[],
  contactRoles: Row[],
  money: (major: number) => number,
  end: number,
): void {
  const byAccount = new Map<string, Row[]>();
  for (const c of contacts)
    byAccount.set(String(c.AccountId), [...(byAccount.get(String(c.AccountId)) ?? []), c]);
  const addRoles = (oppId: string, primary: Row, at: string) => {
    contactRoles.push({
      Id: ids.next(KEY_PREFIX.OpportunityContactRole),
      OpportunityId: oppId,
      ContactId: primary.Id,
      Role: 'Decision Maker',
      IsPrimary: true,
      CreatedDate: at,
      LastModifiedDate: at,
    });
    const others = (byAccount.get(String(primary.AccountId)) ?? []).filter((c) => c.Id !== primary.Id);
    if (others.length > 0 && rng.chance(0.3)) {
      contactRoles.push({
        Id: ids.next(KEY_PREFIX.OpportunityContactRole),
        OpportunityId: oppId,
        ContactId: rng.pick(others).Id,
        Role: 'Influencer',
        IsPrimary: false,
        CreatedDate: at,
        LastModifiedDate: at,
      });
    }
  };
  for (const order of orders) {
    if (order.IsReductionOrder) continue;
    const contact = contacts.find((c) => c.Id === order.BillToContactId)!;
    const id = ids.next(KEY_PREFIX.Opportunity);
    const at = String(order.CreatedDate);
    opportunities.push({
      Id: id,
      Name: `Order ${order.Id.slice(-6)}`,
      AccountId: order.AccountId!,
      ContactId: contact.Id,
      Amount: order.TotalAmount!,
      CloseDate: order.EffectiveDate!,
      StageName: 'Closed Won',
      LeadSource: contact.LeadSource!,
      CreatedDate: at,
      LastModifiedDate: at,
    });
    addRoles(id, contact, at);
    if (rng.chance(0.1)) {
      // A deal that was lost or is still open: not revenue.
      const lostId = ids.next(KEY_PREFIX.Opportunity);
      const lost = rng.chance(0.5);
      opportunities.push({
        Id: lostId,
        Name: `Proposal ${lostId.slice(-6)}`,
        AccountId: order.AccountId!,
        ContactId: contact.Id,
        Amount: money(rng.int(50, 500)),
        CloseDate: new Date(Math.min(end, Date.parse(at) + 30 * DAY)).toISOString().slice(0, 10),
        StageName: lost ? 'Closed Lost' : 'Prospecting',
        CreatedDate: at,
        LastModifiedDate: at,
      });
      addRoles(lostId, contact, at);
    }
  }
}

function podFor(seed: number): string {
  const chars = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  const pod = chars[Math.abs(seed) % 62]! + chars[Math.floor(Math.abs(seed) / 62) % 62]!;
  return pod === '5g' ? 'fx' : pod;
}
