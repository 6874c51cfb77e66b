/**
 * Welch's interval for a difference of two means with unequal variances (Welch 1947, "The
 * generalization of 'Student's' problem when several different population variances are involved",
 * Biometrika 34, 28–35), degrees of freedom by the Welch–Satterthwaite equation:
 *
 *   SE = √(s₁²/n₁ + s₂²/n₂),   ν = (s₁²/n₁ + s₂²/n₂)² / ((s₁²/n₁)²/(n₁−1) + (s₂²/n₂)²/(n₂−1)).
 *
 * Referred and non-referred customers differ in count and spread by orders of magnitude, which is
 * exactly the case the pooled-variance t interval gets wrong.
 */
import { studentTCritical } from './student-t.ts';

export interface SampleSummary {
  n: number;
  /** NaN for an empty sample. */
  mean: number;
  /** Unbiased (n − 1) variance; NaN below two values. */
  variance: number;
}

export interface WelchInterval {
  /** mean(a) − mean(b). */
  difference: number;
  standardError: number;
  degreesOfFreedom: number;
  low: number;
  high: number;
}

/** Count, mean and variance in one pass (Welford's update, which does not cancel on large CLVs). */
export function sampleSummary(values: Iterable<number>): SampleSummary {
  let n = 0;
  let mean = 0;
  let sumSquares = 0;
  for (const value of values) {
    n++;
    const delta = value - mean;
    mean += delta / n;
    sumSquares += delta * (value - mean);
  }
  return { n, mean: n === 0 ? NaN : mean, variance: n < 2 ? NaN : sumSquares / (n - 1) };
}

/** Interval for mean(a) − mean(b); null when either sample has fewer than two values (no variance). */
export function welchInterval(a: SampleSummary, b: SampleSummary, confidence = 0.95): WelchInterval | null {
  if (a.n < 2 || b.n < 2) return null;
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  const difference = a.mean - b.mean;
  const standardError = Math.sqrt(va + vb);
  if (standardError === 0) {
    // Both groups constant: the difference is known exactly; ν is 0/0, so fall back to the pooled count.
    return { difference, standardError, degreesOfFreedom: a.n + b.n - 2, low: difference, high: difference };
  }
  const degreesOfFreedom = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  const margin = studentTCritical(confidence, degreesOfFreedom) * standardError;
  return { difference, standardError, degreesOfFreedom, low: difference - margin, high: difference + margin };
}
