/**
 * The sandbox's records as GraphQL objects. An `Order` is rendered from the
 * canonical order through the same amounts as its webhook JSON
 * (canonical-order.ts), so both views agree: currentSubtotalPriceSet is the
 * merchandise kept after discounts and refunds, totalRefundedSet what the
 * refunds returned, each line's discountedUnitPriceAfterAllDiscountsSet its
 * net / quantity. Money is `Decimal` strings (`"96.0"`), times UTC.
 * Fields with arguments are functions, which graphql-js calls with them.
 */
import { createHash } from 'node:crypto';
import type { BulkOperationRecord } from './bulk.ts';
import type { CanonicalOrder, LineAmounts } from './canonical-order.ts';
import { financialStatus, orderAmounts } from './canonical-order.ts';
import type { PageArgs } from './connections.ts';
import { connection } from './connections.ts';
import type { ExecContext } from './context.ts';
import { gid } from './gid.ts';
import { ADMIN_FILTERABLE_TYPES } from './metafield-capabilities.ts';
import { convertMinor, decimalAmount, toMinor } from './money.ts';
import type {
  MetafieldDefinitionRecord,
  SandboxCustomer,
  SandboxMetafield,
  ShopState,
} from './shop-state.ts';
import { graphqlTime } from './shop-time.ts';

type View = Record<string, unknown> & { __typename: string };

function moneyBags(order: CanonicalOrder) {
  const shop = order.currency;
  const presented = order.presentment?.currency ?? shop;
  const rate = order.presentment?.rate ?? 1;
  return (minor: number) => ({
    shopMoney: { amount: decimalAmount(minor, shop), currencyCode: shop },
    presentmentMoney: {
      amount: decimalAmount(
        presented === shop ? minor : convertMinor(minor, shop, presented, rate),
        presented,
      ),
      currencyCode: presented,
    },
  });
}

