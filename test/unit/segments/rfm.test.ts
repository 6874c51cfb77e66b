import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DuplicateCustomerError } from '../../../shared/segments/customer-ids.ts';
import type { QuintileScore } from '../../../shared/segments/quintiles.ts';
import {
  RFM_GROUPS,
  InvalidRfmInputError,
  InvalidRfmScoreError,
  assignRfmGroups,
  fmScore,
  rfmGroup,
  rfmScores,
} from '../../../shared/segments/rfm.ts';
import type { RfmCustomer, RfmGroup } from '../../../shared/segments/rfm.ts';

const customer = (
  customerId: string,
  daysSinceLastOrder: number | null,
  orders: number,
  totalSpent: number,
): RfmCustomer => ({ customerId, daysSinceLastOrder, orders, totalSpent });

/**
 * Fifteen buyers, three per score on every dimension, so each score is known by hand: with n = 15 a value
 * scores 1 + ⌊5 · below / 15⌋, i.e. 1 for the lowest three, 2 for the next three, and so on. Orders equal
 * the F score and come in ties of three (the tie shares a score); days and spend are distinct.
 *   R: days 1–3 → 5, 10–14 → 4, 30–40 → 3, 90–120 → 2, 200–400 → 1.
 *   M: 20–50 → 1, 150–170 → 2, 300–340 → 3, 620–700 → 4, 900–1000 → 5.
 */
const SHOP: RfmCustomer[] = [
  customer('champion', 1, 5, 620), // R5 F5 M4: FM ⌈4.5⌉ = 5
  customer('newcomer', 2, 1, 20), // R5 FM1
  customer('active-r5', 3, 3, 300), // R5 FM3
  customer('promising', 10, 1, 35), // R4 FM1
  customer('loyal-r4', 12, 4, 900), // R4 F4 M5: FM 5
  customer('active-r4', 14, 2, 150), // R4 FM2
  customer('needs-attention', 30, 3, 320), // R3 FM3
  customer('almost-lost', 35, 2, 160), // R3 FM2
  customer('loyal-r3', 40, 5, 950), // R3 FM5
  customer('at-risk-r2', 90, 4, 650), // R2 FM4
  customer('dormant-r2', 100, 1, 50), // R2 FM1
  customer('at-risk-r2-fm3', 120, 3, 340), // R2 FM3
  customer('previously-loyal', 200, 5, 1000), // R1 FM5
  customer('dormant-r1', 300, 2, 170), // R1 FM2
  customer('at-risk-r1', 400, 4, 700), // R1 FM4
  customer('prospect', null, 0, 0),
];

const EXPECTED: Record<string, [QuintileScore, QuintileScore, QuintileScore, RfmGroup]> = {
  champion: [5, 5, 4, 'Champions'],
  newcomer: [5, 1, 1, 'New'],
  'active-r5': [5, 3, 3, 'Active'],
  promising: [4, 1, 1, 'Promising'],
  'loyal-r4': [4, 4, 5, 'Loyal'],
  'active-r4': [4, 2, 2, 'Active'],
  'needs-attention': [3, 3, 3, 'Needs attention'],
  'almost-lost': [3, 2, 2, 'Almost lost'],
  'loyal-r3': [3, 5, 5, 'Loyal'],
  'at-risk-r2': [2, 4, 4, 'At risk'],
  'dormant-r2': [2, 1, 1, 'Dormant'],
  'at-risk-r2-fm3': [2, 3, 3, 'At risk'],
  'previously-loyal': [1, 5, 5, 'Previously loyal'],
  'dormant-r1': [1, 2, 2, 'Dormant'],
  'at-risk-r1': [1, 4, 4, 'At risk'],
};

