/**
 * Special functions the models need.
 *
 * log-gamma and digamma come from stdlib (`@stdlib/math-base-special-*`), a kept
 * port of Cephes/Boost. The Gauss hypergeometric function 2F1 is written here:
 * stdlib's hyp2f1 is a young 0.x port and the models only ever need it on
 * 0 <= z < 1 with positive parameters, where the power series converges and
 * can be summed with rescaling so large parameters do not overflow.
 */
import { InternalError } from '../errors.ts';
import gammaln from '@stdlib/math-base-special-gammaln';
import digammaStdlib from '@stdlib/math-base-special-digamma';

export const lgamma: (x: number) => number = gammaln;
export const digamma: (x: number) => number = digammaStdlib;

/** ln(e^a + e^b) without overflow. */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  if (a === b) return a + Math.LN2; // also keeps ln(e^∞ + e^∞) = ∞ rather than NaN
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** ln(e^a - e^b) for a >= b; -Infinity when they are equal. */
export function logSubExp(a: number, b: number): number {
  if (b > a) throw new RangeError(`logSubExp needs a >= b, got a=${a}, b=${b}`);
  if (b === -Infinity) return a;
  const d = b - a;
  // log1p(-e^d) loses digits when e^d is near 1; log(-expm1(d)) keeps them (Mächler 2012).
  return a + (d > -Math.LN2 ? Math.log(-Math.expm1(d)) : Math.log1p(-Math.exp(d)));
}

/** ln(sum e^xs) for an array. */
export function logSumExp(xs: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < xs.length; i++) if ((xs[i] as number) > max) max = xs[i] as number;
  if (max === -Infinity || !Number.isFinite(max)) return max;
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += Math.exp((xs[i] as number) - max);
  return max + Math.log(sum);
}

export class HypergeometricSeriesError extends InternalError {
  override name = 'HypergeometricSeriesError';
}

const MAX_TERMS = 200_000;

/**
 * The series' coefficient ratio f(k) = (a+k)(b+k)/((c+k)(k+1)) tends to 1; the
 * term ratios f(k)·z tend to z. Once f is falling (past its one hump) or below
 * 1, every later term ratio is at most q = max(f(k)·z, z), so the tail after a
 * term t is under |t|·q/(1 − q).
 */
function tailIsNegligible(term: number, sum: number, ratio: number, nextRatio: number, z: number): boolean {
  const q = ratio > z ? ratio : z;
  const settled = nextRatio <= ratio || ratio <= z;
  return settled && q < 1 && Math.abs(term) * q < 1e-17 * Math.abs(sum) * (1 - q);
}

function checkDomain(a: number, b: number, c: number, z: number): void {
  // c in (−1, 0) is allowed: BG/NBD meets it when a + b < 1; c = 0, −1, … leave the function undefined.
  if (!(z >= 0 && z < 1) || !(a > 0 && b > 0 && c > -1 && c !== 0)) {
    throw new HypergeometricSeriesError(
      `2F1 series needs 0 <= z < 1, positive a and b, and c > -1 (not 0); got a=${a}, b=${b}, c=${c}, z=${z}`,
    );
  }
}

/**
 * Σ_k (a)_k (b)_k / ((c)_k k!) · z^k, each term from the last by the ratio
 * (a+k)(b+k)/((c+k)(k+1)) · z, until the tail is negligible. With `rescale`
 * the sum is kept in range by dividing out powers of 1e250, which `logScale`
 * (the natural log of what was divided out) returns; without it, a zero term
 * (the series terminated) also ends the sum.
 */
function seriesSum(
  a: number,
  b: number,
  c: number,
  z: number,
  maxTerms: number,
  rescale: boolean,
): { sum: number; logScale: number } {
  let term = 1;
  let sum = 1;
  let logScale = 0;
  let ratio = ((a * b) / c) * z;
  for (let k = 0; k < maxTerms; k++) {
    term *= ratio;
    sum += term;
    const next = (((a + k + 1) * (b + k + 1)) / ((c + k + 1) * (k + 2))) * z;
    if (tailIsNegligible(term, sum, ratio, next, z) || (!rescale && term === 0)) return { sum, logScale };
    ratio = next;
    if (rescale && Math.abs(sum) > 1e250) {
      sum /= 1e250;
      term /= 1e250;
      logScale += 250 * Math.LN10;
    }
  }
  throw new HypergeometricSeriesError(
    `2F1(${a}, ${b}; ${c}; ${z}) did not converge in ${maxTerms} terms (z too close to 1)`,
  );
}

