/**
 * Every field the sandbox resolves is checked against the token's scopes
 * with Shopify's own rules: the field's `requiredAccess` and that of the
 * type it returns (a connection's: that of its nodes, so `orders` is denied
 * as a whole, as Shopify words it, "Access denied for orders field"), both
 * from the real introspection (admin-schema.ts, access-scopes.ts). A field
 * returning an interface (`node`, `nodes`) is checked against the type of
 * the object it resolved to. A denied field resolves to an ACCESS_DENIED
 * error at its path and null, and the rest of the answer stands, as on
 * Shopify.
 */
import type { GraphQLFieldResolver, GraphQLOutputType } from 'graphql';
import { defaultFieldResolver, getNamedType, isAbstractType, isObjectType } from 'graphql';
import { accessDenied, meets, scopeRule } from './access-scopes.ts';
import type { AdminSchema } from './admin-schema.ts';
import type { ExecContext } from './context.ts';

/** The type whose access a field needs: its named type, or a connection's node type. */
export function elementType(type: GraphQLOutputType): string {
  const named = getNamedType(type);
  if (isObjectType(named) && named.name.endsWith('Connection')) {
    const nodes = named.getFields().nodes;
    if (nodes) return getNamedType(nodes.type).name;
  }
  return named.name;
}

export function accessCheckingResolver(
  admin: AdminSchema,
  granted: ReadonlySet<string>,
): GraphQLFieldResolver<unknown, ExecContext> {
  const decided = new Map<string, string | null>();
  const refusal = (keys: string[], operation: 'query' | 'mutation'): string | null => {
    const key = `${operation}:${keys.join('|')}`;
    let text = decided.get(key);
    if (text === undefined) {
      text = null;
      for (const k of keys) {
        const access = k.includes('.') ? admin.fieldAccess.get(k) : admin.typeAccess.get(k);
        if (access && !meets(granted, scopeRule(access, operation))) {
          text = access;
          break;
        }
      }
      decided.set(key, text);
    }
    return text;
  };
  return (source, args, ctx, info) => {
    const operation = info.operation.operation === 'mutation' ? 'mutation' : 'query';
    const denied = refusal(
      [`${info.parentType.name}.${info.fieldName}`, elementType(info.returnType)],
      operation,
    );
    if (denied) throw accessDenied(info.fieldName, denied);
    const value = defaultFieldResolver(source, args, ctx, info);
    if (!isAbstractType(getNamedType(info.returnType))) return value;
    const check = (resolved: unknown): unknown => {
      if (Array.isArray(resolved)) return resolved.map(check);
      const typename = (resolved as { __typename?: unknown } | null)?.__typename;
      const text = typeof typename === 'string' ? refusal([typename], operation) : null;
      if (text) throw accessDenied(info.fieldName, text);
      return resolved;
    };
    return value instanceof Promise ? value.then(check) : check(value);
  };
}
