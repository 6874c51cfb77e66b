import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BulkJsonlError, ordersFromBulkJsonl } from '../../../integrations/shopify/order-from-bulk.ts';
import type { BulkSkipReason } from '../../../integrations/shopify/order-from-bulk.ts';
import { ForeignCurrencyError, ShopifyPayloadError } from '../../../integrations/shopify/payload-errors.ts';
import type { Order } from '../../../shared/store/order.ts';

const FIXTURE = readFileSync(new URL('../../fixtures/shopify/orders-bulk.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter(Boolean);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
/** The fixture's 9 lines: order, 2 items, order, 2 items, order, 2 items. */
const rows = () =>
  FIXTURE.map((l) => JSON.parse(l) as Json) as [Json, Json, Json, Json, Json, Json, ...Json[]];
const asLines = (items: Json[]) => items.map((r) => JSON.stringify(r));

async function* source(lines: readonly string[], read?: { count: number }): AsyncGenerator<string> {
  for (const line of lines) {
    if (read) read.count += 1;
    yield line;
  }
}

async function collect(lines: readonly string[], currency = 'USD', skipped: [BulkSkipReason, string][] = []) {
  const out: Order[] = [];
  for await (const order of ordersFromBulkJsonl(source(lines), currency, {
    onSkip: (reason, id) => skipped.push([reason, id]),
  }))
    out.push(order);
  return out;
}

async function failure(lines: readonly string[], currency = 'USD'): Promise<unknown> {
  try {
    await collect(lines, currency);
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('ordersFromBulkJsonl', () => {
  it('reassembles each order with its line items', async () => {
    expect(await collect(FIXTURE)).toEqual([
      {
        source: 'shopify',
        orderId: '5500000000001',
        version: '2025-06-02T14:05:40Z',
        customer: { shopifyCustomerId: '6930412345678', email: 'ana.silva@example.com' },
        placedAt: '2025-06-02T14:03:11Z',
        value: 96,
        refunded: 0,
        currency: 'USD',
        // 2 × (30 − 12) + 1 × (36 − 14.5)
        margin: 57.5,
        cancelled: false,
        referredBy: { shopifyCustomerId: '7000000000009' },
      },
      {
        source: 'shopify',
        orderId: '5500000000002',
        version: '2025-07-25T16:20:03Z',
        customer: { email: 'guest.buyer@example.org' },
        placedAt: '2025-07-19T09:41:55Z',
        value: 45,
        refunded: 32.4,
        currency: 'USD',
        // a held line has no unit cost: the tenant's default margin applies
        margin: null,
        cancelled: false,
        referredBy: { shopifyCustomerId: '6930412345678' },
      },
      {
        source: 'shopify',
        orderId: '5500000000003',
        version: '2025-09-01T08:12:44Z',
        customer: { shopifyCustomerId: '6930412345678', email: 'ana.silva@example.com' },
        // processedAt: an imported order placed before it was created in Shopify
        placedAt: '2024-12-24T18:30:00Z',
        value: 24.5,
        refunded: 0,
        currency: 'USD',
        // the removed line (currentQuantity 0) needs no cost
        margin: 15.5,
        cancelled: true,
        // the customer's own code is no referral
      },
    ]);
  });

  it('yields an order as soon as the next order starts, before the rest is read', async () => {
    const read = { count: 0 };
    const orders = ordersFromBulkJsonl(source(FIXTURE, read), 'USD');
    const first = await orders.next();
    expect(first.value).toMatchObject({ orderId: '5500000000001' });
    // order 1 and its 2 line items, plus order 2's line that completed it: 4 of 9 lines
    expect(read.count).toBe(4);
    const second = await orders.next();
    expect(second.value).toMatchObject({ orderId: '5500000000002' });
    expect(read.count).toBe(7);
    expect((await orders.next()).value).toMatchObject({ orderId: '5500000000003' });
    expect(read.count).toBe(FIXTURE.length);
    expect((await orders.next()).done).toBe(true);
  });

  it('streams a long export order by order', async () => {
    async function* many(n: number): AsyncGenerator<string> {
      const [order, a, b] = rows();
      for (let i = 1; i <= n; i++) {
        const id = `gid://shopify/Order/${i}`;
        yield JSON.stringify({ ...order, id });
        yield JSON.stringify({ ...a, __parentId: id });
        yield JSON.stringify({ ...b, __parentId: id });
      }
    }
    let count = 0;
    let margin = 0;
    for await (const order of ordersFromBulkJsonl(many(5_000), 'USD')) {
      count += 1;
      margin += order.margin ?? 0;
    }
    expect(count).toBe(5_000);
    expect(margin).toBe(5_000 * 57.5);
  });

  it('skips test orders and orders without customer, reporting them', async () => {
    const [o1, a, b, o2, c, d] = rows();
    const test = { ...o1, id: 'gid://shopify/Order/91', test: true };
    const anonymous = { ...o2, id: 'gid://shopify/Order/92', email: null, customer: null };
    const skipped: [BulkSkipReason, string][] = [];
    const orders = await collect(
      asLines([
        test,
        { ...a, __parentId: test.id },
        anonymous,
        { ...c, __parentId: anonymous.id },
        o1,
        a,
        b,
        o2,
        c,
        d,
      ]),
      'USD',
      skipped,
    );
    expect(orders.map((o) => o.orderId)).toEqual(['5500000000001', '5500000000002']);
    expect(skipped).toEqual([
      ['test', '91'],
      ['no-customer', '92'],
    ]);
  });

  it('reads the customer’s email from defaultEmailAddress (Customer.email is deprecated in 2026-10)', async () => {
    const [o1, a, b] = rows();
    const order = {
      ...o1,
      email: null,
      customer: { id: o1.customer.id, defaultEmailAddress: { emailAddress: 'Ana.Default@Example.com' } },
    };
    const [read] = await collect(asLines([order, a, b]));
    expect(read!.customer).toEqual({ shopifyCustomerId: '6930412345678', email: 'Ana.Default@Example.com' });
    const noAddress = { ...order, customer: { id: o1.customer.id, defaultEmailAddress: null } };
    expect((await collect(asLines([noAddress, a, b])))[0]!.customer).toEqual({
      shopifyCustomerId: '6930412345678',
    });
  });

  it('gives no margin when a unit cost is in another currency', async () => {
    const [o1, a, b] = rows();
    const foreign = structuredClone(b);
    foreign.variant.inventoryItem.unitCost.currencyCode = 'CAD';
    expect((await collect(asLines([o1, a, foreign])))[0]!.margin).toBeNull();
  });

  it('reads an empty export as no orders', async () => {
    expect(await collect([])).toEqual([]);
  });

  it('names the line of a malformed amount', async () => {
    const lines = rows();
    lines[3]!.currentSubtotalPriceSet.shopMoney.amount = 'abc';
    const error = await failure(asLines(lines));
    expect(error).toBeInstanceOf(BulkJsonlError);
    expect(error).toBeInstanceOf(ShopifyPayloadError);
    expect(error).toMatchObject({ line: 4, path: 'currentSubtotalPriceSet.shopMoney.amount' });
    expect((error as Error).message).toMatch(/line 4/);
  });

  it.each([
    [
      'a negative unit price',
      2,
      (r: Json) => (r.discountedUnitPriceAfterAllDiscountsSet.shopMoney.amount = '-1.0'),
      'discountedUnitPriceAfterAllDiscountsSet.shopMoney.amount',
    ],
    [
      'a negative refund',
      4,
      (r: Json) => (r.totalRefundedSet.shopMoney.amount = '-0.5'),
      'totalRefundedSet.shopMoney.amount',
    ],
    [
      'a malformed cost',
      3,
      (r: Json) => (r.variant.inventoryItem.unitCost.amount = 'n/a'),
      'variant.inventoryItem.unitCost.amount',
    ],
    ['a fractional quantity', 5, (r: Json) => (r.currentQuantity = 0.5), 'currentQuantity'],
    ['an order id that is no gid', 7, (r: Json) => (r.id = '5500000000003'), 'id'],
  ])('names the line of %s', async (_name, lineNo, mutate, path) => {
    const lines = rows();
    mutate(lines[lineNo - 1]!);
    expect(await failure(asLines(lines.slice(0, lineNo)))).toMatchObject({
      name: 'BulkJsonlError',
      line: lineNo,
      path,
    });
  });

  it('names a line that is not JSON', async () => {
    const lines = [...FIXTURE];
    lines[4] = '{"id":"gid://shopify/LineItem/1",';
    expect(await failure(lines)).toMatchObject({ name: 'BulkJsonlError', line: 5 });
  });

  it('refuses a child line that does not follow its order', async () => {
    const [o1, a, , o2] = rows();
    expect(await failure(asLines([a, o1]))).toMatchObject({ line: 1, path: '__parentId' });
    expect(await failure(asLines([o1, o2, a]))).toMatchObject({ line: 3, path: '__parentId' });
  });

  it("refuses an order in another currency than the tenant's", async () => {
    const error = await failure(FIXTURE, 'EUR');
    expect(error).toBeInstanceOf(ForeignCurrencyError);
    expect((error as Error).message).toMatch(/line 1\) is in USD/);
  });
});
