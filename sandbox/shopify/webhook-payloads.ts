/**
 * The REST JSON Shopify sends in webhooks (`orders/create`, `orders/updated`,
 * `orders/paid`, `orders/cancelled`, `refunds/create`, `customers/*`),
 * rendered from a canonical order and laid over Shopify's documented example
 * of the topic (documented-examples.ts, example-overlay.ts): every field the
 * example has is sent, in its shape, and none it lacks. The values are the
 * canonical order's: ids, customer, money, line items, refunds, times.
 *
 * As in the examples: amounts are strings with the currency's digits, except
 * a refund line's `subtotal` and `total_tax`, which are numbers; ids are
 * numbers (written exactly above 2^53, as Shopify writes them, which a plain
 * JSON.parse rounds); times carry the shop's UTC offset. Code discounts
 * appear as `discount_allocations` (with `total_discount` "0.00"), as
 * Shopify renders them.
 */
import type { CanonicalOrder, LineAmounts, OrderAmounts } from './canonical-order.ts';
import { financialStatus, orderAmounts } from './canonical-order.ts';
import type { Json, RawNumber } from './documented-examples.ts';
import { documentedPayload } from './documented-examples.ts';
import { overlayOnExample } from './example-overlay.ts';
import { gid } from './gid.ts';
import { convertMinor, restAmount } from './money.ts';
import type { SandboxCustomer } from './shop-state.ts';
import { restTime } from './shop-time.ts';

const rawJSON = (JSON as unknown as { rawJSON(text: string): RawNumber }).rawJSON;

/** A REST id: a JSON number, written with all its digits where a double would round it. */
const restId = (id: string | number | bigint): number | RawNumber =>
  Number.isSafeInteger(Number(id)) ? Number(id) : rawJSON(String(id));

/** `ours` laid over the documented example of `topic` (all four order topics share one example). */
const onExample = (topic: string, ours: Record<string, unknown>): Record<string, unknown> =>
  overlayOnExample(documentedPayload(topic), ours as Json) as Record<string, unknown>;

/** What the renderers need of a shop: a SandboxShop has all of it. */
export interface WebhookShop {
  domain?: string;
  /** The shop's numeric id (in `order_status_url`). */
  id?: string;
  currencyCode: string;
  ianaTimezone?: string;
  customers?: ReadonlyMap<string, SandboxCustomer>;
}

type MoneySet = {
  shop_money: { amount: string; currency_code: string };
  presentment_money: { amount: string; currency_code: string };
};

function moneyRenderer(order: CanonicalOrder) {
  const shop = order.currency;
  const presented = order.presentment?.currency ?? shop;
  const rate = order.presentment?.rate ?? 1;
  const presentment = (minor: number) =>
    presented === shop ? minor : convertMinor(minor, shop, presented, rate);
  return {
    amount: (minor: number) => restAmount(minor, shop),
    set: (minor: number): MoneySet => ({
      shop_money: { amount: restAmount(minor, shop), currency_code: shop },
      presentment_money: { amount: restAmount(presentment(minor), presented), currency_code: presented },
    }),
    presentmentAmount: (minor: number) => restAmount(presentment(minor), presented),
    presented,
  };
}

function lineItemJson(order: CanonicalOrder, l: LineAmounts, discounted: boolean) {
  const m = moneyRenderer(order);
  const line = l.line;
  const unitMinor = l.grossMinor / line.quantity;
  return {
    id: restId(line.id),
    admin_graphql_api_id: gid('LineItem', line.id),
    attributed_staffs: [],
    current_quantity: l.currentQuantity,
    fulfillable_quantity: order.cancelledAt ? 0 : l.currentQuantity,
    fulfillment_service: 'manual',
    fulfillment_status: null,
    gift_card: false,
    grams: 0,
    name: line.title,
    price: m.amount(unitMinor),
    price_set: m.set(unitMinor),
    product_exists: true,
    product_id: restId(line.productId),
    properties: [],
    quantity: line.quantity,
    requires_shipping: true,
    sku: line.sku,
    taxable: true,
    title: line.title,
    total_discount: m.amount(0),
    total_discount_set: m.set(0),
    variant_id: restId(line.variantId),
    variant_inventory_management: 'shopify',
    variant_title: null,
    vendor: 'Sandbox Goods',
    tax_lines: [],
    duties: [],
    discount_allocations:
      discounted && l.discountMinor > 0
        ? [
            {
              amount: m.amount(l.discountMinor),
              amount_set: m.set(l.discountMinor),
              discount_application_index: 0,
            },
          ]
        : [],
  };
}

