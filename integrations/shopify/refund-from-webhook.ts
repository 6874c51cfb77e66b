/**
 * A Shopify refund (REST JSON: the `refunds/create` webhook, and each entry of
 * an order payload's `refunds`) as the merchandise money it returned, in the
 * shop's currency.
 *
 * What a refund returned for merchandise is its refunded lines' subtotals
 * (`refund_line_items[].subtotal_set.shop_money`, after discounts, before
 * tax) corrected by its `refund_discrepancy` order adjustments: Shopify
 * records money returned beyond the refunded lines (a goodwill refund, with
 * or without lines) as a negative discrepancy and money kept back (a
 * restocking fee) as a positive one, so the merchandise refunded is
 * lines − discrepancies. Shipping (`shipping_refund` adjustments,
 * `refund_shipping_lines`), taxes and duties are not merchandise and are left
 * out, as they are from the order's value. Transactions are read only to
 * tell whether money moved (a `refund` transaction with status `success`):
 * their amounts are in the customer's (presentment) currency, not the shop's.
 */
import * as z from 'zod';
import { payloadErrorFromZod } from './payload-errors.ts';
import { exactId, gidSchema, restIdInputSchema, restIdSchema } from './shopify-ids.ts';
import { amountSchema, nonNegativeAmountSchema, restMoneySetSchema, roundCents } from './shopify-money.ts';

export const isoDateTimeSchema = z.iso.datetime({
  offset: true,
  message: 'expected an ISO 8601 date-time such as "2026-03-01T10:15:00-05:00"',
});

const RefundLineItemSchema = z.object({
  subtotal_set: restMoneySetSchema(nonNegativeAmountSchema).nullish(),
  /** Shop-currency subtotal in older payloads without the money set. */
  subtotal: nonNegativeAmountSchema.nullish(),
});

const OrderAdjustmentSchema = z.object({
  kind: z.string().nullish(),
  amount: amountSchema.nullish(),
  amount_set: restMoneySetSchema(amountSchema).nullish(),
});

const TransactionSchema = z.object({
  kind: z.string().nullish(),
  status: z.string().nullish(),
});

/** The parts of a refund that say how much merchandise money it returned. */
export const RefundAmountsSchema = z.object({
  refund_line_items: z.array(RefundLineItemSchema).nullish(),
  order_adjustments: z.array(OrderAdjustmentSchema).nullish(),
  transactions: z.array(TransactionSchema).nullish(),
});
type RefundAmounts = z.infer<typeof RefundAmountsSchema>;

export const RefundPayloadSchema = RefundAmountsSchema.extend({
  id: restIdInputSchema,
  admin_graphql_api_id: gidSchema('Refund').nullish(),
  order_id: restIdSchema,
  created_at: isoDateTimeSchema,
});

export interface ShopifyRefund {
  orderId: string;
  refundId: string;
  /** Merchandise money returned, shop currency, rounded to cents (lines − discrepancies; no shipping or tax). */
  amount: number;
  createdAt: string;
  /** Whether a refund transaction succeeded: a refund without one moved no money. */
  succeeded: boolean;
}

/** Whether money went back: at least one `refund` transaction with status `success`. */
export function refundSucceeded(refund: RefundAmounts): boolean {
  return (refund.transactions ?? []).some((t) => t.kind === 'refund' && t.status === 'success');
}

/** The refund's `refund_discrepancy` adjustments, shop money: negative when more money went back than the lines. */
export function refundDiscrepancy(refund: RefundAmounts): number {
  let sum = 0;
  for (const adjustment of refund.order_adjustments ?? []) {
    if (adjustment.kind !== 'refund_discrepancy') continue;
    sum += adjustment.amount_set?.shop_money.amount ?? adjustment.amount ?? 0;
  }
  return sum;
}

/** Merchandise money the refund returned, shop money, unrounded, never below zero. */
export function merchandiseRefunded(refund: RefundAmounts): number {
  let lines = 0;
  for (const line of refund.refund_line_items ?? [])
    lines += line.subtotal_set?.shop_money.amount ?? line.subtotal ?? 0;
  return Math.max(0, lines - refundDiscrepancy(refund));
}

/** A `refunds/create` payload; a malformed one raises ShopifyPayloadError naming the field. */
export function refundFromWebhook(payload: unknown): ShopifyRefund {
  const parsed = RefundPayloadSchema.safeParse(payload);
  if (!parsed.success) throw payloadErrorFromZod('Shopify refunds/create payload', parsed.error, payload);
  const refund = parsed.data;
  return {
    orderId: refund.order_id,
    refundId: exactId(refund.id, refund.admin_graphql_api_id, 'id'),
    amount: roundCents(merchandiseRefunded(refund)),
    createdAt: refund.created_at,
    succeeded: refundSucceeded(refund),
  };
}
