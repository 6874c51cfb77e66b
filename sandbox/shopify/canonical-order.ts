/**
 * The one description of an order the sandbox keeps. Both of Shopify's views
 * are rendered from it (REST webhook JSON in webhook-payloads.ts, the GraphQL
 * `Order` in graphql-views.ts), through the amounts computed here, so a test
 * can compare what a webhook said with what a bulk export said and expect
 * them to agree the way they agree on a real shop.
 *
 * Amounts are strings in the order's currency (the shop's currency when the
 * order was placed), as Shopify writes them. Discounts are per line (the
 * discount codes' allocations); refunds return line quantities (their money
 * is the refunded lines' share of the discounted line total). Shipping is
 * never refunded and there are no taxes, so "refunded" means the same
 * merchandise money in both views.
 */
import { prorate, toMinor } from './money.ts';

export interface CanonicalLineItem {
  /** Numeric ids, as strings. */
  id: string;
  productId: string;
  variantId: string;
  title: string;
  sku: string | null;
  quantity: number;
  /** Unit price before discounts. */
  price: string;
  /** Discount allocated to the whole line (all units) by the order's discount codes. */
  discount: string;
  /** The variant's inventory item unit cost, or null when the merchant never entered it. */
  unitCost: string | null;
}

export interface CanonicalRefund {
  id: string;
  createdAt: string;
  note: string | null;
  lineItems: { id: string; lineItemId: string; quantity: number }[];
}

export interface CanonicalCustomerRef {
  id: string;
  email: string | null;
  firstName?: string;
  lastName?: string;
}

export interface CanonicalOrder {
  id: string;
  name: string;
  /** The shop's currency when the order was placed: every shop-money amount is in it. */
  currency: string;
  /** The customer's currency and the rate from shop money, when it differs. */
  presentment?: { currency: string; rate: number };
  createdAt: string;
  processedAt: string;
  updatedAt: string;
  cancelledAt: string | null;
  cancelReason: 'customer' | 'declined' | 'fraud' | 'inventory' | 'other' | 'staff' | null;
  test: boolean;
  email: string | null;
  customer: CanonicalCustomerRef | null;
  lineItems: CanonicalLineItem[];
  discountCodes: { code: string; type: 'percentage' | 'fixed_amount'; value: string }[];
  noteAttributes: { name: string; value: string }[];
  /** The first page of the visit, as REST `landing_site` (a path with its query). */
  landingSite: string | null;
  shippingPrice: string;
  refunds: CanonicalRefund[];
}

export interface LineAmounts {
  line: CanonicalLineItem;
  /** Σ price × quantity before discounts. */
  grossMinor: number;
  discountMinor: number;
  /** gross − discount: what the line sold for. */
  netMinor: number;
  refundedQuantity: number;
  currentQuantity: number;
  refundedMinor: number;
  /** The line's net after refunds: merchandise the customer kept. */
  currentNetMinor: number;
  currentDiscountMinor: number;
  /** net / quantity, rounded: Shopify calls it approximate. */
  unitNetMinor: number;
}

export interface RefundAmounts {
  refund: CanonicalRefund;
  lines: { lineItemId: string; quantity: number; subtotalMinor: number }[];
  subtotalMinor: number;
}

export interface OrderAmounts {
  lines: LineAmounts[];
  refunds: RefundAmounts[];
  lineItemsMinor: number;
  discountsMinor: number;
  /** After discounts, before returns and refunds (REST `subtotal_price`). */
  subtotalMinor: number;
  /** After discounts, returns and refunds (REST `current_subtotal_price`, GraphQL `currentSubtotalPriceSet`). */
  currentSubtotalMinor: number;
  currentDiscountsMinor: number;
  refundedMinor: number;
  shippingMinor: number;
  totalMinor: number;
  currentTotalMinor: number;
}

/** Every derived amount of an order; throws on an order that could not exist (a refund of more than was bought). */
export function orderAmounts(order: CanonicalOrder): OrderAmounts {
  const c = order.currency;
  const refundedQty = new Map<string, number>();
  const refunds: RefundAmounts[] = [];
  const byId = new Map(order.lineItems.map((l) => [l.id, l]));
  for (const refund of order.refunds) {
    const lines = refund.lineItems.map((r) => {
      const line = byId.get(r.lineItemId);
      if (!line)
        throw new Error(`order ${order.id}: refund ${refund.id} names unknown line item ${r.lineItemId}`);
      const already = refundedQty.get(line.id) ?? 0;
      if (!Number.isInteger(r.quantity) || r.quantity < 1 || already + r.quantity > line.quantity)
        throw new Error(
          `order ${order.id}: refund ${refund.id} returns more of line ${line.id} than was bought`,
        );
      refundedQty.set(line.id, already + r.quantity);
      const net = toMinor(line.price, c) * line.quantity - toMinor(line.discount, c);
      return {
        lineItemId: line.id,
        quantity: r.quantity,
        subtotalMinor: prorate(net, r.quantity, line.quantity),
      };
    });
    refunds.push({ refund, lines, subtotalMinor: lines.reduce((s, l) => s + l.subtotalMinor, 0) });
  }
  const lines = order.lineItems.map((line): LineAmounts => {
    if (!Number.isInteger(line.quantity) || line.quantity < 1)
      throw new Error(`order ${order.id}: line ${line.id} has quantity ${line.quantity}`);
    const grossMinor = toMinor(line.price, c) * line.quantity;
    const discountMinor = toMinor(line.discount, c);
    const netMinor = grossMinor - discountMinor;
    if (discountMinor < 0 || netMinor < 0)
      throw new Error(`order ${order.id}: line ${line.id} has a bad discount`);
    const refundedQuantity = refundedQty.get(line.id) ?? 0;
    const refundedMinor = refunds
      .flatMap((r) => r.lines)
      .filter((r) => r.lineItemId === line.id)
      .reduce((s, r) => s + r.subtotalMinor, 0);
    const currentQuantity = line.quantity - refundedQuantity;
    return {
      line,
      grossMinor,
      discountMinor,
      netMinor,
      refundedQuantity,
      currentQuantity,
      refundedMinor,
      currentNetMinor: netMinor - refundedMinor,
      currentDiscountMinor: prorate(discountMinor, currentQuantity, line.quantity),
      unitNetMinor: prorate(netMinor, 1, line.quantity),
    };
  });
  const sum = (f: (l: LineAmounts) => number) => lines.reduce((s, l) => s + f(l), 0);
  const shippingMinor = toMinor(order.shippingPrice, c);
  const subtotalMinor = sum((l) => l.netMinor);
  const currentSubtotalMinor = sum((l) => l.currentNetMinor);
  return {
    lines,
    refunds,
    lineItemsMinor: sum((l) => l.grossMinor),
    discountsMinor: sum((l) => l.discountMinor),
    subtotalMinor,
    currentSubtotalMinor,
    currentDiscountsMinor: sum((l) => l.currentDiscountMinor),
    refundedMinor: refunds.reduce((s, r) => s + r.subtotalMinor, 0),
    shippingMinor,
    totalMinor: subtotalMinor + shippingMinor,
    currentTotalMinor: currentSubtotalMinor + shippingMinor,
  };
}

/** Shopify's financial status, from what was refunded. */
export function financialStatus(order: CanonicalOrder, amounts: OrderAmounts): string {
  if (amounts.refundedMinor === 0) return 'paid';
  return amounts.currentSubtotalMinor === 0 ? 'refunded' : 'partially_refunded';
}
