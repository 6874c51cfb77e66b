import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HypergeometricSeriesError,
  digamma,
  hyp2f1,
  hyp2f1Many,
  integrate,
  lgamma,
  logAddExp,
  logHyp2f1,
  logSubExp,
  logSumExp,
} from '../../../shared/clv/special.ts';

/** Euler–Mascheroni constant γ. */
const EULER_GAMMA = 0.5772156649015329;

/** |actual − expected| ≤ tol · max(1, |expected|): relative for large values, absolute near zero. */
function expectClose(actual: number, expected: number, tol: number, what = ''): void {
  expect(Number.isFinite(actual), `${what} is finite`).toBe(true);
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
    tol * Math.max(1, Math.abs(expected)),
  );
}

describe('lgamma at known values', () => {
  it('lgamma(1/2) = ln √π, lgamma(1) = lgamma(2) = 0, lgamma(10) = ln 9!', () => {
    expectClose(lgamma(0.5), 0.5 * Math.log(Math.PI), 1e-15);
    expect(Math.abs(lgamma(1))).toBeLessThan(1e-15);
    expect(Math.abs(lgamma(2))).toBeLessThan(1e-15);
    expectClose(lgamma(10), Math.log(362880), 1e-15);
  });

  it('lgamma(100) = Σ ln k for k < 100 (ln 99!)', () => {
    let lnFactorial = 0;
    for (let k = 2; k < 100; k++) lnFactorial += Math.log(k);
    expectClose(lgamma(100), lnFactorial, 1e-13);
  });

  it('lgamma(x) ≈ −ln x − γx for tiny x (Γ(x) = 1/x − γ + O(x))', () => {
    const x = 1e-9;
    expectClose(lgamma(x), -Math.log(x) - EULER_GAMMA * x, 1e-15);
  });
});

describe('digamma at known values', () => {
  it('digamma(1) = −γ and digamma(1/2) = −γ − 2 ln 2', () => {
    expectClose(digamma(1), -EULER_GAMMA, 1e-15);
    expectClose(digamma(0.5), -EULER_GAMMA - 2 * Math.LN2, 1e-15);
  });

  it('digamma(10) = H₉ − γ', () => {
    let harmonic = 0;
    for (let k = 1; k <= 9; k++) harmonic += 1 / k;
    expectClose(digamma(10), harmonic - EULER_GAMMA, 1e-15);
  });

  it('digamma(1000) matches its asymptotic series ln x − 1/(2x) − 1/(12x²) + 1/(120x⁴)', () => {
    const x = 1000;
    expectClose(digamma(x), Math.log(x) - 1 / (2 * x) - 1 / (12 * x * x) + 1 / (120 * x ** 4), 1e-15);
  });
});

describe('lgamma and digamma properties', () => {
  it('lgamma(x + 1) = lgamma(x) + ln x on (0.01, 100)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 100, noNaN: true }), (x) => {
        const scale = 1 + Math.abs(lgamma(x)) + Math.abs(Math.log(x));
        expect(Math.abs(lgamma(x + 1) - lgamma(x) - Math.log(x))).toBeLessThan(1e-13 * scale);
      }),
      { numRuns: 300 },
    );
  });

  it('digamma(x + 1) = digamma(x) + 1/x on (0.01, 100)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 100, noNaN: true }), (x) => {
        const scale = 1 + Math.abs(digamma(x)) + 1 / x;
        expect(Math.abs(digamma(x + 1) - digamma(x) - 1 / x)).toBeLessThan(1e-13 * scale);
      }),
      { numRuns: 300 },
    );
  });
});