function refundJson(order: CanonicalOrder, amounts: OrderAmounts, index: number, timeZone?: string) {
  const r = amounts.refunds[index];
  if (!r) throw new Error(`order ${order.id} has no refund at index ${index}`);
  const m = moneyRenderer(order);
  const lines = new Map(amounts.lines.map((l) => [l.line.id, l]));
  const discounted = order.discountCodes.length > 0;
  const at = restTime(r.refund.createdAt, timeZone);
  const transactionId = String(BigInt(r.refund.id) + 7_000_000_000_000n);
  return {
    id: restId(r.refund.id),
    admin_graphql_api_id: gid('Refund', r.refund.id),
    order_id: restId(order.id),
    created_at: at,
    note: r.refund.note,
    user_id: null,
    processed_at: at,
    restock: false,
    duties: [],
    total_duties_set: m.set(0),
    return: null,
    refund_shipping_lines: [],
    order_adjustments: [],
    refund_line_items: r.lines.map((rl, i) => ({
      id: restId(r.refund.lineItems[i]!.id),
      line_item_id: restId(rl.lineItemId),
      location_id: null,
      quantity: rl.quantity,
      restock_type: 'no_restock',
      subtotal: Number(m.amount(rl.subtotalMinor)),
      subtotal_set: m.set(rl.subtotalMinor),
      total_tax: 0,
      total_tax_set: m.set(0),
      line_item: lineItemJson(order, lines.get(rl.lineItemId)!, discounted),
    })),
    transactions: [
      {
        id: restId(transactionId),
        admin_graphql_api_id: gid('OrderTransaction', transactionId),
        order_id: restId(order.id),
        kind: 'refund',
        gateway: 'shopify_payments',
        status: 'success',
        message: null,
        created_at: at,
        test: order.test,
        authorization: null,
        parent_id: null,
        processed_at: at,
        source_name: 'web',
        amount: m.presentmentAmount(r.subtotalMinor),
        currency: m.presented,
        // The example's `#9999.` is its order's name and a dot.
        payment_id: `${order.name}.`,
      },
    ],
  };
}

function customerJsonOf(order: CanonicalOrder, shop: WebhookShop) {
  const ref = order.customer;
  if (!ref) return null;
  const known = shop.customers?.get(ref.id);
  return customerJson(
    known ?? {
      id: ref.id,
      email: ref.email,
      firstName: ref.firstName,
      lastName: ref.lastName,
      tags: new Set(),
      metafields: new Map(),
      createdAt: order.createdAt,
      updatedAt: order.updatedAt,
    },
    shop,
  );
}

/** The `orders/create` (and updated, paid, cancelled) payload. */
export function orderWebhookJson(order: CanonicalOrder, shop: WebhookShop): Record<string, unknown> {
  return onExample('orders/create', orderJson(order, shop));
}

