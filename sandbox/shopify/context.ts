/**
 * What every resolver can see: the sandbox-wide runtime (clock, origin,
 * schemas, staged uploads) and the request's shop and granted scopes.
 * Access is checked the way Shopify checks it, per field, from the token's
 * scopes: by field-access.ts for every `requiredAccess` the introspection
 * states as scopes, and by `requireScope` in a resolver where Shopify
 * states the rule in words (metafieldsSet: "the same access level needed to
 * mutate the owner resource").
 */
import type { GraphQLSchema } from 'graphql';
import { accessDenied, grants } from './access-scopes.ts';
import type { AdminSchema } from './admin-schema.ts';
import type { ShopState } from './shop-state.ts';
import type { StagedUploads } from './staged-uploads.ts';

export interface SandboxRuntime {
  origin: string;
  apiVersion: string;
  apiKey: string;
  apiSecret: string;
  now: () => number;
  /** Shopify's real schema of `apiVersion`: validation, variables and access rules. */
  admin: AdminSchema;
  /** The sandbox's slice of it, which execution runs on. */
  schema: GraphQLSchema;
  uploads: StagedUploads;
  bulkPollsUntilDone: number;
  /** A fresh numeric id for objects the sandbox creates (metafields, definitions, bulk operations). */
  nextId: () => string;
}

export interface ExecContext {
  runtime: SandboxRuntime;
  shop: ShopState;
  scopes: ReadonlySet<string>;
  /** Inside a bulk operation: connections are not paged, metafield writes are recorded as 'bulk'. */
  bulk: boolean;
}

/** `write_x` implies `read_x`, as on Shopify. */
export const hasScope = (ctx: ExecContext, scope: string): boolean => grants(ctx.scopes, scope);

export function requireScope(ctx: ExecContext, scope: string, field: string): void {
  if (!hasScope(ctx, scope)) throw accessDenied(field, `\`${scope}\` access scope.`);
}

export const isoNow = (ctx: { runtime: SandboxRuntime }): string =>
  new Date(ctx.runtime.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