describe('2F1 against closed forms', () => {
  const zs = [1e-8, 0.1, 0.5, 0.9, 0.99];

  it('2F1(1, 1; 2; z) = −ln(1 − z)/z', () => {
    for (const z of zs) expectClose(hyp2f1(1, 1, 2, z), -Math.log1p(-z) / z, 1e-13, `z=${z}`);
  });

  it('2F1(1, 1; 1; z) = 1/(1 − z)', () => {
    for (const z of zs) expectClose(hyp2f1(1, 1, 1, z), 1 / (1 - z), 1e-13, `z=${z}`);
  });

  it('2F1(a, b; b; z) = (1 − z)^−a', () => {
    for (const [a, b] of [
      [0.2426, 2.4259],
      [3.5, 0.7],
      [12, 40],
    ] as const) {
      for (const z of zs) {
        expectClose(hyp2f1(a, b, b, z), Math.pow(1 - z, -a), 1e-12, `a=${a} b=${b} z=${z}`);
        expectClose(logHyp2f1(a, b, b, z), -a * Math.log1p(-z), 1e-12, `ln, a=${a} b=${b} z=${z}`);
      }
    }
  });

  it('2F1(1/2, 1/2; 3/2; z²) = arcsin(z)/z and 2F1(1/2, 1; 3/2; z²) = artanh(z)/z', () => {
    for (const z2 of zs) {
      const z = Math.sqrt(z2);
      expectClose(hyp2f1(0.5, 0.5, 1.5, z2), Math.asin(z) / z, 1e-13, `arcsin, z²=${z2}`);
      expectClose(hyp2f1(0.5, 1, 1.5, z2), Math.atanh(z) / z, 1e-13, `artanh, z²=${z2}`);
    }
  });

  it('is exactly 1 at z = 0', () => {
    expect(hyp2f1(2.5, 3.5, 4.5, 0)).toBe(1);
    expect(logHyp2f1(2.5, 3.5, 4.5, 0)).toBe(0);
  });

  it('stays finite in log form for parameters near 300 where the value itself overflows', () => {
    // (1 − 0.99)^−300 = 10^600: beyond a double, but its log is 300 ln 100.
    const log = logHyp2f1(300, 310, 310, 0.99);
    expectClose(log, 300 * Math.log(100), 1e-12);
    expect(hyp2f1(300, 310, 310, 0.99)).toBe(Infinity);
    // A case with c ≠ b, by Euler's transformation onto a series with small terms:
    // 2F1(300, 250; 320; 0.99) = 0.01^(320−550) · 2F1(20, 70; 320; 0.99).
    const lhs = logHyp2f1(300, 250, 320, 0.99);
    const rhs = (320 - 300 - 250) * Math.log(0.01) + logHyp2f1(20, 70, 320, 0.99);
    expect(lhs).toBeGreaterThan(700); // more than e^700 ≈ 1e304: the rescaled sum is doing its job
    expectClose(lhs, rhs, 1e-12);
  });
});

describe('2F1 domain', () => {
  const cases: [string, number, number, number, number][] = [
    ['z < 0', 1, 1, 2, -0.1],
    ['z = 1', 1, 1, 2, 1],
    ['z > 1', 1, 1, 2, 1.5],
    ['z NaN', 1, 1, 2, NaN],
    ['a = 0', 0, 1, 2, 0.5],
    ['b < 0', 1, -1, 2, 0.5],
    ['c = 0', 1, 1, 0, 0.5],
    ['c = -1', 1, 1, -1, 0.5],
    ['c < -1', 1, 1, -1.5, 0.5],
  ];

  it.each(cases)('throws HypergeometricSeriesError for %s', (_name, a, b, c, z) => {
    expect(() => logHyp2f1(a, b, c, z)).toThrow(HypergeometricSeriesError);
    expect(() => hyp2f1(a, b, c, z)).toThrow(HypergeometricSeriesError);
    expect(() => hyp2f1Many(a, b, c, [z], new Float64Array(1))).toThrow(HypergeometricSeriesError);
  });

  it('sums c in (−1, 0), where BG/NBD lands when a + b < 1, consistently with Gauss’ contiguous relation', () => {
    // c(c−1)(z−1)·F(c−1) + c[c−1−(2c−a−b−1)z]·F(c) + (c−a)(c−b)z·F(c+1) = 0, at c = 0.7 gives F(−0.3).
    const [a, b, z, c] = [0.4, 0.5, 0.6, 0.7];
    const expected =
      -(
        c * (c - 1 - (2 * c - a - b - 1) * z) * hyp2f1(a, b, c, z) +
        (c - a) * (c - b) * z * hyp2f1(a, b, c + 1, z)
      ) /
      (c * (c - 1) * (z - 1));
    expect(hyp2f1(a, b, c - 1, z)).toBeCloseTo(expected, 12);
    const out = new Float64Array(1);
    hyp2f1Many(a, b, c - 1, [z], out);
    expect(out[0]).toBeCloseTo(expected, 12);
  });

  it('stops on the first negligible term for tiny z even with huge parameters', () => {
    expect(logHyp2f1(1e6, 1, 1, 1e-9)).toBeCloseTo(-1e6 * Math.log1p(-1e-9), 10);
    const out = new Float64Array(1);
    hyp2f1Many(1e6, 1, 1, [1e-9], out);
    expect(out[0]).toBeCloseTo(Math.pow(1 - 1e-9, -1e6), 10);
  });

  it('throws rather than return a truncated sum when z is too close to 1 to converge', () => {
    expect(() => logHyp2f1(1, 1, 2, 1 - 1e-6)).toThrow(HypergeometricSeriesError);
  });
});

