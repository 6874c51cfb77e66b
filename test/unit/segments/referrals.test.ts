import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DuplicateCustomerError } from '../../../shared/segments/customer-ids.ts';
import { InvalidReferralInputError, advocates, referralMetrics } from '../../../shared/segments/referrals.ts';
import type { ReferralCustomer } from '../../../shared/segments/referrals.ts';
import { studentTCritical } from '../../../shared/segments/student-t.ts';

/**
 * Ana referred Ben and Cleo; Eve used her own code; Finn names a referrer we have never seen.
 *   referred:     Ben 300, Cleo 500            → n 2, mean 400, variance (100² + 100²)/1 = 20 000
 *   not referred: Ana 100, Dan 200, Eve 50, Finn 150 → n 4, mean 125,
 *                 variance (25² + 75² + 75² + 25²)/3 = 12 500/3
 */
const SHOP: ReferralCustomer[] = [
  { customerId: 'ana', clv: 100 },
  { customerId: 'ben', clv: 300, referredBy: 'ana' },
  { customerId: 'cleo', clv: 500, referredBy: 'ana' },
  { customerId: 'dan', clv: 200, referredBy: null },
  { customerId: 'eve', clv: 50, referredBy: 'eve' },
  { customerId: 'finn', clv: 150, referredBy: 'ghost' },
];

describe('referralMetrics', () => {
  const { customers, tenant } = referralMetrics(SHOP);

  it('credits each referrer with the customers and CLV they brought', () => {
    expect(customers.get('ana')).toEqual({ referrals: 2, referralValue: 800 });
    for (const id of ['ben', 'cleo', 'dan', 'eve', 'finn']) {
      expect(customers.get(id), id).toEqual({ referrals: 0, referralValue: 0 });
    }
  });

  it('ignores self-referrals and unknown referrers, counting them', () => {
    expect(tenant.ignored).toBe(2);
    expect(tenant.referredCount).toBe(2);
    expect(tenant.nonReferredCount).toBe(4);
  });

  it('measures the uplift of referred customers by hand', () => {
    expect(tenant.referredMeanClv).toBe(400);
    expect(tenant.nonReferredMeanClv).toBe(125);
    expect(tenant.uplift).toBeCloseTo(400 / 125 - 1, 12); // 2.2
    expect(tenant.difference).toBe(275);
    const va = 20_000 / 2;
    const vb = 12_500 / 3 / 4;
    expect(tenant.standardError).toBeCloseTo(Math.sqrt(va + vb), 9); // ≈ 105.08
    const nu = (va + vb) ** 2 / (va ** 2 / 1 + vb ** 2 / 3);
    expect(tenant.degreesOfFreedom).toBeCloseTo(nu, 9); // ≈ 1.215
    const margin = studentTCritical(0.95, nu) * Math.sqrt(va + vb);
    expect(tenant.interval95!.low).toBeCloseTo(275 - margin, 6);
    expect(tenant.interval95!.high).toBeCloseTo(275 + margin, 6);
    // Two referred customers cannot show a 2.2× uplift is real.
    expect(tenant.interval95!.low).toBeLessThan(0);
    expect(tenant.measurable).toBe(false);
  });

  it('calls an uplift measurable when the interval clears zero', () => {
    const shop: ReferralCustomer[] = [
      { customerId: 'n1', clv: 0 },
      { customerId: 'n2', clv: 2 },
      { customerId: 'n3', clv: 4 },
      { customerId: 'r1', clv: 10, referredBy: 'n1' },
      { customerId: 'r2', clv: 12, referredBy: 'n1' },
      { customerId: 'r3', clv: 14, referredBy: 'r1' },
    ];
    const { customers, tenant } = referralMetrics(shop);
    expect(customers.get('n1')).toEqual({ referrals: 2, referralValue: 22 });
    expect(customers.get('r1')).toEqual({ referrals: 1, referralValue: 14 });
    // Means 12 and 2, variances 4 and 4, n 3 and 3: SE √(8/3), ν = 4, t = 2.776445.
    expect(tenant.uplift).toBe(5);
    expect(tenant.difference).toBe(10);
    expect(tenant.degreesOfFreedom).toBeCloseTo(4, 12);
    expect(tenant.interval95!.low).toBeCloseTo(10 - 2.776445 * Math.sqrt(8 / 3), 5); // ≈ 5.466
    expect(tenant.measurable).toBe(true);
    expect(tenant.ignored).toBe(0);
  });

  it('returns nulls where a group is empty, too small, or the baseline is zero', () => {
    const none = referralMetrics([{ customerId: 'a', clv: 5 }]).tenant;
    expect(none).toMatchObject({ referredCount: 0, referredMeanClv: null, uplift: null, difference: null });
    expect(none).toMatchObject({ standardError: null, interval95: null, measurable: null });

    const one = referralMetrics([
      { customerId: 'a', clv: 5 },
      { customerId: 'b', clv: 9 },
      { customerId: 'c', clv: 20, referredBy: 'a' },
    ]).tenant;
    expect(one).toMatchObject({
      referredMeanClv: 20,
      nonReferredMeanClv: 7,
      difference: 13,
      standardError: null,
    });
    expect(one.uplift).toBeCloseTo(20 / 7 - 1, 12);

    const zeroBaseline = referralMetrics([
      { customerId: 'a', clv: 0 },
      { customerId: 'b', clv: 0 },
      { customerId: 'c', clv: 20, referredBy: 'a' },
      { customerId: 'd', clv: 30, referredBy: 'a' },
    ]).tenant;
    expect(zeroBaseline.uplift).toBeNull();
    expect(zeroBaseline.difference).toBe(25);

    expect(referralMetrics([]).tenant).toMatchObject({ referredCount: 0, nonReferredCount: 0, ignored: 0 });
  });

  it('treats an empty referrer as no referral, not an ignored one', () => {
    const { tenant } = referralMetrics([{ customerId: 'a', clv: 1, referredBy: '' }]);
    expect(tenant.ignored).toBe(0);
    expect(tenant.nonReferredCount).toBe(1);
  });

  it('rejects duplicate customers and non-numeric CLV', () => {
    expect(() => referralMetrics([...SHOP, { customerId: 'ana', clv: 1 }])).toThrow(DuplicateCustomerError);
    expect(() => referralMetrics([{ customerId: 'a', clv: NaN }])).toThrow(InvalidReferralInputError);
  });

  it('keeps its books balanced on random referral graphs', () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const shop = fc.subarray(ids, { minLength: 0 }).chain((present) =>
      fc.tuple(
        ...present.map((customerId) =>
          fc.record({
            customerId: fc.constant(customerId),
            clv: fc.integer({ min: 0, max: 1000 }),
            referredBy: fc.option(fc.constantFrom(...ids, 'unknown'), { nil: null }),
          }),
        ),
      ),
    );
    fc.assert(
      fc.property(shop, (rows) => {
        const { customers, tenant } = referralMetrics(rows);
        const known = new Set(rows.map((r) => r.customerId));
        const valid = rows.filter(
          (r) => r.referredBy !== null && r.referredBy !== r.customerId && known.has(r.referredBy),
        );
        const credited = [...customers.values()];
        expect(credited.reduce((s, c) => s + c.referrals, 0)).toBe(valid.length);
        expect(credited.reduce((s, c) => s + c.referralValue, 0)).toBe(valid.reduce((s, r) => s + r.clv, 0));
        expect(tenant.referredCount).toBe(valid.length);
        expect(tenant.referredCount + tenant.nonReferredCount).toBe(rows.length);
        expect(tenant.ignored).toBe(rows.filter((r) => r.referredBy !== null).length - valid.length);
      }),
    );
  });
});

