import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ForeignCurrencyError,
  OrderWithoutCustomerError,
  ShopifyPayloadError,
  orderFromWebhook,
  refundFromWebhook,
} from '../../../integrations/shopify/order-from-webhook.ts';
import { ForeignCurrencyError as StoreForeignCurrencyError } from '../../../shared/store/orders.ts';
import { OrderSchema } from '../../../shared/store/order.ts';
import { parseWebhookJson } from '../../../integrations/shopify/webhook-json.ts';
import { documentedExampleBody } from '../../../sandbox/shopify/documented-examples.ts';
import { catchError } from '../../helpers/catch-error.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const fixture = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../../fixtures/shopify/${name}`, import.meta.url), 'utf8')) as Json;

/** A Shopify id above 2^53 as JSON.parse reads it: rounded. */
const bigId = (digits: string) => JSON.parse(digits) as number;

describe('orderFromWebhook', () => {
  it('reads a partially refunded multi-currency orders/create payload in shop money', () => {
    expect(orderFromWebhook(fixture('orders-create.json'), 'USD')).toEqual({
      source: 'shopify',
      orderId: '5678901234567',
      version: '2026-03-20T16:05:12-04:00',
      customer: { shopifyCustomerId: '7021876543210', email: 'maria.lopez@example.com' },
      placedAt: '2026-03-14T10:22:31-04:00',
      // current_subtotal_price_set.shop_money: 120.00 of lines − 12.00 REF code − 21.60 refunded beans
      value: 86.4,
      // the refunded line's subtotal in USD, not the CAD transaction (31.50, with tax)
      refunded: 21.6,
      currency: 'USD',
      margin: null,
      cancelled: false,
      // REF-<id> code first; the referred_by attribute and ?ref= name someone else and lose
      referredBy: { shopifyCustomerId: '6930412345678' },
    });
  });

  it('keeps the cancellation and the full refund of a cancelled order', () => {
    const order = orderFromWebhook(fixture('orders-cancelled.json'), 'usd');
    expect(order).toEqual({
      source: 'shopify',
      orderId: '5678901234600',
      version: '2026-03-29T11:30:45-04:00',
      customer: { shopifyCustomerId: '7021876543299', email: 'tom.becker@example.net' },
      placedAt: '2026-03-28T08:14:02-04:00',
      value: 0,
      refunded: 48,
      currency: 'USD',
      margin: null,
      cancelled: true,
    });
  });

  it('ignores test orders, as Shopify’s documented example is', () => {
    const example = parseWebhookJson(documentedExampleBody('orders/create')) as Json;
    expect(example).toMatchObject({ test: true, payment_gateway_names: ['visa', 'bogus'] });
    expect(orderFromWebhook(example, 'USD')).toBeNull();
    // even in another currency: a test order is not a purchase, so nothing about it is an error
    expect(orderFromWebhook({ ...example, currency: 'EUR' }, 'USD')).toBeNull();
  });

  it('falls back to created_at, current_subtotal_price and the order email', () => {
    const p = fixture('orders-create.json');
    delete p.processed_at;
    delete p.current_subtotal_price_set;
    p.customer = null;
    p.refunds = [];
    const order = orderFromWebhook(p, 'USD')!;
    expect(order.placedAt).toBe('2026-03-14T10:22:31-04:00');
    expect(order.value).toBe(86.4);
    expect(order.refunded).toBe(0);
    expect(order.customer).toEqual({ email: 'maria.lopez@example.com' });
  });

  it('takes ids from admin_graphql_api_id, exact where JSON.parse rounded the number', () => {
    const p = fixture('orders-create.json');
    p.id = bigId('820982911946154508'); // Shopify's sample id: above 2^53, already rounded by JSON.parse
    p.admin_graphql_api_id = 'gid://shopify/Order/820982911946154508';
    p.customer.id = bigId('115310627314723954');
    p.customer.admin_graphql_api_id = 'gid://shopify/Customer/115310627314723954';
    const order = orderFromWebhook(p, 'USD')!;
    expect(order.orderId).toBe('820982911946154508');
    expect(order.customer.shopifyCustomerId).toBe('115310627314723954');
    delete p.admin_graphql_api_id;
    expect(() => orderFromWebhook(p, 'USD')).toThrow(/above 2\^53/);
  });

  it('takes goodwill refunded beyond the lines off the value, and leaves failed refunds out', () => {
    const p = fixture('orders-create.json');
    const goodwill = structuredClone(p.refunds[0]);
    goodwill.refund_line_items = [];
    goodwill.order_adjustments = [
      {
        kind: 'refund_discrepancy',
        amount: '-5.00',
        amount_set: { shop_money: { amount: '-5.00', currency_code: 'USD' } },
      },
      // shipping is not merchandise: neither in the value nor in what was refunded
      {
        kind: 'shipping_refund',
        amount: '-7.50',
        amount_set: { shop_money: { amount: '-7.50', currency_code: 'USD' } },
      },
    ];
    const failed = structuredClone(p.refunds[0]);
    failed.transactions[0].status = 'failure';
    p.refunds.push(goodwill, failed);
    const order = orderFromWebhook(p, 'USD')!;
    expect(order.value).toBe(81.4);
    expect(order.refunded).toBe(26.6);
  });

  it('raises ShopifyPayloadError with the path of a malformed amount', () => {
    const p = fixture('orders-create.json');
    p.current_subtotal_price_set.shop_money.amount = 'abc';
    const error = catchError(() => orderFromWebhook(p, 'USD'));
    expect(error).toBeInstanceOf(ShopifyPayloadError);
    expect(error).toMatchObject({ path: 'current_subtotal_price_set.shop_money.amount' });
    expect((error as Error).message).toMatch(/current_subtotal_price_set\.shop_money\.amount is "abc"/);
  });

  it.each([
    [
      'a negative subtotal',
      (p: Json) => (p.current_subtotal_price_set.shop_money.amount = '-3.00'),
      'current_subtotal_price_set.shop_money.amount',
    ],
    [
      'an empty amount',
      (p: Json) => (p.refunds[0].refund_line_items[0].subtotal_set.shop_money.amount = ''),
      'refunds.0.refund_line_items.0.subtotal_set.shop_money.amount',
    ],
    [
      'NaN',
      (p: Json) => (p.current_subtotal_price_set.shop_money.amount = Number.NaN),
      'current_subtotal_price_set.shop_money.amount',
    ],
    ['an exponent', (p: Json) => (p.current_subtotal_price = '1e3'), 'current_subtotal_price'],
    ['a date that is not one', (p: Json) => (p.updated_at = 'yesterday'), 'updated_at'],
    ['a missing id', (p: Json) => delete p.id, 'id'],
    [
      'a missing subtotal',
      (p: Json) => {
        delete p.current_subtotal_price_set;
        delete p.current_subtotal_price;
      },
      'current_subtotal_price_set',
    ],
    ['a payload that is not an order', (p: Json) => Object.keys(p).forEach((k) => delete p[k]), 'id'],
  ])('refuses %s', (_name, mutate, path) => {
    const p = fixture('orders-create.json');
    mutate(p);
    const error = catchError(() => orderFromWebhook(p, 'USD'));
    expect(error).toBeInstanceOf(ShopifyPayloadError);
    expect(error).toMatchObject({ name: 'ShopifyPayloadError', path });
  });

  it('refuses an order without customer or email', () => {
    const p = fixture('orders-create.json');
    p.customer = null;
    p.email = null;
    const error = catchError(() => orderFromWebhook(p, 'USD'));
    expect(error).toBeInstanceOf(OrderWithoutCustomerError);
    expect(error).toMatchObject({ orderId: '5678901234567' });
    expect(catchError(() => orderFromWebhook({ ...p, email: '  ' }, 'USD'))).toBeInstanceOf(
      OrderWithoutCustomerError,
    );
  });

  it("refuses an order in another currency than the tenant's, with the store's error", () => {
    const error = catchError(() => orderFromWebhook(fixture('orders-create.json'), 'EUR'));
    expect(error).toBeInstanceOf(ForeignCurrencyError);
    expect(error).toBeInstanceOf(StoreForeignCurrencyError);
    expect((error as Error).message).toMatch(/in USD \(currency\) but the tenant scores in EUR/);
    // a money set in another currency than the payload claims is caught too
    const p = fixture('orders-create.json');
    p.current_subtotal_price_set.shop_money.currency_code = 'CAD';
    expect(() => orderFromWebhook(p, 'USD')).toThrow(ForeignCurrencyError);
  });

  it('only ever returns what OrderSchema accepts', () => {
    for (const name of ['orders-create.json', 'orders-cancelled.json']) {
      expect(OrderSchema.safeParse(orderFromWebhook(fixture(name), 'USD')).success).toBe(true);
    }
  });
});

