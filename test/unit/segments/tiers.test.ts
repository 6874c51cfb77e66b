import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DuplicateCustomerError } from '../../../shared/segments/customer-ids.ts';
import {
  DEFAULT_TIER_THRESHOLDS,
  InvalidClvError,
  InvalidTierCutsError,
  InvalidTierThresholdsError,
  TIERS,
  assignTiers,
  tierFor,
  tierThresholdsFromPercentiles,
} from '../../../shared/segments/tiers.ts';
import type { Tier, TierThresholds } from '../../../shared/segments/tiers.ts';

const population = (values: readonly number[]) =>
  values.map((predictedClv, i) => ({ customerId: `c${i}`, predictedClv }));

const counts = (tiers: Iterable<Tier>): Record<Tier, number> => {
  const out: Record<Tier, number> = { platinum: 0, gold: 0, silver: 0, bronze: 0 };
  for (const t of tiers) out[t]++;
  return out;
};

const rank = (tier: Tier) => TIERS.indexOf(tier); // 0 = platinum (best)

describe('tiers by predicted CLV percentile', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('cuts 1..100 at the top 5 %, 20 % and 50 %', () => {
    expect(DEFAULT_TIER_THRESHOLDS).toEqual({ platinum: 0.05, gold: 0.2, silver: 0.5 });
    expect(tierThresholdsFromPercentiles(oneToHundred)).toEqual({ platinum: 96, gold: 81, silver: 51 });
    const { tiers } = assignTiers(population(oneToHundred));
    expect(counts(tiers.values())).toEqual({ platinum: 5, gold: 15, silver: 30, bronze: 50 });
    expect(tiers.get('c95')).toBe('platinum'); // CLV 96
    expect(tiers.get('c94')).toBe('gold'); // CLV 95
    expect(tiers.get('c80')).toBe('gold'); // CLV 81
    expect(tiers.get('c79')).toBe('silver'); // CLV 80
    expect(tiers.get('c50')).toBe('silver'); // CLV 51
    expect(tiers.get('c49')).toBe('bronze'); // CLV 50
  });

  it('takes configured thresholds', () => {
    const thresholds: TierThresholds = { platinum: 0.1, gold: 0.3, silver: 0.6 };
    const tenths = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    expect(tierThresholdsFromPercentiles(tenths, thresholds)).toEqual({ platinum: 10, gold: 8, silver: 5 });
    const { tiers } = assignTiers(population(tenths), thresholds);
    expect([...tiers.values()]).toEqual([
      'platinum',
      'gold',
      'gold',
      'silver',
      'silver',
      'silver',
      'bronze',
      'bronze',
      'bronze',
      'bronze',
    ]);
  });

  it('tiers everyone tied at a cut alike, in the higher tier', () => {
    // n = 10: platinum is the top 1 (cut 100), gold the top 2 — which lands inside the tie at 50.
    const { cuts, tiers } = assignTiers(population([100, 50, 50, 50, 10, 10, 10, 10, 10, 10]));
    expect(cuts).toEqual({ platinum: 100, gold: 50, silver: 10 });
    expect([...tiers.values()]).toEqual(['platinum', 'gold', 'gold', 'gold', ...Array(6).fill('silver')]);
  });

  it('makes zero-CLV customers bronze, even when zeros fill the upper percentiles', () => {
    const values = [0, 0, 0, 0, 0, 0, 0, 0, 0, 100];
    const { cuts, tiers } = assignTiers(population(values));
    expect(cuts).toEqual({ platinum: 100, gold: 0, silver: 0 });
    expect(tiers.get('c9')).toBe('platinum');
    for (let i = 0; i < 9; i++) expect(tiers.get(`c${i}`)).toBe('bronze');
    expect(tierFor(0, cuts)).toBe('bronze');
    expect(counts(assignTiers(population([0, 0, 0])).tiers.values()).bronze).toBe(3);
  });

  it('leaves a tier empty when its share rounds to nobody', () => {
    expect(tierThresholdsFromPercentiles([])).toEqual({ platinum: null, gold: null, silver: null });
    // n = 1: 0.05 and 0.2 round to 0 customers, 0.5 rounds to 1.
    expect(tierThresholdsFromPercentiles([40])).toEqual({ platinum: null, gold: null, silver: 40 });
    expect(tierFor(40, { platinum: null, gold: null, silver: 40 })).toBe('silver');
    // n = 3: 0.15 → 0, 0.6 → 1, 1.5 → 2.
    expect(tierThresholdsFromPercentiles([5, 7, 9])).toEqual({ platinum: null, gold: 9, silver: 7 });
  });

  it('tiers a single customer later against stored cuts', () => {
    const stored = JSON.parse(JSON.stringify(tierThresholdsFromPercentiles(oneToHundred)));
    expect(tierFor(1000, stored)).toBe('platinum');
    expect(tierFor(96, stored)).toBe('platinum');
    expect(tierFor(95.99, stored)).toBe('gold');
    expect(tierFor(51, stored)).toBe('silver');
    expect(tierFor(50.5, stored)).toBe('bronze');
    expect(tierFor(-3, stored)).toBe('bronze');
  });

  it('rejects thresholds that are not strictly increasing shares in (0, 1)', () => {
    const bad: TierThresholds[] = [
      { platinum: 0.2, gold: 0.1, silver: 0.5 },
      { platinum: 0.1, gold: 0.1, silver: 0.5 },
      { platinum: 0, gold: 0.2, silver: 0.5 },
      { platinum: 0.05, gold: 0.2, silver: 1 },
      { platinum: -0.05, gold: 0.2, silver: 0.5 },
      { platinum: NaN, gold: 0.2, silver: 0.5 },
      { platinum: 5, gold: 20, silver: 50 },
    ];
    for (const thresholds of bad) {
      expect(() => tierThresholdsFromPercentiles([1, 2, 3], thresholds)).toThrow(InvalidTierThresholdsError);
      expect(() => assignTiers(population([1, 2, 3]), thresholds)).toThrow(/strictly increasing/);
    }
  });

  it('rejects cuts that are out of order and CLVs that are not numbers', () => {
    expect(() => tierFor(5, { platinum: 10, gold: 20, silver: 1 })).toThrow(InvalidTierCutsError);
    expect(() => tierFor(5, { platinum: 10, gold: null, silver: 1 })).toThrow(InvalidTierCutsError);
    expect(() => tierFor(NaN, { platinum: 10, gold: 5, silver: 1 })).toThrow(InvalidClvError);
    expect(() => tierThresholdsFromPercentiles([1, Infinity])).toThrow(InvalidClvError);
    expect(() => assignTiers(population([1, NaN]))).toThrow(/customer "c1"/);
    expect(() => assignTiers([...population([1]), ...population([2])])).toThrow(DuplicateCustomerError);
  });
});

