/**
 * `POST /sandbox/customers`: a test control, not a Shopify API. It puts a customer into the shop named by
 * `x-forwarded-host` (or Host), as a storefront checkout would have created them, for tests that reach the
 * sandbox over HTTP only (it runs inside `npm start`) and then deliver a webhook about that customer: on a
 * real shop, an order webhook is only ever about a customer the shop has. The body is the customer as an
 * order webhook carries it (REST JSON); the id is read from `admin_graphql_api_id`, since the numeric `id`
 * of a documented example has been rounded past 2^53 by JSON.parse. Shopify's Admin API cannot do this:
 * `customerCreate` picks the id itself.
 */
import { parseGid } from './gid.ts';
import type { ShopState } from './shop-state.ts';

export const SEED_CUSTOMERS_PATH = '/sandbox/customers';

export function seedCustomer(
  shop: ShopState | undefined,
  body: Record<string, unknown> | null,
): { status: number; body: unknown } {
  if (!shop) return { status: 404, body: { errors: 'Not Found' } };
  const str = (key: string) => (typeof body?.[key] === 'string' ? (body[key] as string) : undefined);
  const ref = parseGid(str('admin_graphql_api_id') ?? '');
  if (!ref || ref.type !== 'Customer')
    return { status: 400, body: { errors: 'admin_graphql_api_id must be a gid://shopify/Customer/… id' } };
  const customer = shop.addCustomer({
    id: ref.id,
    email: str('email') ?? null,
    ...(str('first_name') !== undefined ? { firstName: str('first_name')! } : {}),
    ...(str('last_name') !== undefined ? { lastName: str('last_name')! } : {}),
  });
  return { status: 201, body: { id: `gid://shopify/Customer/${customer.id}`, email: customer.email } };
}
