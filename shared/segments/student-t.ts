/**
 * Student's t critical values for real (not only whole) degrees of freedom, as the Welch–Satterthwaite
 * approximation produces. With the small groups a tenant's referrals give, the normal 1.96 would make
 * uplifts look measurable that are not.
 *
 * P(|T| > t) = I_x(ν/2, 1/2) with x = ν / (ν + t²)   (Abramowitz & Stegun 26.7.1, 26.5.27),
 * the regularized incomplete beta evaluated by its continued fraction (A&S 26.5.8) with the modified
 * Lentz method (Press et al., Numerical Recipes, §6.4), ln Γ by Lanczos' approximation (g = 7, n = 9).
 * The critical value is found by bisection on the monotone tail.
 */
import { InternalError } from '../errors.ts';

export class InvalidStudentTArgumentError extends InternalError {
  override name = 'InvalidStudentTArgumentError';
}

// Beyond this the t and normal quantiles agree to ~1e-6, and the continued fraction needs O(√ν) steps.
const MAX_DEGREES_OF_FREEDOM = 1e6;

/** P(|T| > t) for T ~ Student's t with ν degrees of freedom. */
export function studentTTwoSidedTail(t: number, degreesOfFreedom: number): number {
  assertDegreesOfFreedom(degreesOfFreedom);
  const nu = Math.min(degreesOfFreedom, MAX_DEGREES_OF_FREEDOM);
  return regularizedIncompleteBeta(nu / (nu + t * t), nu / 2, 0.5);
}

/** The t with P(|T| ≤ t) = confidence, e.g. 12.706 for 95 % at ν = 1, 1.960 as ν → ∞. */
export function studentTCritical(confidence: number, degreesOfFreedom: number): number {
  if (!(confidence > 0 && confidence < 1)) {
    throw new InvalidStudentTArgumentError(
      `confidence is ${confidence}; it must be between 0 and 1, e.g. 0.95`,
    );
  }
  const alpha = 1 - confidence;
  let low = 0;
  let high = 1;
  while (studentTTwoSidedTail(high, degreesOfFreedom) > alpha) {
    low = high;
    high *= 2;
  }
  for (let i = 0; i < 200 && high - low > 1e-12 * high; i++) {
    const mid = (low + high) / 2;
    if (studentTTwoSidedTail(mid, degreesOfFreedom) > alpha) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

function assertDegreesOfFreedom(nu: number): void {
  if (!(nu > 0)) {
    throw new InvalidStudentTArgumentError(`degrees of freedom are ${nu}; they must be a positive number`);
  }
}

/** I_x(a, b), using the continued fraction where it converges fast and the symmetry I_x(a,b) = 1 − I_{1−x}(b,a). */
function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

const TINY = 1e-300;
const EPSILON = 1e-15;
const MAX_ITERATIONS = 10_000;

function betaContinuedFraction(x: number, a: number, b: number): number {
  const guard = (v: number): number => (Math.abs(v) < TINY ? TINY : v);
  let c = 1;
  let d = 1 / guard(1 - ((a + b) * x) / (a + 1));
  let h = d;
  for (let m = 1; m <= MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    // Even step d_{2m}, then odd step d_{2m+1}, of A&S 26.5.8.
    const even = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 / guard(1 + even * d);
    c = guard(1 + even / c);
    h *= d * c;
    const odd = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 / guard(1 + odd * d);
    c = guard(1 + odd / c);
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) return h;
  }
  return h;
}

const LANCZOS_G = 7;
const LANCZOS_COEFFICIENTS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(z) for z ≥ 1/2, all this module needs (its arguments are ν/2, 1/2 and sums of them). */
function lnGamma(z: number): number {
  const x = z - 1;
  let series = LANCZOS_COEFFICIENTS[0]!;
  for (let i = 1; i < LANCZOS_COEFFICIENTS.length; i++) series += LANCZOS_COEFFICIENTS[i]! / (x + i);
  const t = x + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(series);
}
