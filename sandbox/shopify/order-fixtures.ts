/**
 * A shop's order history, generated: deterministic for a seed, shaped like a
 * small DTC store's. Customers arrive over the period and buy as a Poisson
 * process until they silently drop out (the story BG/NBD tells), with
 * heavy-tailed purchase rates, so most buy once and a few many times. Around
 * the edges: refunds (≈5 %, partial or full), cancellations (≈2 %, refunded
 * in full), referrals (≈3 %, by the three conventions of
 * integrations/shopify/referral.ts), discount codes, lines with and without a
 * known unit cost, customers without email, guest orders without a customer,
 * a few test orders and some orders presented in another currency.
 */
import type { CanonicalLineItem, CanonicalOrder, CanonicalRefund } from './canonical-order.ts';
import { restAmount } from './money.ts';
import type { Rng } from '../prng.ts';
import { seededRng } from '../prng.ts';
import { FIRST_NAMES as FIRST, LAST_NAMES as LAST } from '../names.ts';

export interface ShopHistoryOptions {
  orders: number;
  /** Customers who may buy; with fewer orders than customers, only some of them do. */
  customers: number;
  seed: number;
  currencyCode: string;
  /** ISO date-times bounding every generated event. */
  start: string;
  end: string;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Name, price in minor units (cents; yen for zero-decimal currencies, which keeps prices plausible). */
const PRODUCTS: [string, number][] = [
  ['Ceramic pour-over set', 4800],
  ['Single-origin coffee beans 1 kg', 2400],
  ['Espresso cups (pair)', 1900],
  ['Gooseneck kettle', 7900],
  ['Hand grinder', 12900],
  ['Paper filters (100)', 800],
  ['Cold brew bottle', 2900],
  ['Travel mug', 3500],
  ['Tea sampler', 2200],
  ['Matcha whisk', 1500],
  ['Stoneware mug', 1800],
  ['Burr grinder', 19900],
  ['Milk frother', 4500],
  ['Decaf beans 500 g', 1400],
  ['House blend 1 kg', 2100],
  ['Drip scale', 5900],
  ['Cleaning tablets', 1200],
  ['Cupping spoon', 990],
];

const PROMOS: [string, number][] = [
  ['WELCOME10', 10],
  ['SPRING15', 15],
  ['LOYAL20', 20],
];
const LANDING = [
  '/',
  '/products/ceramic-pour-over-set',
  '/collections/coffee?utm_source=newsletter&utm_medium=email',
  '/?utm_source=instagram',
  '/blogs/journal/brewing-guide',
];

interface Product {
  id: string;
  variantId: string;
  title: string;
  sku: string;
  priceMinor: number;
  costMinor: number | null;
}

interface Member {
  id: string;
  email: string | null;
  firstName: string;
  lastName: string;
  join: number;
  until: number;
  rate: number;
}

const iso = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Ids that grow with time by random steps, as Shopify's do. */
function idSequence(rng: Rng, base: number, maxStep: number) {
  let current = base;
  return () => String((current += rng.int(1, maxStep)));
}

export function generateShopHistory(options: ShopHistoryOptions): CanonicalOrder[] {
  const start = Date.parse(options.start);
  const end = Date.parse(options.end);
  if (!(end > start)) throw new Error('generateShopHistory: start must be before end');
  if (!Number.isInteger(options.orders) || options.orders < 0)
    throw new Error('generateShopHistory: orders must be ≥ 0');
  if (!Number.isInteger(options.customers) || options.customers < 1)
    throw new Error('generateShopHistory: customers must be ≥ 1');
  const rng = seededRng(options.seed);
  const currency = options.currencyCode.toUpperCase();
  const money = (minor: number) => restAmount(minor, currency);

  const products: Product[] = PRODUCTS.map(([title, priceMinor], i) => ({
    id: String(8801122000000 + i * 7919),
    variantId: String(44112233000000 + i * 104729),
    title,
    sku: `NF-${String(i + 1).padStart(3, '0')}`,
    priceMinor,
    // About a third of the catalogue has no cost entered: margins then fall back to the tenant's default.
    costMinor: rng.chance(0.68) ? Math.round(priceMinor * (0.3 + rng.next() * 0.3)) : null,
  }));

  const customerId = idSequence(rng, 7000000000000, 997);
  const members: Member[] = Array.from({ length: options.customers }, (_, k) => {
    const firstName = rng.pick(FIRST);
    const lastName = rng.pick(LAST);
    const join = start + rng.next() * (end - start);
    return {
      id: customerId(),
      // A few customers were created at a till without an email.
      email: rng.chance(0.03)
        ? null
        : `${firstName}.${lastName}${k + 1}@example.com`
            .normalize('NFD')
            .replace(/[\u0300-\u036f]/g, '')
            .toLowerCase(),
      firstName,
      lastName,
      join,
      until: Math.min(end, join + rng.exp(540 * DAY)),
      rate: rng.gamma(0.7),
    };
  });

  const guests = options.orders >= 20 ? Math.max(2, Math.round(options.orders * 0.01)) : 0;
  const counts = allocateOrders(rng, members, options.orders - guests);

  // Every purchase event: a member's first order at joining, the rest uniform over the active span (a Poisson process).
  const events: { time: number; member: Member | null; first: boolean }[] = [];
  members.forEach((m, i) => {
    const k = counts[i]!;
    if (!k) return;
    const span = Math.max(m.until - m.join, Math.min(end - m.join, 30 * DAY));
    events.push({ time: m.join, member: m, first: true });
    for (let j = 1; j < k; j++) events.push({ time: m.join + rng.next() * span, member: m, first: false });
  });
  for (let g = 0; g < guests; g++)
    events.push({ time: start + rng.next() * (end - start), member: null, first: false });
  events.sort((a, b) => a.time - b.time);

  const firstOrders = events.filter((e) => e.first).length || 1;
  const referralChance = Math.min(0.5, (0.03 * options.orders) / firstOrders);
  const orderId = idSequence(rng, 5500000000000, 53);
  const lineId = idSequence(rng, 15000000000000, 37);
  const refundId = idSequence(rng, 990000000000, 41);
  const refundLineId = idSequence(rng, 66000000000000, 29);
  const boughtBefore: Member[] = [];
  const seen = new Set<string>();
  const otherCurrency =
    currency === 'USD' ? { currency: 'CAD', rate: 1.36 } : { currency: 'USD', rate: 1.08 };

  return events.map((event, index): CanonicalOrder => {
    const created = Math.floor(event.time / 1000) * 1000;
    const member = event.member;
    const order: CanonicalOrder = {
      id: orderId(),
      name: `#${1001 + index}`,
      currency,
      createdAt: iso(created),
      processedAt: iso(created),
      updatedAt: iso(created),
      cancelledAt: null,
      cancelReason: null,
      test: false,
      email: member ? member.email : index % 4 === 0 ? null : `guest${index}@example.org`,
      customer: member
        ? { id: member.id, email: member.email, firstName: member.firstName, lastName: member.lastName }
        : null,
      lineItems: [],
      discountCodes: [],
      noteAttributes: [],
      landingSite: rng.chance(0.8) ? rng.pick(LANDING) : null,
      shippingPrice: money(rng.chance(0.6) ? rng.pick([490, 690]) : 0),
      refunds: [],
    };
    if (rng.chance(0.04)) order.presentment = otherCurrency;

    let percent = 0;
    const referrers = member ? boughtBefore.filter((m) => m.id !== member.id) : [];
    if (event.first && member && referrers.length && rng.chance(referralChance)) {
      const referrer = referrers[rng.int(Math.max(0, referrers.length - 400), referrers.length - 1)]!;
      const how = rng.int(0, 2);
      if (how === 1 && referrer.email)
        order.noteAttributes.push({ name: 'referred_by', value: referrer.email });
      else if (how === 2) order.landingSite = `/?ref=${referrer.id}`;
      else {
        percent = 10;
        order.discountCodes.push({ code: `REF-${referrer.id}`, type: 'percentage', value: '10.0' });
      }
    } else if (rng.chance(0.12)) {
      const [code, pct] = rng.pick(PROMOS);
      percent = pct;
      order.discountCodes.push({ code, type: 'percentage', value: `${pct}.0` });
    }
    if (rng.chance(0.05)) order.noteAttributes.push({ name: 'gift_wrap', value: 'yes' });

    const lineCount = rng.chance(0.5) ? 1 : rng.chance(0.6) ? 2 : rng.chance(0.75) ? 3 : 4;
    const chosen = new Set<Product>();
    while (chosen.size < lineCount) chosen.add(rng.pick(products));
    order.lineItems = [...chosen].map((p): CanonicalLineItem => {
      const quantity = rng.chance(0.7) ? 1 : rng.chance(0.73) ? 2 : 3;
      const unitDiscount = Math.round((p.priceMinor * percent) / 100);
      return {
        id: lineId(),
        productId: p.id,
        variantId: p.variantId,
        title: p.title,
        sku: p.sku,
        quantity,
        price: money(p.priceMinor),
        discount: money(unitDiscount * quantity),
        unitCost: p.costMinor === null ? null : money(p.costMinor),
      };
    });

    let updated = created + rng.int(30, 600) * 1000;
    const refund = (at: number, lines: CanonicalRefund['lineItems'], note: string | null) => {
      order.refunds.push({ id: refundId(), createdAt: iso(at), note, lineItems: lines });
      updated = Math.max(updated, at + 1000);
    };
    const fullRefundLines = () =>
      order.lineItems.map((l) => ({ id: refundLineId(), lineItemId: l.id, quantity: l.quantity }));
    if (rng.chance(0.005)) order.test = true;
    else if (rng.chance(0.02) && created + HOUR < end) {
      const at = Math.min(end, created + rng.int(1, 48) * HOUR);
      order.cancelledAt = iso(at);
      order.cancelReason = rng.pick(['customer', 'inventory', 'fraud', 'declined', 'other'] as const);
      refund(at, fullRefundLines(), null);
    } else if (rng.chance(0.05)) {
      let at = created + rng.int(2, 25) * DAY;
      if (at > end) at = created + (end - created) / 2;
      if (at - created >= HOUR) {
        const partial = rng.chance(0.5);
        const line = rng.pick(order.lineItems);
        refund(
          Math.floor(at / 1000) * 1000,
          partial
            ? [{ id: refundLineId(), lineItemId: line.id, quantity: rng.int(1, line.quantity) }]
            : fullRefundLines(),
          partial ? 'Arrived damaged' : 'Returned',
        );
      }
    }
    order.updatedAt = iso(updated);

    if (member && !seen.has(member.id)) {
      seen.add(member.id);
      boughtBefore.push(member);
    }
    return order;
  });
}

/**
 * How many orders each member places: one each for as many members as there
 * are orders (then more for some, in proportion to rate × active span: the
 * expected count of their Poisson process).
 */
function allocateOrders(rng: Rng, members: Member[], total: number): number[] {
  const counts = members.map(() => 0);
  if (total <= 0) return counts;
  if (total < members.length) {
    const order = members.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const i of order.slice(0, total)) counts[i] = 1;
    return counts;
  }
  counts.fill(1);
  const cumulative: number[] = [];
  let sum = 0;
  for (const m of members) cumulative.push((sum += m.rate * Math.max(0, m.until - m.join) + 1e-9));
  for (let extra = total - members.length; extra > 0; extra--) {
    const x = rng.next() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    counts[lo]! += 1;
  }
  return counts;
}
