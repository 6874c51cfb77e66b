/**
 * Shopify's real Admin GraphQL schema for an API version: the introspection
 * result Shopify publishes in npm `@shopify/dev-mcp`
 * (`dist/data/admin_<version>.json.gz`), built once per process, on first
 * use (it is 11 MB of JSON; about 0.4 s to build), and kept.
 *
 * Besides the standard introspection keys, Shopify's file carries its own:
 * `requiredAccess` on types and on fields (the "Requires …" line of the API
 * reference, e.g. "`read_products` access scope."), and `isProtected` on
 * fields that are protected customer data. graphql-js drops unknown keys
 * when it builds the schema, so they are read here into maps of their own.
 *
 * graphql-js checks a schema before its first use and would refuse
 * Shopify's: six implementations deprecate a field their interface does not
 * (`ChannelDefinition.id` under `Node.id`, …). So it is built with
 * `assumeValid`: it is Shopify's own schema, taken as served.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { GraphQLSchema, IntrospectionQuery } from 'graphql';
import { buildClientSchema } from 'graphql';

export interface AdminSchema {
  version: string;
  schema: GraphQLSchema;
  /** Type name → its requiredAccess text, for the types that have one. */
  typeAccess: ReadonlyMap<string, string>;
  /** `Type.field` → the field's requiredAccess text, for the fields that have one. */
  fieldAccess: ReadonlyMap<string, string>;
}

interface ShopifyIntrospectionType {
  name: string;
  requiredAccess?: string | null;
  fields?: { name: string; requiredAccess?: string | null }[] | null;
}

/** Where @shopify/dev-mcp keeps the introspection of a version (the package has no export for its data). */
export const introspectionFile = (version: string): URL =>
  new URL(`../../node_modules/@shopify/dev-mcp/dist/data/admin_${version}.json.gz`, import.meta.url);

const cache = new Map<string, AdminSchema>();

export function adminSchema(version: string): AdminSchema {
  let found = cache.get(version);
  if (found) return found;
  let raw: Buffer;
  try {
    raw = readFileSync(introspectionFile(version));
  } catch (error) {
    throw new Error(
      `no Admin GraphQL introspection for API version ${version} in @shopify/dev-mcp (dist/data/admin_${version}.json.gz): ` +
        'pick a version the package ships, or update the package',
      { cause: error },
    );
  }
  const result = JSON.parse(gunzipSync(raw).toString('utf8')) as { data: IntrospectionQuery };
  const typeAccess = new Map<string, string>();
  const fieldAccess = new Map<string, string>();
  for (const type of result.data.__schema.types as unknown as ShopifyIntrospectionType[]) {
    if (type.requiredAccess) typeAccess.set(type.name, type.requiredAccess);
    for (const field of type.fields ?? [])
      if (field.requiredAccess) fieldAccess.set(`${type.name}.${field.name}`, field.requiredAccess);
  }
  found = {
    version,
    schema: buildClientSchema(result.data, { assumeValid: true }),
    typeAccess,
    fieldAccess,
  };
  cache.set(version, found);
  return found;
}
