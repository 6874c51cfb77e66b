import { describe, expect, it } from 'vitest';
import type { CrmFields } from '../../../shared/crm/fields.ts';
import {
  isDeadLetter,
  MAX_WRITE_ATTEMPTS,
  outboxPages,
  recordWriteFailure,
  settleOutboxEntry,
} from '../../../shared/store/outbox.ts';
import type { OutboxEntry } from '../../../shared/store/scores.ts';
import { putScoreWithOutbox, scorePages } from '../../../shared/store/scores.ts';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../../shared/store/keys.ts';
import { putTenant, TenantRouteConflictError, tenantIdFor } from '../../../shared/store/tenants.ts';
import { tenantName, testStore } from '../../helpers/dynamo.ts';

const store = testStore();

const fields: CrmFields = {
  predicted_clv: 120.5,
  historic_clv: 80,
  expected_orders: 1.2,
  p_alive: 0.8,
  churn_risk: 'low',
  next_order_date: '2026-07-01',
  segment: 'Loyal',
  tier: 'gold',
  referrals: 0,
  referral_value: 0,
};

/** The customer's profile: a score is stored only for a customer that exists. */
async function customerExists(tenantId: string): Promise<void> {
  await store.doc.send(
    new PutCommand({
      TableName: store.table,
      Item: { ...keys.profile(tenantId, 'c1'), kind: 'profile', identities: new Set(['shopify:1']) },
    }),
  );
}

const scoreOf = (scoredAt: string) => ({
  customerId: 'c1',
  fields,
  method: 'model' as const,
  modelVersion: null,
  scoredAt,
  history: { days: [1], values: [80], margins: [null] },
  identities: ['shopify:1'],
  detail: { pAlive: 0.8, churnRisk: 0.2, expectedOrderValue: 80, predictedClv: 120.5 },
});

const entryOf = (scoredAt: string): OutboxEntry => ({
  target: 'shopify',
  customerId: 'c1',
  identities: ['shopify:1'],
  fields,
  changed: ['tier'],
  scoredAt,
});

async function pending(tenantId: string, scoredAt: string): Promise<OutboxEntry> {
  await customerExists(tenantId);
  const entry = entryOf(scoredAt);
  expect(await putScoreWithOutbox(store, tenantId, scoreOf(scoredAt), [entry])).toBe('stored');
  return entry;
}

async function all(tenantId: string) {
  const out = [];
  for await (const page of outboxPages(store, tenantId, 'shopify')) out.push(...page);
  return out;
}

describe('the outbox as write-back sees it (DynamoDB Local)', () => {
  it('stores no score or outbox entry for a customer merged away or deleted meanwhile', async () => {
    const tenantId = tenantName('gone');
    const entry = entryOf('2026-01-01T00:00:00.000Z');
    expect(await putScoreWithOutbox(store, tenantId, scoreOf(entry.scoredAt), [entry])).toBe('gone');
    expect(await all(tenantId)).toEqual([]);
    const scores = [];
    for await (const page of scorePages(store, tenantId)) scores.push(...page);
    expect(scores).toEqual([]);
  });

  it('settles a written entry, but keeps one that a newer score replaced meanwhile', async () => {
    const tenantId = tenantName('outbox');
    const first = await pending(tenantId, '2026-05-01T00:00:00.000Z');
    await pending(tenantId, '2026-05-02T00:00:00.000Z'); // rescored while the first was being written
    expect(await settleOutboxEntry(store, tenantId, first)).toBe(false);
    const [left] = await all(tenantId);
    expect(left?.scoredAt).toBe('2026-05-02T00:00:00.000Z');
    expect(await settleOutboxEntry(store, tenantId, left!)).toBe(true);
    expect(await all(tenantId)).toEqual([]);
  });

  it('counts failures with their reason and turns the entry into a dead letter after the limit', async () => {
    const tenantId = tenantName('outbox-fail');
    const entry = await pending(tenantId, '2026-05-01T00:00:00.000Z');
    for (let i = 0; i < MAX_WRITE_ATTEMPTS; i++) {
      expect(isDeadLetter((await all(tenantId))[0]!)).toBe(false);
      await recordWriteFailure(store, tenantId, entry, `metafieldsSet: Owner does not exist (${i})`);
    }
    const [dead] = await all(tenantId);
    expect(dead?.attempts).toBe(MAX_WRITE_ATTEMPTS);
    expect(dead?.lastError).toBe(`metafieldsSet: Owner does not exist (${MAX_WRITE_ATTEMPTS - 1})`);
    expect(isDeadLetter(dead!)).toBe(true);
    // A new score starts the count again: it may well be writable.
    await pending(tenantId, '2026-05-03T00:00:00.000Z');
    expect(isDeadLetter((await all(tenantId))[0]!)).toBe(false);
  });
});

describe('routing a shop or an org to its tenant', () => {
  it('finds the tenant of a shop, and refuses to link the shop to a second tenant', async () => {
    const a = tenantName('route-a');
    const shop = `${a}.myshopify.com`;
    await putTenant(store, {
      tenantId: a,
      shopifyShop: shop,
      currency: 'USD',
      salesforceOrgId: '00D5g000001AbCdEAF',
    });
    expect(await tenantIdFor(store, 'shopify', shop)).toBe(a);
    expect(await tenantIdFor(store, 'salesforce', '00D5g000001AbCd')).toBe(a);
    expect(await tenantIdFor(store, 'shopify', 'nobody.myshopify.com')).toBeNull();
    await expect(
      putTenant(store, { tenantId: tenantName('route-b'), shopifyShop: shop, currency: 'USD' }),
    ).rejects.toThrow(TenantRouteConflictError);
    // Saving the same tenant again is fine.
    await putTenant(store, { tenantId: a, shopifyShop: shop, currency: 'EUR' });
  });
});
