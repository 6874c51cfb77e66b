import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Purchase } from '../../../shared/clv/index.ts';
import { DAY_MS, calibrationHoldoutSplit, parseDate, summarize } from '../../../shared/clv/index.ts';
import { cdnowDerivedSplit, cdnowSampleTransactions } from '../../helpers/cdnow.ts';

const day = (iso: string) => parseDate(iso);

describe('summaries from the CDNOW sample transactions', () => {
  it('match lifetimes’ published calibration/hold-out split for all 2,357 customers', () => {
    const transactions = cdnowSampleTransactions();
    const rows = calibrationHoldoutSplit(transactions, {
      calibrationEnd: day('1997-09-30'),
      holdoutEnd: day('1998-06-30'),
      timeUnit: 'week',
    });
    const reference = cdnowDerivedSplit();
    expect(rows).toHaveLength(2357);
    // Hold-out rows per customer and day, to account for lifetimes' one difference (below).
    const holdoutRows = new Map<string, { sum: number; rows: number; days: Set<number> }>();
    for (const t of transactions) {
      if (t.at <= day('1997-09-30') || t.at > day('1998-06-30')) continue;
      const h = holdoutRows.get(t.customerId) ?? { sum: 0, rows: 0, days: new Set<number>() };
      h.sum += t.amount;
      h.rows += 1;
      h.days.add(t.at);
      holdoutRows.set(t.customerId, h);
    }
    let sameDayHoldout = 0;
    for (const r of rows) {
      const ref = reference.get(r.customerId)!;
      expect(ref, r.customerId).toBeDefined();
      expect(r.frequency).toBe(ref.frequency_cal);
      expect(Math.abs(r.recency - ref.recency_cal!)).toBeLessThan(1e-4);
      expect(Math.abs(r.T - ref.T_cal!)).toBeLessThan(1e-4);
      expect(Math.abs(r.monetaryValue - ref.monetary_value_cal!)).toBeLessThan(1e-4);
      expect(r.holdoutFrequency).toBe(ref.frequency_holdout);
      const h = holdoutRows.get(r.customerId);
      if (h && h.rows > h.days.size) {
        // lifetimes averages the raw hold-out rows; we average purchase days, as in calibration.
        sameDayHoldout++;
        expect(Math.abs(r.holdoutMonetaryValue - h.sum / h.days.size)).toBeLessThan(1e-6);
        expect(Math.abs(ref.monetary_value_holdout! - h.sum / h.rows)).toBeLessThan(1e-4);
      } else {
        expect(Math.abs(r.holdoutMonetaryValue - ref.monetary_value_holdout!)).toBeLessThan(1e-4);
      }
      expect(r.holdoutDuration).toBeCloseTo(ref.duration_holdout!, 6);
    }
    expect(sameDayHoldout).toBe(49);
  });
});

describe('summarize on messy histories', () => {
  const end = day('2024-12-31');
  const base = { observationEnd: end, timeUnit: 'day' as const };

  it('adds same-day purchases into one and counts repeat days only', () => {
    const [s] = summarize(
      [
        { customerId: 'a', at: day('2024-01-01'), amount: 10 },
        { customerId: 'a', at: day('2024-01-01') + 3600_000, amount: 5 },
        { customerId: 'a', at: day('2024-01-11'), amount: 20 },
        { customerId: 'a', at: day('2024-01-21'), amount: 40 },
      ],
      base,
    );
    expect(s).toMatchObject({
      frequency: 2,
      recency: 20,
      monetaryValue: 30,
      firstValue: 15,
      totalValue: 75,
      purchaseDays: 3,
    });
    expect(s!.T).toBe((end - day('2024-01-01')) / DAY_MS);
  });

  it('nets a refund into the order it refunds, and drops an order refunded in full', () => {
    const [s] = summarize(
      [
        { customerId: 'a', orderId: '1', at: day('2024-01-01'), amount: 100 },
        { customerId: 'a', orderId: '2', at: day('2024-02-01'), amount: 50 },
        { customerId: 'a', orderId: '2', at: day('2024-02-10'), amount: -20 }, // partial refund of order 2
        { customerId: 'a', orderId: '3', at: day('2024-03-01'), amount: 60 },
        { customerId: 'a', orderId: '3', at: day('2024-03-05'), amount: -60 }, // order 3 refunded in full
      ],
      base,
    );
    expect(s).toMatchObject({ frequency: 1, monetaryValue: 30, totalValue: 130 });
    expect(s!.lastPurchaseDay).toBe(day('2024-02-01') / DAY_MS);
  });

  it('ignores cancelled orders and purchases after the observation end', () => {
    const [s] = summarize(
      [
        { customerId: 'a', at: day('2024-01-01'), amount: 10 },
        { customerId: 'a', at: day('2024-02-01'), amount: 99, cancelled: true },
        { customerId: 'a', at: day('2025-02-01'), amount: 99 },
      ],
      base,
    );
    expect(s).toMatchObject({ frequency: 0, recency: 0, totalValue: 10 });
  });

  it('lowers historic value for a loose refund without making it a purchase, and skips refund-only customers', () => {
    const out = summarize(
      [
        { customerId: 'a', at: day('2024-01-01'), amount: 10 },
        { customerId: 'a', at: day('2024-03-01'), amount: -4 },
        { customerId: 'b', at: day('2024-03-01'), amount: -4 },
      ],
      base,
    );
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ customerId: 'a', frequency: 0, totalValue: 6 });
  });

  it('counts zero-value purchases unless told to ignore them', () => {
    const purchases: Purchase[] = [
      { customerId: 'a', at: day('2024-01-01'), amount: 10 },
      { customerId: 'a', at: day('2024-02-01'), amount: 0 },
    ];
    expect(summarize(purchases, base)[0]!.frequency).toBe(1);
    expect(summarize(purchases, { ...base, zeroValuePurchases: 'ignore' })[0]!.frequency).toBe(0);
  });

  it('keeps margins when every row has one and reports null when any is unknown', () => {
    const known = summarize(
      [
        { customerId: 'a', at: day('2024-01-01'), amount: 10, margin: 4 },
        { customerId: 'a', at: day('2024-02-01'), amount: 20, margin: 5 },
      ],
      base,
    )[0]!;
    expect(known.totalMargin).toBe(9);
    expect(known.monetaryMargin).toBe(5);
    const unknown = summarize(
      [
        { customerId: 'a', at: day('2024-01-01'), amount: 10, margin: 4 },
        { customerId: 'a', at: day('2024-02-01'), amount: 20 },
      ],
      base,
    )[0]!;
    expect(unknown.totalMargin).toBeNull();
  });

  it('rejects rows it cannot read, naming the row', () => {
    expect(() => summarize([{ customerId: 'a', at: NaN, amount: 1 }], base)).toThrow(/purchase 0: date/);
    expect(() => summarize([{ customerId: '', at: 0, amount: 1 }], base)).toThrow(/customer id is empty/);
    expect(() => summarize([{ customerId: 'a', at: 0, amount: Infinity }], base)).toThrow(/amount/);
  });

  it('reports weeks as days / 7', () => {
    const [s] = summarize(
      [
        { customerId: 'a', at: day('2024-01-01'), amount: 10 },
        { customerId: 'a', at: day('2024-01-15'), amount: 10 },
      ],
      { observationEnd: day('2024-01-29'), timeUnit: 'week' },
    );
    expect(s).toMatchObject({ frequency: 1, recency: 2, T: 4 });
  });
});