describe('2F1 properties', () => {
  const positive = (max: number) => fc.double({ min: 0.1, max, noNaN: true });
  const z = fc.double({ min: 0, max: 0.95, noNaN: true });

  it('is symmetric in a and b', () => {
    fc.assert(
      fc.property(positive(50), positive(50), positive(50), z, (a, b, c, x) => {
        expectClose(logHyp2f1(a, b, c, x), logHyp2f1(b, a, c, x), 1e-13);
      }),
    );
  });

  it('2F1(a, b; b; z) = (1 − z)^−a', () => {
    fc.assert(
      fc.property(positive(20), positive(20), z, (a, b, x) => {
        expectClose(logHyp2f1(a, b, b, x), -a * Math.log1p(-x), 1e-12);
      }),
    );
  });

  it("Euler's transformation: 2F1(a, b; c; z) = (1 − z)^(c−a−b) 2F1(c−a, c−b; c; z) for c > a, b", () => {
    fc.assert(
      fc.property(positive(20), positive(20), positive(20), z, (a, b, gap, x) => {
        const c = Math.max(a, b) + gap;
        const lhs = logHyp2f1(a, b, c, x);
        const rhs = (c - a - b) * Math.log1p(-x) + logHyp2f1(c - a, c - b, c, x);
        expectClose(lhs, rhs, 1e-11);
      }),
    );
  });

  it('hyp2f1Many agrees with hyp2f1 at every z', () => {
    fc.assert(
      fc.property(
        positive(30),
        positive(30),
        positive(30),
        fc.array(fc.double({ min: 0, max: 0.99, noNaN: true }), { minLength: 1, maxLength: 12 }),
        (a, b, c, xs) => {
          const out = new Float64Array(xs.length);
          hyp2f1Many(a, b, c, xs, out);
          xs.forEach((x, i) => {
            const expected = hyp2f1(a, b, c, x);
            // Either both overflow or they agree.
            if (!Number.isFinite(expected)) expect(out[i]).toBe(expected);
            else expectClose(out[i]!, expected, 1e-12, `z=${x}`);
          });
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('hyp2f1Many', () => {
  it('fills one value per z, matching hyp2f1 on model-sized parameters', () => {
    const zs = [0, 0.05, 0.3, 0.7, 0.95, 0.99];
    for (const [a, b, c] of [
      [0.2426, 2.4259, 2.2188], // BG/NBD on CDNOW: 2F1(r, b; a+b−1; z)
      [5.24, 7.43, 8.22],
      [1, 1, 2],
    ] as const) {
      const out = new Float64Array(zs.length).fill(NaN);
      hyp2f1Many(a, b, c, zs, out);
      zs.forEach((z, i) => expectClose(out[i]!, hyp2f1(a, b, c, z), 1e-12, `${a},${b},${c} at z=${z}`));
    }
    const out = new Float64Array(3);
    hyp2f1Many(1, 1, 2, [0.1, 0.5, 0.99], out);
    [0.1, 0.5, 0.99].forEach((z, i) => expectClose(out[i]!, -Math.log1p(-z) / z, 1e-13, `z=${z}`));
  });
});

describe('log-space sums', () => {
  it('logAddExp matches ln(e^a + e^b) where that is computable', () => {
    for (const [a, b] of [
      [0, 0],
      [1, 2],
      [-3, 5],
      [-700, -701],
      [10, -30],
    ] as const) {
      expectClose(logAddExp(a, b), Math.log(Math.exp(a) + Math.exp(b)), 1e-15, `${a}, ${b}`);
    }
  });

  it('logAddExp does not overflow: ln(e^1000 + e^999) = 1000 + ln(1 + e^−1)', () => {
    expect(Math.exp(1000)).toBe(Infinity);
    expectClose(logAddExp(1000, 999), 1000 + Math.log1p(Math.exp(-1)), 1e-15);
    expectClose(logAddExp(999, 1000), 1000 + Math.log1p(Math.exp(-1)), 1e-15);
    expectClose(logAddExp(-1000, -1000), -1000 + Math.LN2, 1e-15);
  });

  it('logAddExp treats −Infinity as ln 0', () => {
    expect(logAddExp(-Infinity, 3)).toBe(3);
    expect(logAddExp(3, -Infinity)).toBe(3);
    expect(logAddExp(-Infinity, -Infinity)).toBe(-Infinity);
  });

  it('logSubExp matches ln(e^a − e^b), overflow-free, and −Infinity for a = b', () => {
    expectClose(logSubExp(3, 1), Math.log(Math.exp(3) - Math.exp(1)), 1e-15);
    expectClose(logSubExp(0.5, -2), Math.log(Math.exp(0.5) - Math.exp(-2)), 1e-15);
    expectClose(logSubExp(1000, 999), 1000 + Math.log1p(-Math.exp(-1)), 1e-15);
    expect(logSubExp(7, 7)).toBe(-Infinity);
    expect(logSubExp(7, -Infinity)).toBe(7);
  });

  it('logSubExp keeps its digits when a and b are close: ln(1 − e^−h) = ln h − h/2 + O(h²)', () => {
    const h = 1e-10;
    // Computing ln(1 − e^−h) directly loses about 7 of its 16 digits here.
    expectClose(logSubExp(0, -h), Math.log(h) - h / 2, 1e-15);
  });

  it('logSubExp refuses a < b', () => {
    expect(() => logSubExp(1, 2)).toThrow(RangeError);
  });

  it('logSumExp matches the direct sum and survives overflow', () => {
    expectClose(logSumExp([1, 2, 3]), Math.log(Math.E + Math.exp(2) + Math.exp(3)), 1e-15);
    expectClose(logSumExp(Float64Array.of(-5, 0.25)), Math.log(Math.exp(-5) + Math.exp(0.25)), 1e-15);
    expectClose(logSumExp([1000, 999, 998]), 1000 + Math.log(1 + Math.exp(-1) + Math.exp(-2)), 1e-15);
    expectClose(logSumExp([1000, -Infinity]), 1000, 1e-15);
    expect(logSumExp([])).toBe(-Infinity);
    expect(logSumExp([-Infinity, -Infinity])).toBe(-Infinity);
  });

  it('logSumExp of two agrees with logAddExp', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e3, max: 1e3, noNaN: true }),
        fc.double({ min: -1e3, max: 1e3, noNaN: true }),
        (a, b) => {
          expectClose(logSumExp([a, b]), logAddExp(a, b), 1e-15);
        },
      ),
    );
  });

  it('logAddExp is commutative and lies in [max, max + ln 2]', () => {
    const value = fc.oneof(
      fc.double({ min: -1e300, max: 1e300, noNaN: true }),
      fc.double({ min: -50, max: 50, noNaN: true }),
      fc.constant(-Infinity),
    );
    fc.assert(
      fc.property(value, value, (a, b) => {
        const sum = logAddExp(a, b);
        expect(logAddExp(b, a)).toBe(sum);
        const max = Math.max(a, b);
        expect(sum).toBeGreaterThanOrEqual(max);
        if (max > -Infinity) expect(sum).toBeLessThanOrEqual(max + Math.LN2 + 4e-16 * Math.abs(max));
      }),
      { numRuns: 500 },
    );
  });
});

describe('integrate (16-point Gauss–Legendre)', () => {
  it('is exact for a degree-20 polynomial', () => {
    // p(u) = u^20 − 3u^13 + 2u^5 + u − 4 on [−1, 2].
    const coefficients = new Map([
      [20, 1],
      [13, -3],
      [5, 2],
      [1, 1],
      [0, -4],
    ]);
    const p = (u: number) => {
      let s = 0;
      for (const [k, c] of coefficients) s += c * u ** k;
      return s;
    };
    const [lo, hi] = [-1, 2];
    let exact = 0;
    for (const [k, c] of coefficients) exact += (c * (hi ** (k + 1) - lo ** (k + 1))) / (k + 1);
    expectClose(integrate(p, lo, hi), exact, 1e-14);
  });

  it('integrates exp on [0, 3] to e³ − 1 and respects orientation', () => {
    expectClose(integrate(Math.exp, 0, 3), Math.expm1(3), 1e-14);
    expectClose(integrate(Math.exp, 3, 0), -Math.expm1(3), 1e-14);
    expect(integrate(Math.exp, 1, 1)).toBe(0);
  });
});