describe('Shopify RFM grid', () => {
  // Rows R = 5 … 1, columns FM = 1 … 5, as in the comment of rfm.ts.
  const grid: Record<QuintileScore, RfmGroup[]> = {
    5: ['New', 'Active', 'Active', 'Champions', 'Champions'],
    4: ['Promising', 'Active', 'Active', 'Loyal', 'Loyal'],
    3: ['Almost lost', 'Almost lost', 'Needs attention', 'Loyal', 'Loyal'],
    2: ['Dormant', 'Dormant', 'At risk', 'At risk', 'Previously loyal'],
    1: ['Dormant', 'Dormant', 'At risk', 'At risk', 'Previously loyal'],
  };
  const scores = [1, 2, 3, 4, 5] as const;

  it('places every (R, FM) cell as Shopify publishes it', () => {
    for (const r of scores) {
      for (const fm of scores) expect(rfmGroup({ r, f: fm, m: fm }), `R${r} FM${fm}`).toBe(grid[r][fm - 1]);
    }
  });

  it('averages F and M, a half going to the higher column', () => {
    expect(fmScore(3, 2)).toBe(3);
    expect(rfmGroup({ r: 3, f: 3, m: 2 })).toBe('Needs attention'); // not Almost lost
    expect(rfmGroup({ r: 5, f: 1, m: 2 })).toBe('Active'); // FM 1.5: not New
    expect(rfmGroup({ r: 1, f: 5, m: 4 })).toBe('Previously loyal'); // FM 4.5
    expect(rfmGroup({ r: 5, f: 5, m: 3 })).toBe('Champions'); // FM 4
    expect(rfmGroup({ r: 4, f: 1, m: 5 })).toBe('Active'); // FM 3: one big order is not loyalty
  });

  it('maps all 125 score triples to exactly the ten groups of customers who ordered', () => {
    const seen = new Set<RfmGroup>();
    for (const r of scores) for (const f of scores) for (const m of scores) seen.add(rfmGroup({ r, f, m }));
    expect([...seen].sort()).toEqual(RFM_GROUPS.filter((g) => g !== 'Prospects').sort());
  });

  it('makes customers without scores Prospects and rejects scores off the 1–5 scale', () => {
    expect(rfmGroup(null)).toBe('Prospects');
    expect(() => rfmGroup({ r: 6 as QuintileScore, f: 1, m: 1 })).toThrow(InvalidRfmScoreError);
    expect(() => rfmGroup({ r: 1, f: 2.5 as QuintileScore, m: 1 })).toThrow(/F score is 2.5/);
  });

  it("uses Shopify's eleven names exactly", () => {
    const shopifyNames =
      'Champions|Loyal|Active|Promising|New|Needs attention|At risk|Almost lost|Previously loyal|Dormant|Prospects';
    expect(RFM_GROUPS).toEqual(shopifyNames.split('|'));
  });
});