describe('summarize properties', () => {
  const purchase = fc.record({
    customerId: fc.constantFrom('a', 'b', 'c', 'd'),
    at: fc.integer({ min: 0, max: 400 }).map((d) => d * DAY_MS + 1000),
    amount: fc.integer({ min: -50, max: 500 }),
    orderId: fc.option(fc.constantFrom('1', '2', '3', '4', '5'), { nil: undefined }),
  });
  const history = fc.array(purchase, { maxLength: 60 });
  const options = { observationEnd: 400 * DAY_MS, timeUnit: 'day' as const };

  it('does not depend on the order the rows arrive in', () => {
    const historyAndShuffle = history.chain((rows) =>
      fc.tuple(
        fc.constant(rows),
        fc.shuffledSubarray(rows, { minLength: rows.length, maxLength: rows.length }),
      ),
    );
    const sorted = (xs: ReturnType<typeof summarize>) =>
      [...xs].sort((a, b) => a.customerId.localeCompare(b.customerId));
    fc.assert(
      fc.property(historyAndShuffle, ([rows, shuffled]) => {
        const a = sorted(summarize(shuffled, options));
        const b = sorted(summarize(rows, options));
        expect(a.length).toBe(b.length);
        a.forEach((s, i) => {
          const t = b[i]!;
          expect({ ...s, totalValue: 0, monetaryValue: 0, firstValue: 0 }).toEqual({
            ...t,
            totalValue: 0,
            monetaryValue: 0,
            firstValue: 0,
          });
          // Sums of integers in another order: equal up to rounding.
          expect(s.totalValue).toBeCloseTo(t.totalValue, 9);
          expect(s.monetaryValue).toBeCloseTo(t.monetaryValue, 9);
        });
      }),
    );
  });

  it('keeps 0 <= recency <= T, frequency = purchase days − 1, and T at the observation end', () => {
    fc.assert(
      fc.property(history, (rows) => {
        for (const s of summarize(rows, options)) {
          expect(s.frequency).toBe(s.purchaseDays - 1);
          expect(s.recency).toBeGreaterThanOrEqual(0);
          expect(s.recency).toBeLessThanOrEqual(s.T);
          expect(s.T).toBe(400 - s.firstPurchaseDay);
          expect(s.frequency === 0 ? s.recency === 0 : true).toBe(true);
        }
      }),
    );
  });

  it('conserves money: historic values add up to the net of all rows of summarized customers', () => {
    fc.assert(
      fc.property(history, (rows) => {
        const out = summarize(rows, options);
        const ids = new Set(out.map((s) => s.customerId));
        const net = rows.filter((r) => ids.has(r.customerId)).reduce((t, r) => t + r.amount, 0);
        expect(out.reduce((t, s) => t + s.totalValue, 0)).toBeCloseTo(net, 6);
      }),
    );
  });
});
