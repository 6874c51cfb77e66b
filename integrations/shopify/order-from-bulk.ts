/**
 * The JSONL result of ORDERS_BULK_QUERY (operations.ts) as Orders, streamed:
 * constant memory however many orders the shop has.
 *
 * Shopify writes one JSON object per line: each order node, then its line
 * items as separate lines carrying `__parentId` (the order's gid). Children
 * follow their parent and precede the next top-level order, so an order is
 * complete, and is yielded, when the next order line arrives or the input
 * ends. Only the current order and its line items are held.
 *
 * Per order: orderId and customer id are the gids' digits; version
 * `updatedAt`; placedAt `processedAt` else `createdAt`; value
 * `currentSubtotalPriceSet.shopMoney` (merchandise after discounts, edits,
 * returns and refunds, shop currency); refunded `totalRefundedSet.shopMoney`
 * (everything refunded: the bulk query has no refund lines to isolate
 * merchandise); cancelled `cancelledAt` set; currency `currencyCode` (the
 * shop's; another one than the tenant's raises ForeignCurrencyError).
 * margin = Σ currentQuantity × (discountedUnitPriceAfterAllDiscounts − unitCost)
 * over the line items, when every line still held (currentQuantity > 0) has
 * a unit cost in the shop's currency; else null (the tenant's default margin
 * applies). referredBy from discount codes, custom attributes and the first
 * visit's landing page (referral.ts).
 *
 * Test orders and orders without a customer or an email are skipped and
 * reported through `onSkip`. A line that is not JSON, or does not have the
 * query's shape, raises BulkJsonlError with its line number.
 */
import * as z from 'zod';
import type { CustomerIdentity, Order } from '../../shared/store/order.ts';
import { OrderSchema } from '../../shared/store/order.ts';
import { ForeignCurrencyError } from '../../shared/store/orders.ts';
import { ShopifyPayloadError, payloadErrorFromZod } from './payload-errors.ts';
import { referrerFrom } from './referral.ts';
import { isoDateTimeSchema } from './refund-from-webhook.ts';
import { gidSchema, gidType } from './shopify-ids.ts';
import { amountSchema, currencyCodeSchema, nonNegativeAmountSchema, roundCents } from './shopify-money.ts';

/** A bad line of a bulk-operation result: `line` is 1-based. */
export class BulkJsonlError extends ShopifyPayloadError {
  override name = 'BulkJsonlError';
}

export type BulkSkipReason = 'test' | 'no-customer';

export interface BulkOrderOptions {
  /** Called for each order left out: a test order, or one without customer and email. */
  onSkip?(reason: BulkSkipReason, orderId: string): void;
}

const moneySchema = <A extends z.ZodType<number>>(amount: A) =>
  z.object({ shopMoney: z.object({ amount, currencyCode: currencyCodeSchema.nullish() }) });

const BulkOrderSchema = z.object({
  id: gidSchema('Order'),
  createdAt: isoDateTimeSchema,
  processedAt: isoDateTimeSchema.nullish(),
  updatedAt: isoDateTimeSchema,
  cancelledAt: isoDateTimeSchema.nullish(),
  test: z.boolean().nullish(),
  currencyCode: currencyCodeSchema,
  email: z.string().nullish(),
  customer: z
    .object({
      id: gidSchema('Customer'),
      defaultEmailAddress: z.object({ emailAddress: z.string().nullish() }).nullish(),
    })
    .nullish(),
  currentSubtotalPriceSet: moneySchema(nonNegativeAmountSchema),
  totalRefundedSet: moneySchema(nonNegativeAmountSchema).nullish(),
  discountCodes: z.array(z.string()).nullish(),
  customAttributes: z.array(z.object({ key: z.string(), value: z.string().nullish() })).nullish(),
  customerJourneySummary: z
    .object({ firstVisit: z.object({ landingPage: z.string().nullish() }).nullish() })
    .nullish(),
});
type BulkOrder = z.infer<typeof BulkOrderSchema>;

const BulkLineItemSchema = z.object({
  id: gidSchema('LineItem'),
  currentQuantity: z.number().int().nonnegative(),
  discountedUnitPriceAfterAllDiscountsSet: z.object({
    shopMoney: z.object({ amount: nonNegativeAmountSchema }),
  }),
  variant: z
    .object({
      inventoryItem: z
        .object({
          unitCost: z.object({ amount: amountSchema, currencyCode: currencyCodeSchema.nullish() }).nullish(),
        })
        .nullish(),
    })
    .nullish(),
  __parentId: z.string(),
});
type BulkLineItem = z.infer<typeof BulkLineItemSchema>;

interface Pending {
  order: BulkOrder;
  line: number;
  items: BulkLineItem[];
}

function parseLine(text: string, line: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BulkJsonlError(
      `bulk result line ${line} is not JSON (${(error as Error).message}); the file is truncated or not a bulk-operation result`,
      { line, cause: error },
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new BulkJsonlError(`bulk result line ${line} is not a JSON object`, { line });
  }
  return value as Record<string, unknown>;
}