function lineItemView(order: CanonicalOrder, l: LineAmounts, shop: ShopState): View {
  const bag = moneyBags(order);
  const line = l.line;
  const unit = l.grossMinor / line.quantity;
  const product = {
    __typename: 'Product',
    id: gid('Product', line.productId),
    title: line.title,
    handle: slug(line.title),
  };
  return {
    __typename: 'LineItem',
    id: gid('LineItem', line.id),
    name: line.title,
    title: line.title,
    sku: line.sku,
    quantity: line.quantity,
    currentQuantity: l.currentQuantity,
    refundableQuantity: l.currentQuantity,
    originalUnitPriceSet: bag(unit),
    // Code discounts are order-level allocations: Shopify leaves them out of these two.
    discountedUnitPriceSet: bag(unit),
    discountedTotalSet: bag(l.grossMinor),
    discountedUnitPriceAfterAllDiscountsSet: bag(l.unitNetMinor),
    originalTotalSet: bag(l.grossMinor),
    totalDiscountSet: bag(l.discountMinor),
    customAttributes: [],
    product,
    variant: {
      __typename: 'ProductVariant',
      id: gid('ProductVariant', line.variantId),
      title: 'Default Title',
      sku: line.sku,
      price: decimalAmount(unit, order.currency),
      product,
      inventoryItem: {
        __typename: 'InventoryItem',
        id: gid('InventoryItem', line.variantId),
        sku: line.sku,
        tracked: true,
        unitCost:
          line.unitCost === null
            ? null
            : {
                amount: decimalAmount(toMinor(line.unitCost, shop.currencyCode), shop.currencyCode),
                currencyCode: shop.currencyCode,
              },
      },
    },
  };
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

const lineKey = (v: View) => ({
  id: String(v.id).split('/').pop()!,
  sortValue: String(v.id).split('/').pop()!,
});

export function orderView(order: CanonicalOrder, ctx: ExecContext): View {
  const a = orderAmounts(order);
  const bag = moneyBags(order);
  const lines = a.lines.map((l) => lineItemView(order, l, ctx.shop));
  const linesById = new Map(lines.map((v) => [v.id as string, v]));
  const visit = order.landingSite
    ? {
        __typename: 'CustomerVisit',
        id: gid('CustomerVisit', order.id),
        landingPage: new URL(order.landingSite, `https://${ctx.shop.domain}`).href,
        occurredAt: graphqlTime(order.createdAt),
        referrerUrl: null,
        source: 'an unknown source',
      }
    : null;
  const refunds = a.refunds.map((r) => ({
    __typename: 'Refund',
    id: gid('Refund', r.refund.id),
    createdAt: graphqlTime(r.refund.createdAt),
    note: r.refund.note,
    totalRefundedSet: bag(r.subtotalMinor),
    refundLineItems: (args: PageArgs) =>
      connection(
        r.lines.map((rl, i) => ({
          id: gid('RefundLineItem', r.refund.lineItems[i]!.id),
          lineItem: linesById.get(gid('LineItem', rl.lineItemId)),
          quantity: rl.quantity,
          restockType: 'NO_RESTOCK',
          subtotalSet: bag(rl.subtotalMinor),
        })),
        args,
        (v) => lineKey(v as unknown as View),
        ctx.bulk,
      ),
  }));
  return {
    __typename: 'Order',
    id: gid('Order', order.id),
    name: order.name,
    createdAt: graphqlTime(order.createdAt),
    processedAt: graphqlTime(order.processedAt),
    updatedAt: graphqlTime(order.updatedAt),
    cancelledAt: order.cancelledAt ? graphqlTime(order.cancelledAt) : null,
    cancelReason: order.cancelReason?.toUpperCase() ?? null,
    closed: false,
    test: order.test,
    currencyCode: order.currency,
    presentmentCurrencyCode: order.presentment?.currency ?? order.currency,
    email: order.email,
    customer: () => {
      if (!order.customer) return null;
      const known = ctx.shop.customers.get(order.customer.id);
      return known ? customerView(known, ctx) : null;
    },
    displayFinancialStatus: financialStatus(order, a).toUpperCase(),
    currentSubtotalPriceSet: bag(a.currentSubtotalMinor),
    currentTotalPriceSet: bag(a.currentTotalMinor),
    currentTotalDiscountsSet: bag(a.currentDiscountsMinor),
    subtotalPriceSet: bag(a.subtotalMinor),
    totalPriceSet: bag(a.totalMinor),
    totalDiscountsSet: bag(a.discountsMinor),
    totalRefundedSet: bag(a.refundedMinor),
    totalShippingPriceSet: bag(a.shippingMinor),
    discountCode: order.discountCodes[0]?.code ?? null,
    discountCodes: order.discountCodes.map((d) => d.code),
    customAttributes: order.noteAttributes.map((n) => ({ key: n.name, value: n.value })),
    customerJourneySummary: {
      ready: true,
      customerOrderIndex: null,
      daysToConversion: null,
      firstVisit: visit,
      lastVisit: visit,
    },
    note: null,
    tags: [],
    lineItems: (args: PageArgs) => connection(lines, args, lineKey, ctx.bulk),
    refunds: (args: { first?: number | null }) =>
      args.first == null ? refunds : refunds.slice(0, args.first),
  };
}

const digest = (value: string) => createHash('sha256').update(value).digest('base64');

export function metafieldView(
  owner: SandboxCustomer,
  key: string,
  m: SandboxMetafield,
  shop: ShopState,
): View {
  const [namespace, ...rest] = key.split('.');
  const definition = shop.metafieldDefinitions.find(
    (d) => d.ownerType === 'CUSTOMER' && d.namespace === namespace && d.key === rest.join('.'),
  );
  return {
    __typename: 'Metafield',
    id: gid('Metafield', m.id),
    namespace,
    key: rest.join('.'),
    value: m.value,
    type: m.type,
    ownerType: 'CUSTOMER',
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
    compareDigest: digest(m.value),
    jsonValue: m.type === 'number_integer' ? Number(m.value) : m.value,
    definition: definition ? definitionView(definition) : null,
    owner: gid('Customer', owner.id),
  };
}

export function definitionView(d: MetafieldDefinitionRecord): View {
  return {
    __typename: 'MetafieldDefinition',
    id: gid('MetafieldDefinition', d.id),
    name: d.name,
    namespace: d.namespace,
    key: d.key,
    description: d.description,
    ownerType: d.ownerType,
    type: {
      name: d.type,
      category: /^number|rating/.test(d.type) ? 'NUMBER' : /date/.test(d.type) ? 'DATE_TIME' : 'TEXT',
    },
    capabilities: {
      adminFilterable: {
        eligible: ADMIN_FILTERABLE_TYPES.includes(d.type),
        enabled: d.adminFilterable,
        status: d.adminFilterable ? 'FILTERABLE' : 'NOT_FILTERABLE',
      },
    },
  };
}

export function customerView(c: SandboxCustomer, ctx: ExecContext): View {
  const shop = ctx.shop;
  const metafields = () => [...c.metafields.entries()].map(([k, m]) => metafieldView(c, k, m, shop));
  const orders = shop.ordersOf(c.id).filter((o) => !o.test);
  const spent = orders.reduce((s, o) => s + orderAmounts(o).currentTotalMinor, 0);
  return {
    __typename: 'Customer',
    id: gid('Customer', c.id),
    email: c.email,
    defaultEmailAddress: c.email === null ? null : { emailAddress: c.email },
    firstName: c.firstName ?? null,
    lastName: c.lastName ?? null,
    displayName: [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email || 'Unnamed customer',
    tags: [...c.tags].sort(),
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    numberOfOrders: String(orders.length),
    amountSpent: { amount: decimalAmount(spent, shop.currencyCode), currencyCode: shop.currencyCode },
    metafield: (args: { namespace?: string | null; key: string }) => {
      const key = `${args.namespace ?? `app--${ctx.runtime.apiKey}`}.${args.key}`;
      const m = c.metafields.get(key);
      return m ? metafieldView(c, key, m, shop) : null;
    },
    metafields: (args: PageArgs & { namespace?: string | null; keys?: string[] | null }) =>
      connection(
        metafields().filter(
          (m) =>
            (!args.namespace || m.namespace === args.namespace) &&
            (!args.keys || args.keys.includes(`${m.namespace}.${m.key}`)),
        ),
        args,
        (m) => {
          const id = String(m.id).split('/').pop()!;
          return { id, sortValue: id };
        },
        ctx.bulk,
      ),
  };
}

export function shopView(shop: ShopState): View {
  return {
    __typename: 'Shop',
    id: gid('Shop', shop.id),
    name: shop.name,
    myshopifyDomain: shop.domain,
    currencyCode: shop.currencyCode,
    email: `owner@${shop.domain}`,
    ianaTimezone: shop.ianaTimezone,
    url: `https://${shop.domain}`,
  };
}

export function bulkOperationView(op: BulkOperationRecord): View {
  return {
    __typename: 'BulkOperation',
    id: op.id,
    type: op.type,
    status: op.status,
    errorCode: op.errorCode,
    createdAt: op.createdAt,
    completedAt: op.completedAt,
    objectCount: String(op.objectCount),
    rootObjectCount: String(op.rootObjectCount),
    fileSize: op.fileSize === null ? null : String(op.fileSize),
    url: op.url,
    partialDataUrl: null,
    query: op.query,
  };
}