describe('refundFromWebhook', () => {
  it('reads a refunds/create payload as merchandise money in the shop currency', () => {
    expect(refundFromWebhook(fixture('refunds-create.json'))).toEqual({
      orderId: '5678901234567',
      refundId: '998877665544',
      amount: 21.6,
      createdAt: '2026-03-20T16:05:10-04:00',
      succeeded: true,
    });
  });

  it('counts goodwill beyond the lines, and says when no money moved', () => {
    const p = fixture('refunds-create.json');
    p.order_adjustments = [
      { kind: 'refund_discrepancy', amount: '-2.40', amount_set: { shop_money: { amount: '-2.40' } } },
    ];
    p.transactions = [];
    expect(refundFromWebhook(p)).toMatchObject({ amount: 24, succeeded: false });
  });

  it('reads older payloads without money sets', () => {
    const p = fixture('refunds-create.json');
    delete p.refund_line_items[0].subtotal_set;
    expect(refundFromWebhook(p).amount).toBe(21.6);
  });

  it.each([
    [
      'a malformed subtotal',
      (p: Json) => (p.refund_line_items[0].subtotal_set.shop_money.amount = 'abc'),
      'refund_line_items.0.subtotal_set.shop_money.amount',
    ],
    [
      'a negative subtotal',
      (p: Json) => (p.refund_line_items[0].subtotal = -1),
      'refund_line_items.0.subtotal',
    ],
    [
      'a malformed adjustment',
      (p: Json) => (p.order_adjustments = [{ kind: 'refund_discrepancy', amount: 'x' }]),
      'order_adjustments.0.amount',
    ],
    ['a missing order id', (p: Json) => delete p.order_id, 'order_id'],
    [
      'an order id rounded by JSON.parse',
      (p: Json) => (p.order_id = bigId('820982911946154508')),
      'order_id',
    ],
    ['a missing date', (p: Json) => delete p.created_at, 'created_at'],
  ])('refuses %s', (_name, mutate, path) => {
    const p = fixture('refunds-create.json');
    mutate(p);
    expect(catchError(() => refundFromWebhook(p))).toMatchObject({ name: 'ShopifyPayloadError', path });
  });
});