function orderJson(order: CanonicalOrder, shop: WebhookShop): Record<string, unknown> {
  const a = orderAmounts(order);
  const m = moneyRenderer(order);
  const tz = shop.ianaTimezone;
  const discounted = order.discountCodes.length > 0;
  const number = Number(/\d+/.exec(order.name)?.[0] ?? 0);
  const landing = order.landingSite ? new URL(order.landingSite, 'https://shop.invalid/') : null;
  const token = `sbx${order.id}`;
  const shopId = shop.id ?? '1';
  return {
    id: restId(order.id),
    admin_graphql_api_id: gid('Order', order.id),
    app_id: 580111,
    browser_ip: null,
    buyer_accepts_marketing: false,
    cancel_reason: order.cancelReason,
    cancelled_at: order.cancelledAt ? restTime(order.cancelledAt, tz) : null,
    cart_token: null,
    checkout_token: null,
    client_details: null,
    closed_at: null,
    confirmation_number: `SBX${order.id.slice(-6)}`,
    confirmed: true,
    contact_email: order.email,
    created_at: restTime(order.createdAt, tz),
    currency: order.currency,
    current_shipping_price_set: m.set(a.shippingMinor),
    current_subtotal_price: m.amount(a.currentSubtotalMinor),
    current_subtotal_price_set: m.set(a.currentSubtotalMinor),
    current_total_additional_fees_set: null,
    current_total_discounts: m.amount(a.currentDiscountsMinor),
    current_total_discounts_set: m.set(a.currentDiscountsMinor),
    current_total_duties_set: null,
    current_total_price: m.amount(a.currentTotalMinor),
    current_total_price_set: m.set(a.currentTotalMinor),
    current_total_tax: m.amount(0),
    current_total_tax_set: m.set(0),
    customer_locale: 'en',
    device_id: null,
    discount_codes: order.discountCodes.map((d) => ({
      code: d.code,
      amount: m.amount(a.discountsMinor),
      type: d.type,
    })),
    duties_included: false,
    email: order.email,
    estimated_taxes: false,
    financial_status: financialStatus(order, a),
    fulfillment_status: null,
    landing_site: order.landingSite,
    landing_site_ref: landing?.searchParams.get('ref') ?? null,
    location_id: null,
    // The example's MTU0ODM4MDAwOQ is base64 of "1548380009": a 1, then its shop's id.
    merchant_business_entity_id: Buffer.from(`1${shopId}`).toString('base64url'),
    name: order.name,
    note: null,
    note_attributes: order.noteAttributes.map((n) => ({ name: n.name, value: n.value })),
    number,
    order_number: number,
    // As the example's: https://jsmith.myshopify.com/548380009/orders/123456abcd/authenticate?key=abcdefg.
    order_status_url: `https://${shop.domain ?? 'sandbox.myshopify.com'}/${shopId}/orders/${token}/authenticate?key=${token}`,
    payment_gateway_names: ['shopify_payments'],
    phone: null,
    po_number: null,
    presentment_currency: m.presented,
    processed_at: restTime(order.processedAt, tz),
    reference: null,
    referring_site: null,
    source_identifier: null,
    source_name: 'web',
    source_url: null,
    subtotal_price: m.amount(a.subtotalMinor),
    subtotal_price_set: m.set(a.subtotalMinor),
    tags: '',
    tax_exempt: false,
    tax_lines: [],
    taxes_included: false,
    test: order.test,
    token,
    total_discounts: m.amount(a.discountsMinor),
    total_discounts_set: m.set(a.discountsMinor),
    total_line_items_price: m.amount(a.lineItemsMinor),
    total_line_items_price_set: m.set(a.lineItemsMinor),
    total_outstanding: m.amount(0),
    total_price: m.amount(a.totalMinor),
    total_price_set: m.set(a.totalMinor),
    total_shipping_price_set: m.set(a.shippingMinor),
    total_tax: m.amount(0),
    total_tax_set: m.set(0),
    total_tip_received: m.amount(0),
    total_weight: 0,
    updated_at: restTime(order.updatedAt, tz),
    user_id: null,
    billing_address: null,
    customer: customerJsonOf(order, shop),
    discount_applications: order.discountCodes.map((d) => ({
      target_type: 'line_item',
      type: 'discount_code',
      value: d.value,
      value_type: d.type,
      allocation_method: 'across',
      target_selection: 'all',
      code: d.code,
    })),
    fulfillments: [],
    line_items: a.lines.map((l) => lineItemJson(order, l, discounted)),
    payment_terms: null,
    // The order example has no refund; an order's refunds are the Refund resource, as refunds/create sends it.
    refunds: order.refunds.map((_, i) => onExample('refunds/create', refundJson(order, a, i, tz))),
    shipping_address: null,
    shipping_lines:
      a.shippingMinor > 0
        ? [
            {
              id: restId(BigInt(order.id) + 1n),
              code: 'Standard',
              price: m.amount(a.shippingMinor),
              price_set: m.set(a.shippingMinor),
              discounted_price: m.amount(a.shippingMinor),
              discounted_price_set: m.set(a.shippingMinor),
              current_discounted_price_set: m.set(a.shippingMinor),
              source: 'shopify',
              title: 'Standard',
              tax_lines: [],
              discount_allocations: [],
            },
          ]
        : [],
  };
}

/** The `refunds/create` payload: the order's refund at `refundIndex`. */
export function refundWebhookJson(
  order: CanonicalOrder,
  refundIndex: number,
  shop?: Pick<WebhookShop, 'ianaTimezone'>,
): Record<string, unknown> {
  return onExample('refunds/create', refundJson(order, orderAmounts(order), refundIndex, shop?.ianaTimezone));
}

/** The `customers/create` / `customers/update` payload. */
export function customerWebhookJson(
  customer: SandboxCustomer,
  shop?: Pick<WebhookShop, 'currencyCode' | 'ianaTimezone'>,
): Record<string, unknown> {
  return onExample('customers/create', customerJson(customer, shop));
}

function customerJson(
  customer: SandboxCustomer,
  shop?: Pick<WebhookShop, 'currencyCode' | 'ianaTimezone'>,
): Record<string, unknown> {
  const tz = shop?.ianaTimezone;
  return {
    id: restId(customer.id),
    email: customer.email,
    created_at: restTime(customer.createdAt, tz),
    updated_at: restTime(customer.updatedAt, tz),
    first_name: customer.firstName ?? null,
    last_name: customer.lastName ?? null,
    state: 'enabled',
    note: null,
    verified_email: customer.email !== null,
    multipass_identifier: null,
    tax_exempt: false,
    phone: null,
    currency: shop?.currencyCode ?? 'USD',
    tax_exemptions: [],
    admin_graphql_api_id: gid('Customer', customer.id),
    default_address: null,
    addresses: [],
  };
}
