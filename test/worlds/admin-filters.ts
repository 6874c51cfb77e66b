/**
 * Admin filters another app holds on a sandbox shop. Shopify allows 50 filterable definitions per owner
 * type, counting the merchant's and every app's (sandbox/shopify/metafield-capabilities.ts), so a shop can
 * have few or none left for ours.
 */
import type { SandboxShop } from '../../sandbox/shopify/index.ts';

/** Adds customer definitions of `namespace`, each filterable in the admin, until `upTo` filters are taken. */
export function takeAdminFilters(shop: SandboxShop, upTo: number, namespace: string): void {
  const taken = shop.metafieldDefinitions.filter((d) => d.ownerType === 'CUSTOMER' && d.adminFilterable);
  for (let i = taken.length; i < upTo; i++)
    shop.metafieldDefinitions.push({
      id: String(990_000 + i),
      ownerType: 'CUSTOMER',
      namespace,
      key: `f${i}`,
      type: 'single_line_text_field',
      name: `Filter ${i}`,
      description: null,
      adminFilterable: true,
    });
}