describe('tiers on random populations', () => {
  const thresholds = fc
    .uniqueArray(fc.integer({ min: 1, max: 99 }), { minLength: 3, maxLength: 3 })
    .map((ps) => ps.sort((a, b) => a - b).map((p) => p / 100))
    .map(([platinum, gold, silver]) => ({ platinum: platinum!, gold: gold!, silver: silver! }));

  it('matches the threshold shares, rounded, when CLVs are distinct and positive', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 1_000_000 }), { maxLength: 300 }),
        thresholds,
        (values, t) => {
          const c = counts(assignTiers(population(values), t).tiers.values());
          const n = values.length;
          expect(c.platinum).toBe(Math.round(t.platinum * n));
          expect(c.platinum + c.gold).toBe(Math.round(t.gold * n));
          expect(c.platinum + c.gold + c.silver).toBe(Math.round(t.silver * n));
          expect(c.bronze).toBe(n - Math.round(t.silver * n));
        },
      ),
    );
  });

  it('is monotone in CLV, consistent on ties, and reproducible from the stored cuts', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constant(0),
            fc.integer({ min: 0, max: 50 }),
            fc.double({ min: 0, max: 1e6, noNaN: true }),
          ),
          {
            maxLength: 200,
          },
        ),
        (values) => {
          const { cuts, tiers } = assignTiers(population(values));
          values.forEach((v, i) => {
            const tier = tiers.get(`c${i}`)!;
            expect(tierFor(v, cuts)).toBe(tier);
            if (v === 0) expect(tier).toBe('bronze');
            values.forEach((w, j) => {
              if (v > w) expect(rank(tier)).toBeLessThanOrEqual(rank(tiers.get(`c${j}`)!));
              if (v === w) expect(tiers.get(`c${j}`)).toBe(tier);
            });
          });
        },
      ),
    );
  });
});
