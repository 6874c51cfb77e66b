import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NonFiniteValueError, quintileScores } from '../../../shared/segments/quintiles.ts';

describe('quintileScores', () => {
  it('splits distinct values into fifths, higher value higher score', () => {
    expect(quintileScores([1, 2, 3, 4, 5])).toEqual([1, 2, 3, 4, 5]);
    expect(quintileScores([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(quintileScores([10, 9, 8, 7, 6, 5, 4, 3, 2, 1])).toEqual([5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
  });

  it('gives tied values one score, set by how many values lie strictly below them', () => {
    // Sorted: 1 2 3 4 | 5 5 5 5 | 9 9. The 5s have 4 of 10 below (score 1 + ⌊2⌋ = 3), the 9s have 8 (score 5).
    expect(quintileScores([5, 5, 5, 5, 1, 2, 3, 4, 9, 9])).toEqual([3, 3, 3, 3, 1, 1, 2, 2, 5, 5]);
    // Most customers with one order: they share the bottom score, and the rest move up.
    expect(quintileScores([1, 1, 1, 2, 3])).toEqual([1, 1, 1, 4, 5]);
    expect(quintileScores([7, 7, 7])).toEqual([1, 1, 1]);
  });

  it('handles an empty population and rejects non-finite values', () => {
    expect(quintileScores([])).toEqual([]);
    expect(() => quintileScores([1, NaN])).toThrow(NonFiniteValueError);
    expect(() => quintileScores([Infinity])).toThrow(NonFiniteValueError);
  });

  it('is monotone, tie-consistent and independent of input order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -20, max: 20 }), { maxLength: 60 }),
        fc.nat(),
        (values, seed) => {
          const scores = quintileScores(values);
          for (let i = 0; i < values.length; i++) {
            for (let j = 0; j < values.length; j++) {
              if (values[i]! === values[j]!) expect(scores[i]).toBe(scores[j]);
              if (values[i]! < values[j]!) expect(scores[i]!).toBeLessThanOrEqual(scores[j]!);
            }
          }
          const rotation = values.length === 0 ? 0 : seed % values.length;
          const rotated = [...values.slice(rotation), ...values.slice(0, rotation)];
          expect(quintileScores(rotated)).toEqual([...scores.slice(rotation), ...scores.slice(0, rotation)]);
        },
      ),
    );
  });

  it('puts exactly a fifth in each score when values are distinct and n is a multiple of 5', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }).chain((k) =>
          fc.uniqueArray(fc.double({ noNaN: true, noDefaultInfinity: true }), {
            minLength: 5 * k,
            maxLength: 5 * k,
            comparator: (a, b) => a === b,
          }),
        ),
        (values) => {
          const counts = [0, 0, 0, 0, 0];
          for (const s of quintileScores(values)) counts[s - 1]!++;
          expect(counts).toEqual(Array(5).fill(values.length / 5));
        },
      ),
    );
  });
});