function validate<T extends z.ZodType>(schema: T, value: unknown, what: string, line: number): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const base = payloadErrorFromZod(`bulk result ${what}`, parsed.error, value, line);
  throw new BulkJsonlError(base.message, { path: base.path, line, cause: parsed.error });
}

/** Σ currentQuantity × (unit price after discounts − unit cost), or null when a held line has no cost in the shop's currency. */
export function marginOf(items: readonly BulkLineItem[], shopCurrency: string): number | null {
  let margin = 0;
  for (const item of items) {
    if (item.currentQuantity === 0) continue;
    const cost = item.variant?.inventoryItem?.unitCost;
    if (!cost || (cost.currencyCode && cost.currencyCode.toUpperCase() !== shopCurrency.toUpperCase()))
      return null;
    margin +=
      item.currentQuantity * (item.discountedUnitPriceAfterAllDiscountsSet.shopMoney.amount - cost.amount);
  }
  return roundCents(margin);
}

function toOrder(pending: Pending, shopCurrency: string, options: BulkOrderOptions): Order | null {
  const { order: o, line, items } = pending;
  if (o.test) {
    options.onSkip?.('test', o.id);
    return null;
  }
  for (const [field, code] of [
    ['currencyCode', o.currencyCode],
    ['currentSubtotalPriceSet.shopMoney.currencyCode', o.currentSubtotalPriceSet.shopMoney.currencyCode],
    ['totalRefundedSet.shopMoney.currencyCode', o.totalRefundedSet?.shopMoney.currencyCode],
  ] as const) {
    if (code && code.toUpperCase() !== shopCurrency.toUpperCase()) {
      throw new ForeignCurrencyError(
        `Shopify order ${o.id} (bulk result line ${line}) is in ${code} (${field}) but the tenant scores in ${shopCurrency}: ` +
          "update the tenant's currency to the shop's and run the backfill again",
      );
    }
  }
  const customer: CustomerIdentity = {};
  if (o.customer) customer.shopifyCustomerId = o.customer.id;
  const email = [o.customer?.defaultEmailAddress?.emailAddress, o.email].map((e) => e?.trim()).find(Boolean);
  if (email) customer.email = email;
  if (!customer.shopifyCustomerId && !customer.email) {
    options.onSkip?.('no-customer', o.id);
    return null;
  }
  const referredBy = referrerFrom({
    discountCodes: o.discountCodes ?? [],
    attributes: o.customAttributes ?? [],
    landingUrl: o.customerJourneySummary?.firstVisit?.landingPage,
    self: customer,
  });
  const order = {
    source: 'shopify' as const,
    orderId: o.id,
    version: o.updatedAt,
    customer,
    placedAt: o.processedAt ?? o.createdAt,
    value: roundCents(o.currentSubtotalPriceSet.shopMoney.amount),
    refunded: roundCents(o.totalRefundedSet?.shopMoney.amount ?? 0),
    currency: o.currencyCode.toUpperCase(),
    margin: marginOf(items, shopCurrency),
    cancelled: o.cancelledAt != null,
    ...(referredBy ? { referredBy } : {}),
  };
  const checked = OrderSchema.safeParse(order);
  if (!checked.success) {
    const base = payloadErrorFromZod(`bulk result order ${o.id} (as an Order)`, checked.error, order, line);
    throw new BulkJsonlError(base.message, { path: base.path, line, cause: checked.error });
  }
  return checked.data;
}

/**
 * Orders from the lines of an ORDERS_BULK_QUERY result, each yielded as soon
 * as its line items are complete.
 * @param shopCurrency the tenant's currency.
 */
export async function* ordersFromBulkJsonl(
  lines: AsyncIterable<string>,
  shopCurrency: string,
  options: BulkOrderOptions = {},
): AsyncGenerator<Order> {
  let pending: Pending | undefined;
  let line = 0;
  for await (const text of lines) {
    line += 1;
    if (!text.trim()) continue;
    const value = parseLine(text, line);
    const parentId = value.__parentId;
    if (parentId === undefined) {
      if (pending) {
        const order = toOrder(pending, shopCurrency, options);
        if (order) yield order;
      }
      pending = { order: validate(BulkOrderSchema, value, 'order', line), line, items: [] };
      continue;
    }
    const expected = pending ? `gid://shopify/Order/${pending.order.id}` : undefined;
    if (typeof parentId !== 'string' || parentId.split('?')[0] !== expected) {
      throw new BulkJsonlError(
        `bulk result line ${line} is a child of ${JSON.stringify(parentId)}, but ${
          expected ? `the order being read is ${expected}` : 'no order came before it'
        }; children must follow their order (is this the result of ORDERS_BULK_QUERY, read from its start?)`,
        { path: '__parentId', line },
      );
    }
    const type = typeof value.id === 'string' ? gidType(value.id) : undefined;
    if (type !== 'LineItem') {
      throw new BulkJsonlError(
        `bulk result line ${line} is a child of type ${type ?? JSON.stringify(value.id)}; ORDERS_BULK_QUERY only has line items below orders`,
        { path: 'id', line },
      );
    }
    pending!.items.push(validate(BulkLineItemSchema, value, 'line item', line));
  }
  if (pending) {
    const order = toOrder(pending, shopCurrency, options);
    if (order) yield order;
  }
}
