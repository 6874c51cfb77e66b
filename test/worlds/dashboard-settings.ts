/** Settings a dashboard save accepts, each one unlike its default: a save of them shows in every field. */
import type { DashboardSettings } from '../../functions/dashboard-settings.ts';

export const ACCEPTED_SETTINGS = {
  defaultMarginRate: 0.4,
  horizonMonths: 24,
  monthlyDiscountRate: 0.02,
  tierThresholds: { platinum: 0.1, gold: 0.25, silver: 0.6 },
  tags: false,
} satisfies DashboardSettings;
