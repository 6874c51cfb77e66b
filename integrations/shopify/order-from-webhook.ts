/**
 * A Shopify order webhook (`orders/create`, `orders/updated`, `orders/paid`,
 * `orders/cancelled`; REST order JSON, API 2026-10) as the Order clv-sync
 * stores (shared/store/order.ts).
 *
 * - orderId: the order's id (exactly, from `admin_graphql_api_id` when present);
 *   version: `updated_at`; placedAt: `processed_at` (the date the merchant
 *   says the order happened, set on imported orders) else `created_at`.
 * - customer: `customer.id` and `customer.email`, else the order's `email`;
 *   an order with neither raises OrderWithoutCustomerError.
 * - value: `current_subtotal_price_set.shop_money` (else
 *   `current_subtotal_price`): merchandise after discounts, order edits,
 *   returns and refunded lines, in the shop's currency, without shipping or
 *   tax; then corrected by refund discrepancies (goodwill refunded beyond the
 *   lines comes off, a restocking fee kept goes back on), floored at 0,
 *   rounded to cents.
 * - refunded: merchandise money returned by refunds with a successful refund
 *   transaction (refund-from-webhook.ts), shop currency. value + refunded is
 *   the merchandise the customer bought; value is what they kept.
 * - currency: the payload's `currency`, which is the shop's currency
 *   (`presentment_currency` is the customer's); a shop whose currency is no
 *   longer the tenant's raises the store's ForeignCurrencyError.
 * - cancelled: `cancelled_at` set; margin: null (webhooks carry no cost: the
 *   tenant's default margin applies); referredBy: referral.ts.
 * - Test orders (`test: true`, placed with Shopify's bogus gateway or a test
 *   payment) return null: they are not purchases.
 *
 * Amounts arrive as strings; anything that is not a decimal (or is negative
 * where it cannot be) raises ShopifyPayloadError with the field's path.
 *
 * This module is also the webhook parsing surface: it re-exports the refund,
 * customer and compliance parsers and the payload errors.
 */
import * as z from 'zod';
import type { CustomerIdentity, Order } from '../../shared/store/order.ts';
import { OrderSchema } from '../../shared/store/order.ts';
import { ForeignCurrencyError } from '../../shared/store/orders.ts';
import { OrderWithoutCustomerError, ShopifyPayloadError, payloadErrorFromZod } from './payload-errors.ts';
import { referrerFrom } from './referral.ts';
import {
  RefundAmountsSchema,
  isoDateTimeSchema,
  merchandiseRefunded,
  refundDiscrepancy,
  refundSucceeded,
} from './refund-from-webhook.ts';
import { exactId, gidSchema, restIdInputSchema } from './shopify-ids.ts';
import {
  currencyCodeSchema,
  nonNegativeAmountSchema,
  restMoneySetSchema,
  roundCents,
} from './shopify-money.ts';

export { ForeignCurrencyError } from '../../shared/store/orders.ts';
export { OrderWithoutCustomerError, ShopifyPayloadError } from './payload-errors.ts';
export { refundFromWebhook } from './refund-from-webhook.ts';
export type { ShopifyRefund } from './refund-from-webhook.ts';
export { parseCustomerPayload } from './customer-payload.ts';
export type { ShopifyCustomer } from './customer-payload.ts';
export { parseCustomersRedact, parseDataRequest, parseShopRedact } from './compliance-payloads.ts';
export type { CustomersRedact, DataRequest, ShopRedact } from './compliance-payloads.ts';

/** Attribute values are text; a number is read as its digits, anything else as absent. */
const attributeValueSchema = z
  .unknown()
  .transform((v) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null));