/**
 * 2F1(a, b; c; z) by its power series, for z in [0, 1), a, b > 0 and c > −1,
 * c ≠ 0 (the region every model here uses). With c > 0 all terms are
 * positive; with c in (−1, 0) all but the first are negative. Rescaled as it
 * grows, so the log of a result beyond double range is still returned.
 */
export function logHyp2f1(a: number, b: number, c: number, z: number, maxTerms = MAX_TERMS): number {
  checkDomain(a, b, c, z);
  if (z === 0) return 0;
  const { sum, logScale } = seriesSum(a, b, c, z, maxTerms, true);
  if (!(sum > 0))
    throw new HypergeometricSeriesError(`2F1(${a}, ${b}; ${c}; ${z}) = ${sum} has no logarithm`);
  return logScale + Math.log(sum);
}

export function hyp2f1(a: number, b: number, c: number, z: number): number {
  if (c > 0) return Math.exp(logHyp2f1(a, b, c, z));
  // c in (−1, 0): the sum may be negative, so no logarithm; such parameters keep it small.
  checkDomain(a, b, c, z);
  return seriesSum(a, b, c, z, MAX_TERMS, false).sum;
}

/** Nodes and weights of 16-point Gauss–Legendre quadrature on [-1, 1]. */
const GL_NODES = [
  -0.9894009349916499, -0.9445750230732326, -0.8656312023878318, -0.755404408355003, -0.6178762444026438,
  -0.4580167776572274, -0.2816035507792589, -0.0950125098376374, 0.0950125098376374, 0.2816035507792589,
  0.4580167776572274, 0.6178762444026438, 0.755404408355003, 0.8656312023878318, 0.9445750230732326,
  0.9894009349916499,
];
const GL_WEIGHTS = [
  0.0271524594117541, 0.0622535239386479, 0.0951585116824928, 0.1246289712555339, 0.1495959888165767,
  0.1691565193950025, 0.1826034150449236, 0.1894506104550685, 0.1894506104550685, 0.1826034150449236,
  0.1691565193950025, 0.1495959888165767, 0.1246289712555339, 0.0951585116824928, 0.0622535239386479,
  0.0271524594117541,
];

/** ∫_lo^hi f(u) du by 16-point Gauss–Legendre: exact for polynomials to degree 31, ample for smooth integrands. */
export function integrate(f: (u: number) => number, lo: number, hi: number): number {
  const half = (hi - lo) / 2;
  const mid = (hi + lo) / 2;
  let s = 0;
  for (let i = 0; i < 16; i++) s += (GL_WEIGHTS[i] as number) * f(mid + half * (GL_NODES[i] as number));
  return s * half;
}

/**
 * 2F1(a, b; c; z_i) for several z at once, into `out`. The series coefficients
 * (a)_k (b)_k / ((c)_k k!) do not depend on z, so each is computed once and
 * reused for every z: a CLV horizon of twelve months costs little more than
 * one series. Same domain as logHyp2f1; values must stay below ~1e300.
 */
export function hyp2f1Many(a: number, b: number, c: number, zs: ArrayLike<number>, out: Float64Array): void {
  const m = zs.length;
  let zMax = 0;
  for (let i = 0; i < m; i++) {
    const z = zs[i] as number;
    checkDomain(a, b, c, z);
    zMax = Math.max(zMax, z);
    out[i] = 1;
  }
  const powers = new Float64Array(m).fill(1);
  let coefficient = 1;
  let zMaxPower = 1;
  let ratio = (a * b) / c;
  for (let k = 0; k < MAX_TERMS; k++) {
    coefficient *= ratio;
    for (let i = 0; i < m; i++) {
      const p = (powers[i] as number) * (zs[i] as number);
      powers[i] = p;
      out[i] = (out[i] as number) + coefficient * p;
    }
    // Every sum is at least ~1 and every term at most the largest z's, so one tail bound on the
    // slowest series serves them all.
    zMaxPower *= zMax;
    const next = ((a + k + 1) * (b + k + 1)) / ((c + k + 1) * (k + 2));
    if (tailIsNegligible(coefficient * zMaxPower, 1, ratio * zMax, next * zMax, zMax) || zMax === 0) return;
    ratio = next;
  }
  throw new HypergeometricSeriesError(`2F1(${a}, ${b}; ${c}; z) did not converge in ${MAX_TERMS} terms`);
}
