/**
 * Shopify's rules for a metafield definition's `adminFilterable` capability,
 * refused the way Shopify refuses them (codes from
 * MetafieldDefinitionCreateUserErrorCode in the 2026-10 introspection):
 *
 * - Only some types can be filtered on: "Single line text or Single line
 *   text (list), Product reference or Product reference (list), True or
 *   false, Collection reference …, Page reference …, Metaobject reference …,
 *   Company reference or Company reference (list)"
 *   (https://shopify.dev/docs/apps/build/custom-data/metafields/query-by-metafield-value).
 *   Another type is refused with INVALID_CAPABILITY and Shopify's words, "The
 *   capability admin_filterable is not valid for this definition." (field
 *   `["definition"]`, as Shopify answered it in
 *   https://community.shopify.com/t/unable-to-create-admin-filterable-metafield-definitions/366655).
 * - At most 50 filterable definitions per owner type ("You can have a
 *   maximum of 50 definitions", https://help.shopify.com/en/manual/custom-data/metafields/filtering-products),
 *   counting every app's and the merchant's: one more is refused with
 *   OWNER_TYPE_LIMIT_EXCEEDED_FOR_USE_AS_ADMIN_FILTERS, "You have reached the
 *   maximum allowed definitions to be used as admin filters." (the enum
 *   value's description).
 */
import type { MetafieldDefinitionRecord } from './shop-state.ts';

export const ADMIN_FILTERABLE_TYPES: readonly string[] = [
  'single_line_text_field',
  'list.single_line_text_field',
  'product_reference',
  'list.product_reference',
  'boolean',
  'collection_reference',
  'list.collection_reference',
  'page_reference',
  'list.page_reference',
  'metaobject_reference',
  'list.metaobject_reference',
  'company_reference',
  'list.company_reference',
];

export const ADMIN_FILTERABLE_PER_OWNER_TYPE = 50;

export interface CapabilityRefusal {
  field: string[];
  message: string;
  code: 'INVALID_CAPABILITY' | 'OWNER_TYPE_LIMIT_EXCEEDED_FOR_USE_AS_ADMIN_FILTERS';
}

/** Why a definition of `type` for `ownerType` may not be admin-filterable in this shop, or null. */
export function adminFilterableRefusal(
  definitions: readonly MetafieldDefinitionRecord[],
  ownerType: string,
  type: string,
): CapabilityRefusal | null {
  if (!ADMIN_FILTERABLE_TYPES.includes(type))
    return {
      field: ['definition'],
      message: 'The capability admin_filterable is not valid for this definition.',
      code: 'INVALID_CAPABILITY',
    };
  const used = definitions.filter((d) => d.ownerType === ownerType && d.adminFilterable).length;
  if (used >= ADMIN_FILTERABLE_PER_OWNER_TYPE)
    return {
      field: ['definition'],
      message: 'You have reached the maximum allowed definitions to be used as admin filters.',
      code: 'OWNER_TYPE_LIMIT_EXCEEDED_FOR_USE_AS_ADMIN_FILTERS',
    };
  return null;
}
