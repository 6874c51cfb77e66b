/**
 * Purchases → per-customer RFM summary, the conventions of Fader, Hardie & Lee
 * (2005) and of `lifetimes`: purchases on the same day are one purchase;
 * frequency counts purchase days after the first; recency is first to last
 * purchase day; T is first purchase day to the end of observation; monetary
 * value is the mean value of the repeat purchase days (the first is left out,
 * as the Gamma-Gamma model expects).
 *
 * Messy histories are handled explicitly rather than by accident:
 * - cancelled orders count zero and are not purchases;
 * - rows sharing an order id are netted into that order (a refund lowers the
 *   order it refunds), dated at the order's first row;
 * - an order refunded in full (gross > 0, net <= 0) is not a purchase, nor is a
 *   day whose refunds outweigh what was bought on it;
 * - a refund with no order of its own lowers the customer's historic value but
 *   is not a purchase;
 * - zero-value purchases count as purchases (CDNOW's $0 rows do in every
 *   published figure) unless `zeroValuePurchases: 'ignore'`;
 * - purchases after the observation end are not seen.
 */
import type { Purchase, TimeUnit } from './purchases.ts';
import { InvalidPurchaseError, dayNumber, unitDays } from './purchases.ts';

export interface SummaryOptions {
  /** End of observation (ms since epoch); purchases after its day are ignored. */
  observationEnd: number;
  timeUnit?: TimeUnit;
  utcOffsetMinutes?: number;
  zeroValuePurchases?: 'count' | 'ignore';
}

export interface CustomerSummary {
  customerId: string;
  /** Repeat purchase days. */
  frequency: number;
  recency: number;
  T: number;
  /** Mean value of the repeat purchase days; 0 without repeats. */
  monetaryValue: number;
  /** Mean margin of the repeat purchase days; null when any margin is unknown. */
  monetaryMargin: number | null;
  /** Day numbers (UTC days since epoch) of the first and last purchase. */
  firstPurchaseDay: number;
  lastPurchaseDay: number;
  /** Purchase days, the first included. */
  purchaseDays: number;
  /** Everything the customer spent, net of refunds: historic value. */
  totalValue: number;
  /** Historic margin; null when any margin is unknown. */
  totalMargin: number | null;
  /** Value of the first purchase day. */
  firstValue: number;
}

interface DayTotal {
  value: number;
  /** Sum of the positive rows: what was bought before refunds. */
  gross: number;
  margin: number | null;
  /** Whether the day holds an order of value exactly zero. */
  zeroOrder: boolean;
}

function checkPurchase(p: Purchase, i: number): void {
  if (!p.customerId) throw new InvalidPurchaseError(`purchase ${i}: customer id is empty`);
  if (!Number.isFinite(p.at)) throw new InvalidPurchaseError(`purchase ${i}: date is not a valid date`);
  if (!Number.isFinite(p.amount))
    throw new InvalidPurchaseError(`purchase ${i}: amount ${p.amount} is not a number`);
  if (p.margin != null && !Number.isFinite(p.margin)) {
    throw new InvalidPurchaseError(`purchase ${i}: margin ${p.margin} is not a number`);
  }
}

const addMargin = (a: number | null, b: number | null | undefined): number | null =>
  a === null || b == null ? null : a + b;

