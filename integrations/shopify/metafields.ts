/**
 * The `clv` customer metafields (ARCHITECTURE.md, "CRM fields"): their
 * definitions, created at install so merchants can filter and segment on
 * them in the admin, and how a score's fields become metafield values.
 *
 * Customer segments can use any definition of a date, number, text or
 * true-or-false type. Filtering the admin's lists (`adminFilterable`) is
 * narrower: Shopify allows it for single line text, true or false and
 * reference types only, and a limited number of filterable definitions per
 * owner type, shared with the merchant's and other apps'. So only the three
 * labels merchants filter customers by ask for it — tier, segment, churn
 * risk, in that order of priority — and a refusal of the capability
 * (INVALID_CAPABILITY, OWNER_TYPE_LIMIT_EXCEEDED_FOR_USE_AS_ADMIN_FILTERS)
 * creates the definition without it rather than leaving it out.
 */
import type { CrmFields } from '../../shared/crm/fields.ts';
import type { AdminClient, ShopifyUserErrors } from './admin-client.ts';
import { METAFIELD_DEFINITION_CREATE } from './operations.ts';
import { customerGid } from './shopify-ids.ts';

export const NAMESPACE = 'clv';

/** Shopify's limit of metafields in one metafieldsSet call. */
export const METAFIELDS_PER_CALL = 25;

type MetafieldKey = keyof CrmFields | 'scored_at';

export interface MetafieldSpec {
  type: string;
  name: string;
  description: string;
  /** Asks Shopify to make it filterable in the admin (single line text types only). */
  adminFilterable?: true;
}

export const METAFIELDS: Record<MetafieldKey, MetafieldSpec> = {
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
  churn_risk: {
    type: 'single_line_text_field',
    name: 'Churn risk',
    description: 'low, medium or high',
    adminFilterable: true,
  },
  next_order_date: {
    type: 'date',
    name: 'Expected next order',
    description: 'Expected date of the next order',
  },
  segment: {
    type: 'single_line_text_field',
    name: 'CLV segment',
    description: 'RFM group',
    adminFilterable: true,
  },
  tier: {
    type: 'single_line_text_field',
    name: 'CLV tier',
    description: 'platinum, gold, silver or bronze by predicted CLV',
    adminFilterable: true,
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

/** The filterable ones first, most wanted first, so a nearly full owner type gives its last slots to these. */
const FILTER_PRIORITY: MetafieldKey[] = ['tier', 'segment', 'churn_risk'];

/** Shopify's refusals of the capability alone: the definition is created without it. */
const CAPABILITY_REFUSED = new Set([
  'INVALID_CAPABILITY',
  'OWNER_TYPE_LIMIT_EXCEEDED_FOR_USE_AS_ADMIN_FILTERS',
]);

export interface DefinitionRefusal {
  key: string;
  codes: string[];
  message: string;
}

export interface DefinitionsReport {
  created: number;
  /** Already there (code TAKEN): install can run again. */
  existing: number;
  /** Created, but Shopify refused to make them filterable in the admin. */
  notFilterable: DefinitionRefusal[];
  /**
   * Refused outright (a shop's definition limit, a reserved key): their
   * values are still written, typed, as metafields without a definition;
   * they are only missing from segment filters until the merchant makes room.
   */
  refused: DefinitionRefusal[];
}

type UserErrors = ShopifyUserErrors['userErrors'];

const refusal = (key: string, errors: UserErrors): DefinitionRefusal => ({
  key,
  codes: errors.map((e) => e.code ?? 'UNKNOWN'),
  message: errors.map((e) => e.message).join('; '),
});

/**
 * Creates the definitions. No refusal of one definition stops the others or
 * the install (the history import must still be queued); each is reported.
 * Errors of the request itself (throttling, network, a revoked token) are
 * thrown, and the install can simply run again.
 */
export async function createMetafieldDefinitions(client: AdminClient): Promise<DefinitionsReport> {
  const report: DefinitionsReport = { created: 0, existing: 0, notFilterable: [], refused: [] };
  const keys = Object.keys(METAFIELDS) as MetafieldKey[];
  const ordered = [...FILTER_PRIORITY, ...keys.filter((k) => !FILTER_PRIORITY.includes(k))];
  for (const key of ordered) {
    const d = METAFIELDS[key];
    const create = async (filterable: boolean): Promise<UserErrors> =>
      (
        await client.request<{ metafieldDefinitionCreate: { userErrors: UserErrors } }>(
          METAFIELD_DEFINITION_CREATE,
          {
            definition: {
              name: d.name,
              namespace: NAMESPACE,
              key,
              type: d.type,
              description: d.description,
              ownerType: 'CUSTOMER',
              ...(filterable ? { capabilities: { adminFilterable: { enabled: true } } } : {}),
            },
          },
        )
      ).metafieldDefinitionCreate.userErrors;
    let errors = await create(Boolean(d.adminFilterable));
    if (d.adminFilterable && errors.some((e) => e.code && CAPABILITY_REFUSED.has(e.code))) {
      report.notFilterable.push(refusal(key, errors));
      errors = await create(false);
    }
    if (!errors.length) report.created++;
    else if (errors.every((e) => e.code === 'TAKEN')) report.existing++;
    else report.refused.push(refusal(key, errors));
  }
  return report;
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
