import { describe, expect, it } from 'vitest';
import { throttleWaitSeconds } from '../../../integrations/shopify/admin-client.ts';
import { customerTags } from '../../../integrations/shopify/customer-tags.ts';
import { metafieldInputs, METAFIELDS } from '../../../integrations/shopify/metafields.ts';
import type { CrmFields } from '../../../shared/crm/fields.ts';

const fields: CrmFields = {
  predicted_clv: 120.5,
  historic_clv: 80,
  expected_orders: 1.25,
  p_alive: null,
  churn_risk: 'medium',
  next_order_date: null,
  segment: 'Needs attention',
  tier: 'gold',
  referrals: 2,
  referral_value: 45.1,
};

describe('metafield values', () => {
  it('writes every non-null field under clv with its definition type, plus scored_at', () => {
    const inputs = metafieldInputs('42', fields, '2026-05-01T00:00:00.000Z');
    expect(inputs.every((i) => i.ownerId === 'gid://shopify/Customer/42' && i.namespace === 'clv')).toBe(
      true,
    );
    expect(inputs.map((i) => i.key)).toEqual([
      'predicted_clv',
      'historic_clv',
      'expected_orders',
      'churn_risk',
      'segment',
      'tier',
      'referrals',
      'referral_value',
      'scored_at',
    ]);
    for (const i of inputs) expect(i.type).toBe(METAFIELDS[i.key as keyof typeof METAFIELDS].type);
    expect(inputs.find((i) => i.key === 'referrals')?.value).toBe('2');
    expect(inputs.find((i) => i.key === 'expected_orders')?.value).toBe('1.25');
  });
});

describe('customer tags', () => {
  it('adds this tier and segment, removes every other one of ours, and nothing else', () => {
    const { add, remove } = customerTags(fields);
    expect(add).toEqual(['clv-tier:gold', 'clv-segment:needs-attention']);
    expect(remove).toContain('clv-tier:platinum');
    expect(remove).toContain('clv-segment:champions');
    expect(remove).not.toContain('clv-tier:gold');
    expect(remove).not.toContain('clv-segment:needs-attention');
    expect(remove).toHaveLength(3 + 10);
    expect(remove.every((t) => t.startsWith('clv-'))).toBe(true);
  });
});

describe('throttle wait', () => {
  it('is the missing points over the restore rate, rounded up, at least a second', () => {
    const status = (currentlyAvailable: number) => ({
      maximumAvailable: 2000,
      currentlyAvailable,
      restoreRate: 100,
    });
    expect(throttleWaitSeconds({ requestedQueryCost: 752, throttleStatus: status(102) })).toBe(7);
    expect(throttleWaitSeconds({ requestedQueryCost: 10, throttleStatus: status(9) })).toBe(1);
    expect(throttleWaitSeconds({ requestedQueryCost: 10, throttleStatus: status(500) })).toBe(1);
    expect(throttleWaitSeconds(undefined)).toBe(1);
  });
});
