/**
 * The `clv` customer metafields (ARCHITECTURE.md, "CRM fields"): their
 * definitions, created at install so merchants can filter and segment on
 * them in the admin, and how a score's fields become metafield values.
 */
import type { CrmFields } from '../../shared/crm/fields.ts';
import type { AdminClient, ShopifyUserErrors } from './admin-client.ts';
import { assertNoUserErrors } from './admin-client.ts';
import { METAFIELD_DEFINITION_CREATE } from './operations.ts';
import { customerGid } from './shopify-ids.ts';

export const NAMESPACE = 'clv';

/** Shopify's limit of metafields in one metafieldsSet call. */
export const METAFIELDS_PER_CALL = 25;

type MetafieldKey = keyof CrmFields | 'scored_at';

export const METAFIELDS: Record<MetafieldKey, { type: string; name: string; description: string }> = {
  predicted_clv: {
    type: 'number_decimal',
    name: 'Predicted CLV',
    description: 'Predicted lifetime value over the horizon, discounted, in shop currency',
  },
  historic_clv: {
    type: 'number_decimal',
    name: 'Historic CLV',
    description: 'Value of past orders, net of refunds',
  },
  expected_orders: {
    type: 'number_decimal',
    name: 'Expected orders',
    description: 'Orders expected over the horizon',
  },
  p_alive: {
    type: 'number_decimal',
    name: 'P(alive)',
    description: 'Probability the customer is still active, 0–1',
  },
  churn_risk: { type: 'single_line_text_field', name: 'Churn risk', description: 'low, medium or high' },
  next_order_date: {
    type: 'date',
    name: 'Expected next order',
    description: 'Expected date of the next order',
  },
  segment: { type: 'single_line_text_field', name: 'CLV segment', description: 'RFM group' },
  tier: {
    type: 'single_line_text_field',
    name: 'CLV tier',
    description: 'platinum, gold, silver or bronze by predicted CLV',
  },
  referrals: { type: 'number_integer', name: 'Referrals', description: 'Customers this customer referred' },
  referral_value: {
    type: 'number_decimal',
    name: 'Referral value',
    description: 'Value of the customers this customer referred',
  },
  scored_at: { type: 'date_time', name: 'CLV scored at', description: 'When these values were computed' },
};

export interface MetafieldsSetInput {
  ownerId: string;
  namespace: string;
  key: string;
  type: string;
  value: string;
}

/** Creates the definitions; ones that already exist (code TAKEN) are fine: install can run again. */
export async function createMetafieldDefinitions(
  client: AdminClient,
): Promise<{ created: number; existing: number }> {
  let created = 0;
  let existing = 0;
  for (const [key, d] of Object.entries(METAFIELDS)) {
    const data = await client.request<{
      metafieldDefinitionCreate: { userErrors: ShopifyUserErrors['userErrors'] };
    }>(METAFIELD_DEFINITION_CREATE, {
      definition: {
        name: d.name,
        namespace: NAMESPACE,
        key,
        type: d.type,
        description: d.description,
        ownerType: 'CUSTOMER',
        capabilities: { adminFilterable: { enabled: true } },
      },
    });
    const errors = data.metafieldDefinitionCreate.userErrors;
    if (errors.length && errors.every((e) => e.code === 'TAKEN')) existing++;
    else {
      assertNoUserErrors('metafieldDefinitionCreate', data.metafieldDefinitionCreate);
      created++;
    }
  }
  return { created, existing };
}

/**
 * The metafield values for one customer: every field, not only the changed
 * ones, so an outbox entry that replaced an unwritten older one still leaves
 * the admin complete. A null field (P(alive) under the heuristic, no expected
 * next order) is not written: metafieldsSet has no null, and a delete per
 * customer would double the calls; its old value stays until the next
 * modelled score.
 */
export function metafieldInputs(
  shopifyCustomerId: string,
  fields: CrmFields,
  scoredAt: string,
): MetafieldsSetInput[] {
  const ownerId = customerGid(shopifyCustomerId);
  const inputs: MetafieldsSetInput[] = [];
  for (const key of Object.keys(fields) as (keyof CrmFields)[]) {
    const value = fields[key];
    if (value === null || value === undefined) continue;
    inputs.push({ ownerId, namespace: NAMESPACE, key, type: METAFIELDS[key].type, value: String(value) });
  }
  inputs.push({ ownerId, namespace: NAMESPACE, key: 'scored_at', type: 'date_time', value: scoredAt });
  return inputs;
}