describe('assignRfmGroups on a hand-scored shop', () => {
  const assigned = assignRfmGroups(SHOP);

  it('scores every buyer by quintile and places them on the grid', () => {
    for (const [id, [r, f, m, group]] of Object.entries(EXPECTED)) {
      expect(assigned.get(id), id).toEqual({ r, f, m, group });
    }
  });

  it('covers every group, and Prospects have no scores', () => {
    expect(new Set([...assigned.values()].map((a) => a.group))).toEqual(new Set(RFM_GROUPS));
    expect(assigned.get('prospect')).toEqual({ r: null, f: null, m: null, group: 'Prospects' });
    expect(assigned.size).toBe(SHOP.length);
  });

  it('leaves prospects out of the population the quintiles are taken over', () => {
    const manyProspects = [...SHOP, ...Array.from({ length: 30 }, (_, i) => customer(`p${i}`, null, 0, 0))];
    const scores = rfmScores(manyProspects);
    expect(scores.size).toBe(15);
    expect(scores.get('dormant-r2')).toEqual({ r: 2, f: 1, m: 1 });
  });

  it('treats zero orders or no last-order date as never ordered', () => {
    const shop = [...SHOP, customer('all-cancelled', 5, 0, 0), customer('no-date', null, 2, 80)];
    const assignedWithOdd = assignRfmGroups(shop);
    expect(assignedWithOdd.get('all-cancelled')?.group).toBe('Prospects');
    expect(assignedWithOdd.get('no-date')?.group).toBe('Prospects');
    expect(assignedWithOdd.get('champion')?.group).toBe('Champions');
  });

  it('gives customers who ordered on the same day the same recency score', () => {
    const scores = rfmScores([
      customer('a', 7, 1, 10),
      customer('b', 7, 9, 999),
      customer('c', 30, 1, 10),
      customer('d', 1, 1, 10),
      customer('e', 60, 1, 10),
    ]);
    // Negated days: −60 −30 −7 −7 −1; the −7 pair has two below it (1 + ⌊10/5⌋ = 3).
    expect(scores.get('a')?.r).toBe(3);
    expect(scores.get('b')?.r).toBe(3);
    expect(scores.get('d')?.r).toBe(5);
    expect(scores.get('e')?.r).toBe(1);
  });

  it('rejects impossible input with the customer named', () => {
    expect(() => rfmScores([customer('x', 3, -1, 10)])).toThrow(InvalidRfmInputError);
    expect(() => rfmScores([customer('x', 3, 1.5, 10)])).toThrow(/customer "x": orders is 1.5/);
    expect(() => rfmScores([customer('x', -2, 1, 10)])).toThrow(/daysSinceLastOrder is -2/);
    expect(() => rfmScores([customer('x', NaN, 1, 10)])).toThrow(InvalidRfmInputError);
    expect(() => rfmScores([customer('x', 3, 1, NaN)])).toThrow(/totalSpent is NaN/);
    expect(() => rfmScores([customer('x', 3, 1, 10), customer('x', 4, 1, 10)])).toThrow(
      DuplicateCustomerError,
    );
  });
});

describe('assignRfmGroups on random shops', () => {
  const shop = fc.uniqueArray(
    fc.record({
      customerId: fc.string({ minLength: 1, maxLength: 6 }),
      orders: fc.integer({ min: 0, max: 12 }),
      daysSinceLastOrder: fc.option(fc.integer({ min: 0, max: 900 }), { nil: null }),
      totalSpent: fc.integer({ min: 0, max: 5000 }),
    }),
    { selector: (c) => c.customerId, maxLength: 80 },
  );

  it('gives every customer who ordered exactly one of the ten non-Prospect groups', () => {
    const rated = RFM_GROUPS.filter((g) => g !== 'Prospects');
    fc.assert(
      fc.property(shop, (customers) => {
        const assigned = assignRfmGroups(customers);
        expect(assigned.size).toBe(customers.length);
        for (const c of customers) {
          const a = assigned.get(c.customerId)!;
          if (c.orders === 0 || c.daysSinceLastOrder === null) {
            expect(a).toEqual({ r: null, f: null, m: null, group: 'Prospects' });
          } else {
            expect(rated).toContain(a.group);
            for (const s of [a.r, a.f, a.m]) expect([1, 2, 3, 4, 5]).toContain(s);
            expect(a.group).toBe(rfmGroup({ r: a.r!, f: a.f!, m: a.m! }));
          }
        }
      }),
    );
  });

  it('never scores a more recent buyer lower on R, nor a bigger spender lower on M', () => {
    fc.assert(
      fc.property(shop, (customers) => {
        const scores = rfmScores(customers);
        const scored = customers.filter((c) => scores.has(c.customerId));
        for (const a of scored) {
          for (const b of scored) {
            const sa = scores.get(a.customerId)!;
            const sb = scores.get(b.customerId)!;
            if (a.daysSinceLastOrder! <= b.daysSinceLastOrder!) expect(sa.r).toBeGreaterThanOrEqual(sb.r);
            if (a.totalSpent >= b.totalSpent) expect(sa.m).toBeGreaterThanOrEqual(sb.m);
            if (a.orders >= b.orders) expect(sa.f).toBeGreaterThanOrEqual(sb.f);
          }
        }
      }),
    );
  });
});