/** Nets each order's rows, then adds the orders of each customer up by day. */
function dailyTotals(
  purchases: readonly Purchase[],
  options: SummaryOptions,
): Map<string, Map<number, DayTotal>> {
  const offset = options.utcOffsetMinutes ?? 0;
  const endDay = dayNumber(options.observationEnd, offset);
  interface Order {
    customerId: string;
    day: number;
    gross: number;
    net: number;
    margin: number | null;
  }
  const orders = new Map<string, Order>();
  const loose: Order[] = [];
  purchases.forEach((p, i) => {
    checkPurchase(p, i);
    if (p.cancelled) return;
    const day = dayNumber(p.at, offset);
    if (p.orderId === undefined || p.orderId === '') {
      loose.push({
        customerId: p.customerId,
        day,
        gross: Math.max(p.amount, 0),
        net: p.amount,
        margin: p.margin ?? null,
      });
      return;
    }
    const key = `${p.customerId}\u0000${p.orderId}`;
    const o = orders.get(key);
    if (!o) {
      orders.set(key, {
        customerId: p.customerId,
        day,
        gross: Math.max(p.amount, 0),
        net: p.amount,
        margin: p.margin ?? null,
      });
    } else {
      o.day = Math.min(o.day, day);
      o.gross += Math.max(p.amount, 0);
      o.net += p.amount;
      o.margin = addMargin(o.margin, p.margin);
    }
  });
  const byCustomer = new Map<string, Map<number, DayTotal>>();
  for (const o of [...orders.values(), ...loose]) {
    if (o.day > endDay) continue;
    const zeroOrder = o.gross === 0 && o.net === 0;
    let days = byCustomer.get(o.customerId);
    if (!days) byCustomer.set(o.customerId, (days = new Map()));
    const d = days.get(o.day);
    if (!d) days.set(o.day, { value: o.net, gross: o.gross, margin: o.margin, zeroOrder });
    else {
      d.value += o.net;
      d.gross += o.gross;
      d.margin = addMargin(d.margin, o.margin);
      d.zeroOrder ||= zeroOrder;
    }
  }
  return byCustomer;
}

export interface PurchaseDay {
  day: number;
  value: number;
  margin: number | null;
}

function purchaseTest(options: SummaryOptions): (d: DayTotal) => boolean {
  const countZero = (options.zeroValuePurchases ?? 'count') === 'count';
  // A day is a purchase when something was bought and not all refunded, or when it holds a $0 order we count.
  return (d) => (d.gross > 0 ? d.value > 0 : d.value === 0 && d.zeroOrder && countZero);
}

/**
 * Each customer's purchase days with their net value, by the same rules as
 * `summarize`: the compact history a refit can re-summarise at any date.
 */
export function purchaseDayHistory(
  purchases: readonly Purchase[],
  options: SummaryOptions,
): Map<string, PurchaseDay[]> {
  const isPurchase = purchaseTest(options);
  const out = new Map<string, PurchaseDay[]>();
  for (const [customerId, days] of dailyTotals(purchases, options)) {
    const list = [...days.entries()]
      .filter(([, d]) => isPurchase(d))
      .sort((a, b) => a[0] - b[0])
      .map(([day, d]) => ({ day, value: d.value, margin: d.margin }));
    if (list.length) out.set(customerId, list);
  }
  return out;
}

/** One summary per customer with at least one purchase on or before the observation end. */
export function summarize(purchases: readonly Purchase[], options: SummaryOptions): CustomerSummary[] {
  const unit = unitDays(options.timeUnit ?? 'day');
  const endDay = dayNumber(options.observationEnd, options.utcOffsetMinutes ?? 0);
  const isPurchase = purchaseTest(options);
  const out: CustomerSummary[] = [];
  for (const [customerId, days] of dailyTotals(purchases, options)) {
    const sorted = [...days.entries()].sort((a, b) => a[0] - b[0]);
    const purchaseDays = sorted.filter(([, d]) => isPurchase(d));
    let totalValue = 0;
    let totalMargin: number | null = 0;
    for (const [, d] of sorted) {
      totalValue += d.value;
      totalMargin = addMargin(totalMargin, d.margin);
    }
    const first = purchaseDays[0];
    const last = purchaseDays[purchaseDays.length - 1];
    if (!first || !last) continue; // only refunds or zero rows: not a customer yet
    const repeats = purchaseDays.slice(1);
    let repeatValue = 0;
    let repeatMargin: number | null = 0;
    for (const [, d] of repeats) {
      repeatValue += d.value;
      repeatMargin = addMargin(repeatMargin, d.margin);
    }
    out.push({
      customerId,
      frequency: repeats.length,
      recency: (last[0] - first[0]) / unit,
      T: (endDay - first[0]) / unit,
      monetaryValue: repeats.length ? repeatValue / repeats.length : 0,
      monetaryMargin: repeatMargin === null ? null : repeats.length ? repeatMargin / repeats.length : 0,
      firstPurchaseDay: first[0],
      lastPurchaseDay: last[0],
      purchaseDays: purchaseDays.length,
      totalValue,
      totalMargin,
      firstValue: first[1].value,
    });
  }
  return out;
}
