/**
 * Shopify's `requiredAccess` texts (admin-schema.ts) read as scope rules,
 * and checked against a token's granted scopes.
 *
 * The texts are the API reference's "Requires …" lines. The forms that name
 * access scopes are read:
 *   "`read_products` access scope."                        one scope
 *   "`read_inventory` access scope or `read_products` …"   any of them
 *   "`read_orders`, `read_marketplace_orders` or …"        any of them
 *   "`write_products` access scope as well as any of `a`, `b` access scopes."   both parts
 *   "`read_markets` for queries and both `read_markets` as well as `write_markets` for mutations."
 *   "… Also: Requires `read_customer_payment_methods` scope."  one more part
 * What is not a scope — a staff member's permission, a plan, "Only
 * accessible by supported access tokens", "access to the namespace" — is
 * not decided by an offline token's scopes and is not enforced here; a part
 * that may be met by such a permission instead of a scope is not enforced
 * either. `write_x` grants `read_x`: "Any scope that writes a resource also
 * grants read access to it" (https://shopify.dev/docs/api/usage/access-scopes).
 *
 * A refusal is Shopify's: "Access denied for <field> field. Required
 * access: <requiredAccess>" with extensions code ACCESS_DENIED, the
 * documentation link and the requiredAccess text
 * (https://shopify.dev/changelog/new-error-messages-for-graphql-operations-without-necessary-access-scopes).
 */
import { GraphQLError } from 'graphql';

/** Every part must be met; a part is met by any one of its scopes. */
export type ScopeRule = readonly (readonly string[])[];

const SCOPE = /^(?:read|write|unauthenticated_read|unauthenticated_write|customer_read|customer_write)_\w+$/;

const scopesIn = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

function parts(text: string): string[][] {
  const out: string[][] = [];
  for (const part of text.split(/\bas well as\b/)) {
    const names = scopesIn(part);
    // A part with a permission or prose beside its scopes may be met without a scope: not ours to decide.
    if (!names.length || names.some((n) => !SCOPE.test(n)) || /permission/i.test(part)) continue;
    out.push(names);
  }
  return out;
}

const rules = new Map<string, { query: ScopeRule; mutation: ScopeRule }>();

/** The scope rule of a requiredAccess text, for a field of a query or of a mutation. */
export function scopeRule(text: string, operation: 'query' | 'mutation'): ScopeRule {
  let rule = rules.get(text);
  if (!rule) {
    const [main = '', also = ''] = text.split(/\bAlso:/);
    const extra = [...also.matchAll(/Requires `([^`]+)` scope/g)].map((m) => [m[1]!]);
    const split = /^(.*?) for queries and (.*?) for mutations\.?\s*$/s.exec(main.trim());
    rule = split
      ? { query: [...parts(split[1]!), ...extra], mutation: [...parts(split[2]!), ...extra] }
      : { query: [...parts(main), ...extra], mutation: [...parts(main), ...extra] };
    rules.set(text, rule);
  }
  return rule[operation];
}

export function grants(granted: ReadonlySet<string>, scope: string): boolean {
  return granted.has(scope) || (scope.startsWith('read_') && granted.has(`write_${scope.slice(5)}`));
}

export function meets(granted: ReadonlySet<string>, rule: ScopeRule): boolean {
  return rule.every((anyOf) => anyOf.some((scope) => grants(granted, scope)));
}

export function accessDenied(field: string, requiredAccess: string): GraphQLError {
  return new GraphQLError(`Access denied for ${field} field. Required access: ${requiredAccess}`, {
    extensions: {
      code: 'ACCESS_DENIED',
      documentation: 'https://shopify.dev/api/usage/access-scopes',
      requiredAccess,
    },
  });
}
