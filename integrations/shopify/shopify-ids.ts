/**
 * Shopify ids in their two spellings: the REST number (`123`) that webhooks
 * carry and we store, and the GraphQL global id (`gid://shopify/Customer/123`)
 * that the Admin GraphQL API and bulk JSONL use.
 *
 * Ids are kept as strings of digits. Shopify's ids fit in 64 bits, not in a
 * double: a REST payload parsed with plain JSON.parse rounds any id above
 * 2^53. Webhook bodies are parsed keeping such ids as digits
 * (webhook-json.ts); still, a payload's `admin_graphql_api_id` (a string,
 * exact whoever parsed it) is preferred to its `id` wherever both are present.
 */
import * as z from 'zod';
import { ShopifyPayloadError } from './payload-errors.ts';

export class InvalidShopifyIdError extends ShopifyPayloadError {
  override name = 'InvalidShopifyIdError';
}

const GID = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)(?:\?.*)?$/;
const DIGITS = /^\d+$/;

/** `gid://shopify/Order/123` → `'123'`; with `type`, the gid must be of that type. */
export function numericId(gid: string, type?: string): string {
  const match = GID.exec(gid);
  if (!match || (type !== undefined && match[1] !== type)) {
    throw new InvalidShopifyIdError(
      `${JSON.stringify(gid)} is not a Shopify ${type ?? 'global'} id (expected gid://shopify/${type ?? '<Type>'}/<digits>)`,
    );
  }
  return match[2]!;
}

/** The type of a gid (`Order`, `LineItem`, …), or undefined when it is not one. */
export function gidType(gid: string): string | undefined {
  return GID.exec(gid)?.[1];
}

/** A customer's GraphQL id from its stored numeric id (a gid of a customer is returned as it is). */
export function customerGid(id: string | number): string {
  const text = String(id).trim();
  if (GID.test(text)) return `gid://shopify/Customer/${numericId(text, 'Customer')}`;
  if (!DIGITS.test(text) || (typeof id === 'number' && !Number.isSafeInteger(id))) {
    throw new InvalidShopifyIdError(
      `${JSON.stringify(id)} is not a Shopify customer id (expected its digits, as stored from a webhook or a bulk export)`,
    );
  }
  return `gid://shopify/Customer/${text}`;
}

const ROUNDED =
  'this id is above 2^53 and was rounded when the JSON was parsed; parse the body keeping big integers as strings, or send admin_graphql_api_id';

/** A REST id as sent: a non-negative integer, or a string of digits (from a parser that keeps big integers as text). */
export const restIdInputSchema = z.union([
  z.string().regex(DIGITS, 'expected a Shopify id: a string of digits'),
  // Not z.int(): zod stops integers at 2^53, and a bigger one is still exact when a gid comes with it.
  z.number().nonnegative().refine(Number.isInteger, { message: 'expected a Shopify id: a whole number' }),
]);

/**
 * A REST id that must be exact on its own (no gid beside it): a number above
 * 2^53 has already lost its last digits, so it is refused rather than stored wrong.
 */
export const restIdSchema = restIdInputSchema
  .refine((id) => typeof id === 'string' || Number.isSafeInteger(id), { message: ROUNDED })
  .transform(String);

/** The exact id of a REST resource: its gid's digits when present, else its `id` if that is exact. */
export function exactId(id: string | number, gidDigits: string | null | undefined, path: string): string {
  if (gidDigits) return gidDigits;
  if (typeof id === 'number' && !Number.isSafeInteger(id)) {
    throw new InvalidShopifyIdError(`${path} is ${id}: ${ROUNDED}`, { path });
  }
  return String(id);
}

/** A gid of the given type, as its numeric id. */
export function gidSchema(type: string) {
  return z
    .string()
    .regex(new RegExp(`^gid://shopify/${type}/\\d+(?:\\?.*)?$`), `expected gid://shopify/${type}/<digits>`)
    .transform((gid) => numericId(gid, type));
}
