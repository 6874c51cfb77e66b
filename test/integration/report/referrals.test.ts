/**
 * Referrals through the real pipeline on DynamoDB Local: each customer's referrals and referral value,
 * and the tenant's referred-vs-rest uplift stored with the model, checked against a computation made
 * here from the stored scores alone.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { getModel } from '../../../shared/store/models.ts';
import { identityKeys } from '../../../shared/store/order.ts';
import type { StoredScore } from '../../../shared/store/scores.ts';
import { outboxEntries } from '../../../shared/store/scores.ts';
import { scoresOf, tenantName, testStore } from '../../helpers/dynamo.ts';
import { referredOrders, referrerOf, seedShop } from './referred-shop.ts';

const store = testStore();
const NOW = Date.parse('2026-03-01T00:00:00Z');
const orders = referredOrders({ orders: 1500, customers: 500, seed: 23 });

const clv = (s: StoredScore) => Math.max(0, s.detail.predictedClv);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: number[]) => {
  const m = mean(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
};

describe('referral metrics computed by the refit (DynamoDB Local)', () => {
  const tenantId = tenantName('referrals');
  let scores: Map<string, StoredScore>;
  /** Our customer id for the shop's customer number, from the stored identities. */
  const byNumber = new Map<number, StoredScore>();
  const byIdentity = new Map<string, StoredScore>();

  beforeAll(async () => {
    await seedShop(store, tenantId, orders, NOW);
    scores = await scoresOf(store, tenantId);
    for (const s of scores.values()) {
      for (const k of s.identities) byIdentity.set(k, s);
      const shopify = s.identities.find((k) => k.startsWith('shopify:'));
      byNumber.set(Number(shopify!.slice('shopify:'.length)) - 7_000_000, s);
    }
  }, 300_000);

  /** Independently: who referred whom, by the seeding rules and the stored identities. */
  function expected() {
    const referrals = new Map<string, { count: number; value: number }>();
    const referred: number[] = [];
    const rest: number[] = [];
    let ignored = 0;
    for (const [c, s] of byNumber) {
      const link = referrerOf(c);
      const referrer =
        link &&
        identityKeys(link)
          .map((k) => byIdentity.get(k))
          .find(Boolean);
      if (!link) rest.push(clv(s));
      else if (!referrer || referrer.customerId === s.customerId) {
        ignored++;
        rest.push(clv(s));
      } else {
        const r = referrals.get(referrer.customerId) ?? { count: 0, value: 0 };
        r.count++;
        r.value += clv(s);
        referrals.set(referrer.customerId, r);
        referred.push(clv(s));
      }
    }
    return { referrals, referred, rest, ignored };
  }

  it('keeps each referred customer’s referrer on its score, resolved to our customer id', () => {
    let linked = 0;
    for (const [c, s] of byNumber) {
      const link = referrerOf(c);
      if (!link) {
        expect(s.referredBy ?? null, s.customerId).toBeNull();
        continue;
      }
      linked++;
      expect(s.referredBy!.identities).toEqual(identityKeys(link));
      const known = identityKeys(link)
        .map((k) => byIdentity.get(k)?.customerId)
        .find(Boolean);
      // A referrer who exists but has nothing to score (every order cancelled) resolves to an unscored id.
      if (known) expect(s.referredBy!.customerId).toBe(known);
      else expect(scores.has(s.referredBy!.customerId ?? '')).toBe(false);
    }
    expect(linked).toBeGreaterThan(50);
  });

  it('sets every customer’s referrals and referral value from the CLV of the customers they referred', () => {
    const { referrals } = expected();
    expect(referrals.size).toBeGreaterThan(20);
    // Some advocates referred more than one customer.
    expect(Math.max(...[...referrals.values()].map((r) => r.count))).toBeGreaterThan(1);
    for (const s of scores.values()) {
      const r = referrals.get(s.customerId) ?? { count: 0, value: 0 };
      expect(s.fields.referrals, s.customerId).toBe(r.count);
      expect(s.fields.referral_value, s.customerId).toBeCloseTo(r.value, 2);
    }
  });

  it('stores the tenant’s uplift with the model: counts, means and the Welch interval', async () => {
    const { referred, rest, ignored } = expected();
    const model = await getModel(store, tenantId);
    const u = model!.referrals!;
    expect(u.referredCount).toBe(referred.length);
    expect(u.nonReferredCount).toBe(rest.length);
    expect(u.referredCount + u.nonReferredCount).toBe(scores.size);
    expect(u.ignored).toBe(ignored);
    expect(ignored).toBeGreaterThan(10);
    expect(u.referredMeanClv).toBeCloseTo(mean(referred), 6);
    expect(u.nonReferredMeanClv).toBeCloseTo(mean(rest), 6);
    expect(u.difference).toBeCloseTo(mean(referred) - mean(rest), 6);
    expect(u.uplift).toBeCloseTo(mean(referred) / mean(rest) - 1, 6);
    const se = Math.sqrt(variance(referred) / referred.length + variance(rest) / rest.length);
    expect(u.standardError).toBeCloseTo(se, 6);
    expect(u.interval95!.low).toBeLessThan(u.difference!);
    expect(u.interval95!.high).toBeGreaterThan(u.difference!);
    // A t quantile: wider than the normal ±1.96 SE, narrower than ±2.1 SE for these group sizes.
    expect((u.interval95!.high - u.interval95!.low) / 2 / se).toBeGreaterThan(1.96);
    expect((u.interval95!.high - u.interval95!.low) / 2 / se).toBeLessThan(2.1);
  });

  it('sends changed referral fields to the CRM outbox like any other field', async () => {
    const { referrals } = expected();
    const entries = await outboxEntries(store, tenantId, 'shopify');
    const withReferrals = entries.filter((e) => e.fields.referrals > 0);
    expect(withReferrals.map((e) => e.customerId).sort()).toEqual([...referrals.keys()].sort());
    for (const e of withReferrals) expect(e.fields.referrals).toBe(referrals.get(e.customerId)!.count);
  });
});
