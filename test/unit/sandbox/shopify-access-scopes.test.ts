/**
 * Shopify's requiredAccess texts (from its 2026-10 introspection) read as
 * scope rules: the forms that name scopes become rules; what names a staff
 * permission or a plan is left alone rather than guessed at.
 */
import { describe, expect, it } from 'vitest';
import { meets, scopeRule } from '../../../sandbox/shopify/access-scopes.ts';
import { adminSchema } from '../../../sandbox/shopify/admin-schema.ts';

describe('requiredAccess as scope rules', () => {
  it('reads each form Shopify writes', () => {
    expect(scopeRule('`read_products` access scope.', 'query')).toEqual([['read_products']]);
    expect(scopeRule('`read_inventory` access scope or `read_products` access scope.', 'query')).toEqual([
      ['read_inventory', 'read_products'],
    ]);
    expect(
      scopeRule(
        '`read_orders` access scope, `read_marketplace_orders` access scope or `read_quick_sale` access scope.',
        'query',
      ),
    ).toEqual([['read_orders', 'read_marketplace_orders', 'read_quick_sale']]);
    const markets =
      '`read_markets` for queries and both `read_markets` as well as `write_markets` for mutations.';
    expect(scopeRule(markets, 'query')).toEqual([['read_markets']]);
    expect(scopeRule(markets, 'mutation')).toEqual([['read_markets'], ['write_markets']]);
    expect(
      scopeRule(
        '`read_customers` access scope. Also: Requires `read_customer_payment_methods` scope.',
        'query',
      ),
    ).toEqual([['read_customers'], ['read_customer_payment_methods']]);
    expect(
      scopeRule('Any of `shipping` access scopes or `manage_delivery_settings` user permission.', 'query'),
    ).toEqual([]);
    expect(
      scopeRule(
        'Only accessible by supported access tokens: https://shopify.dev/docs/api/usage/bulk-operations/queries#access-token-considerations.',
        'mutation',
      ),
    ).toEqual([]);
  });

  it('grants read with write, and nothing else by implication', () => {
    const rule = scopeRule('`read_products` access scope.', 'query');
    expect(meets(new Set(['write_products']), rule)).toBe(true);
    expect(meets(new Set(['read_inventory']), rule)).toBe(false);
    expect(meets(new Set(['read_products']), scopeRule('`write_products` access scope.', 'mutation'))).toBe(
      false,
    );
  });

  it('reads every requiredAccess of the 2026-10 schema into scopes that look like scopes', () => {
    const { typeAccess, fieldAccess } = adminSchema('2026-10');
    const texts = new Set([...typeAccess.values(), ...fieldAccess.values()]);
    expect(texts.size).toBeGreaterThan(200);
    const scopes = new Set<string>();
    for (const text of texts)
      for (const op of ['query', 'mutation'] as const)
        for (const part of scopeRule(text, op)) for (const s of part) scopes.add(s);
    expect([...scopes].every((s) => /^[a-z]+(?:_[a-z]+)+$/.test(s))).toBe(true);
    for (const s of ['read_products', 'read_orders', 'read_customers', 'write_customers', 'read_inventory'])
      expect(scopes.has(s), s).toBe(true);
  });
});