describe('advocates', () => {
  const referrers = (values: number[]) => ({
    customers: new Map(values.map((v, i) => [`c${i}`, { referrals: v > 0 ? 1 : 0, referralValue: v }])),
  });

  it('are the top referrers by referral value, best first', () => {
    const metrics = referralMetrics([
      ...SHOP,
      { customerId: 'gus', clv: 40, referredBy: 'dan' },
      { customerId: 'hal', clv: 900, referredBy: 'ben' },
    ]);
    // Value, not count: Ben's one referral is worth more than Ana's two.
    expect(advocates(metrics)).toEqual([{ customerId: 'ben', referrals: 1, referralValue: 900 }]);
    expect(advocates(metrics, 1)).toEqual([
      { customerId: 'ben', referrals: 1, referralValue: 900 },
      { customerId: 'ana', referrals: 2, referralValue: 800 },
      { customerId: 'dan', referrals: 1, referralValue: 40 },
    ]);
  });

  it('take their share of the customers who referred anyone, at least one', () => {
    // 40 referrers with values 1..40 plus 60 who referred nobody: 5 % of 40 is 2.
    const values = [...Array.from({ length: 40 }, (_, i) => i + 1), ...Array(60).fill(0)];
    expect(advocates(referrers(values)).map((a) => a.referralValue)).toEqual([40, 39]);
    expect(advocates(referrers([7, 3, 0, 0]))).toEqual([
      { customerId: 'c0', referrals: 1, referralValue: 7 },
    ]);
    expect(advocates(referrers([0, 0]))).toEqual([]);
  });

  it('include everyone tied with the last advocate', () => {
    expect(advocates(referrers([5, 9, 9, 9, 1]), 0.2).map((a) => a.customerId)).toEqual(['c1', 'c2', 'c3']);
  });

  it('reject a share outside (0, 1]', () => {
    for (const share of [0, -0.1, 1.5, NaN]) {
      expect(() => advocates(referrers([1]), share)).toThrow(InvalidReferralInputError);
    }
  });
});
