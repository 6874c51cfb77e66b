import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InvalidStudentTArgumentError,
  studentTCritical,
  studentTTwoSidedTail,
} from '../../../shared/segments/student-t.ts';
import { sampleSummary, welchInterval } from '../../../shared/segments/welch.ts';

describe("Student's t critical values", () => {
  it('reproduces the tabulated two-sided 95 % values', () => {
    // R's qt(0.975, ν), rounded to 6 decimals.
    const table: [number, number][] = [
      [1, 12.706205],
      [2, 4.302653],
      [3, 3.182446],
      [4, 2.776445],
      [10, 2.228139],
      [30, 2.042272],
      [1000, 1.962339],
    ];
    for (const [nu, t] of table) expect(studentTCritical(0.95, nu)).toBeCloseTo(t, 6);
    expect(studentTCritical(0.95, 1e9)).toBeCloseTo(1.959964, 5);
    expect(studentTCritical(0.99, 5)).toBeCloseTo(4.032143, 6);
    expect(studentTCritical(0.9, 1)).toBeCloseTo(6.313752, 6);
  });

  it('matches the closed forms at one and two degrees of freedom', () => {
    // ν = 1 is Cauchy: P(|T| > t) = 1 − (2/π)·atan t. ν = 2: P(|T| > t) = 1 − t / √(2 + t²).
    for (const t of [0.1, 1, 3, 20]) {
      expect(studentTTwoSidedTail(t, 1)).toBeCloseTo(1 - (2 / Math.PI) * Math.atan(t), 12);
      expect(studentTTwoSidedTail(t, 2)).toBeCloseTo(1 - t / Math.sqrt(2 + t * t), 12);
    }
  });

  it('inverts its own tail for fractional degrees of freedom', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 500, noNaN: true }),
        fc.double({ min: 0.5, max: 0.999, noNaN: true }),
        (nu, c) => {
          expect(studentTTwoSidedTail(studentTCritical(c, nu), nu)).toBeCloseTo(1 - c, 9);
        },
      ),
    );
  });

  it('rejects nonsense arguments', () => {
    expect(() => studentTCritical(1, 5)).toThrow(InvalidStudentTArgumentError);
    expect(() => studentTCritical(0.95, 0)).toThrow(InvalidStudentTArgumentError);
    expect(() => studentTCritical(0.95, NaN)).toThrow(InvalidStudentTArgumentError);
  });
});

describe('Welch interval', () => {
  it('computes mean, variance, standard error and Satterthwaite degrees of freedom', () => {
    const a = sampleSummary([10, 12, 14]); // mean 12, variance 4
    const b = sampleSummary([0, 2, 4]); // mean 2, variance 4
    expect(a).toEqual({ n: 3, mean: 12, variance: 4 });
    const w = welchInterval(a, b)!;
    expect(w.difference).toBe(10);
    expect(w.standardError).toBeCloseTo(Math.sqrt(8 / 3), 12);
    // Equal n and variance: ν = (8/3)² / (2 · (4/3)² / 2) = 4.
    expect(w.degreesOfFreedom).toBeCloseTo(4, 12);
    expect(w.low).toBeCloseTo(10 - 2.776445 * Math.sqrt(8 / 3), 5);
    expect(w.high).toBeCloseTo(10 + 2.776445 * Math.sqrt(8 / 3), 5);
  });

  it('needs two values per sample, and is exact when both samples are constant', () => {
    expect(sampleSummary([])).toEqual({ n: 0, mean: NaN, variance: NaN });
    expect(welchInterval(sampleSummary([1]), sampleSummary([1, 2, 3]))).toBeNull();
    expect(welchInterval(sampleSummary([5, 5]), sampleSummary([3, 3, 3]))).toEqual({
      difference: 2,
      standardError: 0,
      degreesOfFreedom: 3,
      low: 2,
      high: 2,
    });
  });
});
