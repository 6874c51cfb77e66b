/**
 * The CLV fields on Contact and Account (ARCHITECTURE.md, "CRM fields"), as
 * Salesforce stores them: Currency and Number as numbers, Percent as 0–100,
 * Date as YYYY-MM-DD, DateTime as ISO-8601. A null clears the field.
 */
import type { CrmFields } from '../../shared/crm/fields.ts';

export const CLV_FIELDS = [
  'CLV_Predicted__c',
  'CLV_Historic__c',
  'CLV_Referral_Value__c',
  'CLV_Expected_Orders__c',
  'CLV_P_Alive__c',
  'CLV_Churn_Risk__c',
  'CLV_Segment__c',
  'CLV_Tier__c',
  'CLV_Next_Order_Date__c',
  'CLV_Scored_At__c',
] as const;

export type ClvFieldValues = Record<(typeof CLV_FIELDS)[number], string | number | null>;

export function salesforceFields(fields: CrmFields, scoredAt: string): ClvFieldValues {
  return {
    CLV_Predicted__c: fields.predicted_clv,
    CLV_Historic__c: fields.historic_clv,
    CLV_Referral_Value__c: fields.referral_value,
    CLV_Expected_Orders__c: fields.expected_orders,
    // Percent fields hold 0–100; one decimal, as P(alive) is compared to a tenth of a percent.
    CLV_P_Alive__c: fields.p_alive === null ? null : Math.round(fields.p_alive * 1000) / 10,
    CLV_Churn_Risk__c: fields.churn_risk,
    CLV_Segment__c: fields.segment,
    CLV_Tier__c: fields.tier,
    CLV_Next_Order_Date__c: fields.next_order_date,
    CLV_Scored_At__c: scoredAt,
  };
}
