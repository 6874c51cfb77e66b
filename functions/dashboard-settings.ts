/**
 * The settings a merchant edits on the dashboard: the part of the tenant's
 * settings that shapes scores and what is written to Shopify. Everything else
 * on the tenant (linked shop and org, currency, Salesforce connection) is not
 * the dashboard's to change, so the schema is strict: an unknown or
 * misspelt field is refused with a 400 instead of being silently dropped.
 */
import * as z from 'zod';
import type { TenantSettings } from '../shared/store/tenants.ts';

const share = z.number().gt(0).lt(1);

export const DashboardSettingsSchema = z.strictObject({
  /** Profit share of an order whose cost is unknown, 0–1 (1 = score revenue). */
  defaultMarginRate: z.number().gt(0).lte(1),
  horizonMonths: z.int().min(1).max(120),
  monthlyDiscountRate: z.number().min(0).lt(1),
  /** Shares of customers from the top in each tier or a better one. */
  tierThresholds: z
    .strictObject({ platinum: share, gold: share, silver: share })
    .refine((t) => t.platinum < t.gold && t.gold < t.silver, {
      message: 'tier shares must increase: platinum < gold < silver (each the share in that tier or better)',
    }),
  /** Whether clv-tier:… and clv-segment:… tags are written to customers. */
  tags: z.boolean(),
});

export type DashboardSettings = z.infer<typeof DashboardSettingsSchema>;

export function dashboardSettingsOf(tenant: TenantSettings): DashboardSettings {
  const { defaultMarginRate, horizonMonths, monthlyDiscountRate, tierThresholds, tags } = tenant;
  return { defaultMarginRate, horizonMonths, monthlyDiscountRate, tierThresholds, tags };
}