const OrderPayloadSchema = z.object({
  id: restIdInputSchema,
  admin_graphql_api_id: gidSchema('Order').nullish(),
  test: z.boolean().nullish(),
  created_at: isoDateTimeSchema,
  updated_at: isoDateTimeSchema,
  processed_at: isoDateTimeSchema.nullish(),
  cancelled_at: isoDateTimeSchema.nullish(),
  currency: currencyCodeSchema,
  email: z.string().nullish(),
  customer: z
    .object({
      id: restIdInputSchema,
      admin_graphql_api_id: gidSchema('Customer').nullish(),
      email: z.string().nullish(),
    })
    .nullish(),
  current_subtotal_price: nonNegativeAmountSchema.nullish(),
  current_subtotal_price_set: restMoneySetSchema(nonNegativeAmountSchema).nullish(),
  discount_codes: z.array(z.object({ code: z.string() })).nullish(),
  note_attributes: z.array(z.object({ name: z.string().nullish(), value: attributeValueSchema })).nullish(),
  landing_site: z.string().nullish(),
  refunds: z.array(RefundAmountsSchema).nullish(),
});

const present = (s: string | null | undefined) => (s && s.trim() ? s.trim() : undefined);

/**
 * The Order an order webhook describes, or null for a test order.
 * @param shopCurrency the tenant's currency (its shop's currency at install).
 */
export function orderFromWebhook(payload: unknown, shopCurrency: string): Order | null {
  const parsed = OrderPayloadSchema.safeParse(payload);
  if (!parsed.success) throw payloadErrorFromZod('Shopify order webhook', parsed.error, payload);
  const p = parsed.data;
  if (p.test) return null;
  const orderId = exactId(p.id, p.admin_graphql_api_id, 'id');

  const subtotalSet = p.current_subtotal_price_set?.shop_money;
  const subtotal = subtotalSet?.amount ?? p.current_subtotal_price;
  if (subtotal === undefined || subtotal === null) {
    throw new ShopifyPayloadError(
      `Shopify order ${orderId}: current_subtotal_price_set is missing; subscribe the order webhooks with API version 2026-10 (it is sent by every recent version)`,
      { path: 'current_subtotal_price_set' },
    );
  }
  for (const [field, code] of [
    ['currency', p.currency],
    ['current_subtotal_price_set.shop_money.currency_code', subtotalSet?.currency_code],
  ] as const) {
    if (code && code.toUpperCase() !== shopCurrency.toUpperCase()) {
      throw new ForeignCurrencyError(
        `Shopify order ${orderId} is in ${code} (${field}) but the tenant scores in ${shopCurrency}: ` +
          "the shop's currency changed since install; update the tenant's currency (and re-import its history) to score in the new one",
      );
    }
  }

  const customer: CustomerIdentity = {};
  if (p.customer)
    customer.shopifyCustomerId = exactId(p.customer.id, p.customer.admin_graphql_api_id, 'customer.id');
  const email = present(p.customer?.email) ?? present(p.email);
  if (email) customer.email = email;
  if (!customer.shopifyCustomerId && !customer.email) throw new OrderWithoutCustomerError(orderId);

  const moneyBack = (p.refunds ?? []).filter(refundSucceeded);
  const discrepancy = moneyBack.reduce((sum, r) => sum + refundDiscrepancy(r), 0);
  const refunded = moneyBack.reduce((sum, r) => sum + merchandiseRefunded(r), 0);
  const referredBy = referrerFrom({
    discountCodes: (p.discount_codes ?? []).map((d) => d.code),
    attributes: p.note_attributes ?? [],
    landingUrl: p.landing_site,
    self: customer,
  });

  const order = {
    source: 'shopify' as const,
    orderId,
    version: p.updated_at,
    customer,
    placedAt: p.processed_at ?? p.created_at,
    value: roundCents(Math.max(0, subtotal + discrepancy)),
    refunded: roundCents(refunded),
    currency: p.currency.toUpperCase(),
    margin: null,
    cancelled: p.cancelled_at != null,
    ...(referredBy ? { referredBy } : {}),
  };
  // The last guard: what reaches the store is exactly an Order, never a NaN.
  const checked = OrderSchema.safeParse(order);
  if (!checked.success)
    throw payloadErrorFromZod(`Shopify order ${orderId} (as an Order)`, checked.error, order);
  return checked.data;
}
