/**
 * What every resolver can see: the sandbox-wide runtime (clock, origin,
 * schema, staged uploads) and the request's shop and granted scopes. Access
 * is checked the way Shopify checks it, per field, from the token's scopes.
 */
import type { GraphQLSchema } from 'graphql';
import { GraphQLError } from 'graphql';
import type { ShopState } from './shop-state.ts';
import type { StagedUploads } from './staged-uploads.ts';

export interface SandboxRuntime {
  origin: string;
  apiVersion: string;
  apiKey: string;
  apiSecret: string;
  now: () => number;
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
export function hasScope(ctx: ExecContext, scope: string): boolean {
  return ctx.scopes.has(scope) || (scope.startsWith('read_') && ctx.scopes.has(`write_${scope.slice(5)}`));
}

export function requireScope(ctx: ExecContext, scope: string, field: string): void {
  if (hasScope(ctx, scope)) return;
  throw new GraphQLError(`Access denied for ${field} field. Required access: \`${scope}\` access scope.`, {
    extensions: {
      code: 'ACCESS_DENIED',
      documentation: 'https://shopify.dev/api/usage/access-scopes',
      requiredAccess: `\`${scope}\` access scope.`,
    },
  });
}

export const isoNow = (ctx: { runtime: SandboxRuntime }): string =>
  new Date(ctx.runtime.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
