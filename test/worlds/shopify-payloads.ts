/** Webhook bodies the Shopify-side tests send: a buyer's order and the compliance topics naming a person. */

export interface Buyer {
  id: number;
  email: string;
}

/** The `n`th order of a buyer (id `base + n`), spread over the first months of 2026. */
export const buyerOrder = (base: number, n: number, buyer: Buyer, extra: Record<string, unknown> = {}) => ({
  id: base + n,
  created_at: `2026-0${1 + (n % 5)}-1${n % 9}T10:00:00Z`,
  updated_at: `2026-0${1 + (n % 5)}-1${n % 9}T10:00:00Z`,
  currency: 'EUR',
  email: buyer.email,
  customer: { id: buyer.id, email: buyer.email },
  current_subtotal_price: (40 + n * 7).toFixed(2),
  refunds: [],
  ...extra,
});

/** Buyer `n` of a generated history: Shopify customer `idBase + n`, with an address of their own. */
export const numberedBuyer = (idBase: number, n: number): Buyer => ({
  id: idBase + n,
  email: `buyer.${n}@example.com`,
});

/** An instant as Shopify writes it in a webhook: ISO 8601 to the second. */
export const shopifyTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** An order webhook body with the fields orderFromWebhook reads: placed at `placed`, last changed at `updated`. */
export const orderWebhookBody = (
  o: { id: number; buyer: Buyer; placed: number; updated: number; currency: string; subtotal: string },
  extra: Record<string, unknown> = {},
) => ({
  id: o.id,
  created_at: shopifyTime(o.placed),
  processed_at: shopifyTime(o.placed),
  updated_at: shopifyTime(o.updated),
  currency: o.currency,
  email: o.buyer.email,
  customer: { id: o.buyer.id, email: o.buyer.email },
  current_subtotal_price: o.subtotal,
  refunds: [],
  test: false,
  ...extra,
});

export const customersRedact = (shop: string, person: Buyer, shopId = 1) => ({
  shop_id: shopId,
  shop_domain: shop,
  customer: { id: person.id, email: person.email, phone: null },
  orders_to_redact: [],
});

export const customersDataRequest = (shop: string, person: Buyer, id: number, shopId = 1) => ({
  shop_id: shopId,
  shop_domain: shop,
  customer: { id: person.id, email: person.email, phone: null },
  orders_requested: [],
  data_request: { id },
});

/** An orders/create body with the REST fields Shopify sends beyond what the handler reads. */
export const restOrderWebhook = (o: {
  id: number;
  email: string;
  at: string;
  currency: string;
  subtotal: string;
  customer: Record<string, unknown>;
}) => ({
  id: o.id,
  admin_graphql_api_id: `gid://shopify/Order/${o.id}`,
  email: o.email,
  created_at: o.at,
  updated_at: o.at,
  processed_at: o.at,
  cancelled_at: null,
  currency: o.currency,
  test: false,
  current_subtotal_price: o.subtotal,
  current_subtotal_price_set: { shop_money: { amount: o.subtotal, currency_code: o.currency } },
  customer: o.customer,
  discount_codes: [],
  note_attributes: [],
  landing_site: null,
  line_items: [],
  refunds: [],
});
