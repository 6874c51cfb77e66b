import { describe, expect, it } from 'vitest';
import type { BgNbdParams, Likelihood } from '../../../shared/clv/index.ts';
import { FitDidNotConvergeError, bgNbd, compressRfm, maximizeLikelihood } from '../../../shared/clv/index.ts';
import type { Objective } from '../../../shared/clv/optimize.ts';
import { minimizeBfgs } from '../../../shared/clv/optimize.ts';
import { cdnowSummary } from '../../helpers/cdnow.ts';

/** Rosenbrock's banana, minimum 0 at (1, 1). */
const rosenbrock: Objective = (x, grad) => {
  const [u, v] = [x[0]!, x[1]!];
  grad[0] = -2 * (1 - u) - 400 * u * (v - u * u);
  grad[1] = 200 * (v - u * u);
  return (1 - u) ** 2 + 100 * (v - u * u) ** 2;
};

// f(x) = ½ (x − m)ᵀ A (x − m) + 7, A symmetric and strictly diagonally dominant (so positive definite),
// condition number about 100: minimum 7 at m.
const A = [
  [100, 5, 1, 0.5],
  [5, 20, 1, 0.2],
  [1, 1, 4, 0.3],
  [0.5, 0.2, 0.3, 1.5],
];
const m = [1, -2, 3, 0.5];
const quadratic: Objective = (x, grad) => {
  let f = 7;
  for (let i = 0; i < 4; i++) {
    let row = 0;
    for (let j = 0; j < 4; j++) row += A[i]![j]! * (x[j]! - m[j]!);
    grad[i] = row;
    f += 0.5 * (x[i]! - m[i]!) * row;
  }
  return f;
};

describe('minimizeBfgs', () => {
  it('takes Rosenbrock from (−1.2, 1) to (1, 1)', () => {
    const result = minimizeBfgs(rosenbrock, [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(Math.abs(result.theta[0]! - 1)).toBeLessThan(1e-6);
    expect(Math.abs(result.theta[1]! - 1)).toBeLessThan(1e-6);
    expect(result.value).toBeLessThan(1e-12);
    expect(result.gradientNorm).toBeLessThan(1e-9);
  });

  it('finds the minimum of a 4-d quadratic', () => {
    const result = minimizeBfgs(quadratic, [0, 0, 0, 0]);
    expect(result.converged).toBe(true);
    m.forEach((mi, i) => expect(Math.abs(result.theta[i]! - mi), `θ${i}`).toBeLessThan(1e-8));
    expect(Math.abs(result.value - 7)).toBeLessThan(1e-12);
  });

  it('reports converged = false, with a reason, when it runs out of iterations', () => {
    for (const [f, start] of [
      [rosenbrock, [-1.2, 1]],
      [quadratic, [0, 0, 0, 0]],
    ] as const) {
      const result = minimizeBfgs(f, start, { maxIterations: 2 });
      expect(result.converged).toBe(false);
      expect(result.iterations).toBe(2);
      expect(result.reason).toMatch(/iteration/);
      // Two steps do make progress: it is not the start point handed back.
      const grad = new Float64Array(start.length);
      expect(result.value).toBeLessThan(f(Float64Array.from(start), grad));
    }
  });

  it('reports converged = false when the objective is not finite at the start', () => {
    const result = minimizeBfgs(
      (_x, grad) => {
        grad[0] = 0;
        return NaN;
      },
      [0],
    );
    expect(result.converged).toBe(false);
    expect(result.reason).toMatch(/not finite/);
  });

  it('warm-started with a previous run’s inverse Hessian needs fewer iterations than a cold start', () => {
    const first = minimizeBfgs(quadratic, [0, 0, 0, 0]);
    expect(first.converged).toBe(true);
    const start = [0.5, 0.5, 0.5, 0.5];
    const cold = minimizeBfgs(quadratic, start);
    const warm = minimizeBfgs(quadratic, start, { inverseHessian: first.inverseHessian });
    expect(cold.converged).toBe(true);
    expect(warm.converged).toBe(true);
    m.forEach((mi, i) => expect(Math.abs(warm.theta[i]! - mi)).toBeLessThan(1e-8));
    expect(warm.iterations).toBeLessThan(cold.iterations);
  });
});

describe('maximizeLikelihood', () => {
  it('finds a closed-form MLE (Poisson rate = sample mean), with analytic and with numeric gradients', () => {
    const counts = [0, 2, 3, 1, 0, 4, 2, 2];
    const total = counts.reduce((s, c) => s + c, 0);
    const n = counts.length;
    // Σ ln Poisson(c | λ) up to a constant: total·ln λ − n·λ.
    const logLikelihood = ({ lambda }: { lambda: number }, grad?: Float64Array) => {
      if (grad) grad[0] = total / lambda - n;
      return total * Math.log(lambda) - n * lambda;
    };
    for (const analytic of [true, false]) {
      const fit = maximizeLikelihood({
        name: 'poisson',
        paramNames: ['lambda'],
        analytic,
        customers: n,
        logLikelihood,
      });
      expect(Math.abs(fit.params.lambda - total / n), `analytic=${analytic}`).toBeLessThan(1e-6);
    }
  });

  // ln L = 100 ln x increases without bound: there is no maximum to find.
  const unbounded: Likelihood<{ x: number }> = {
    name: 'runawayModel',
    paramNames: ['x'],
    analytic: true,
    customers: 100,
    logLikelihood: ({ x }, grad) => {
      if (grad) grad[0] = 100 / x;
      return 100 * Math.log(x);
    },
  };

  it('throws FitDidNotConvergeError, naming the model and what to try, when there is no maximum', () => {
    let caught: unknown;
    try {
      maximizeLikelihood(unbounded);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FitDidNotConvergeError);
    const error = caught as FitDidNotConvergeError;
    expect(error.name).toBe('FitDidNotConvergeError');
    expect(error.model).toBe('runawayModel');
    expect(error.message).toMatch(/^runawayModel fit did not converge/);
    expect(error.reason.length).toBeGreaterThan(0);
    expect(error.message).toContain(error.reason);
    expect(error.message).toMatch(/penalty/);
    expect(error.message).toMatch(/more history/);
    // It ran away; it did not silently hand back the start point.
    expect(error.lastParams.x).toBeGreaterThan(1e6);
  });

  it('throws the same way when the likelihood is only available numerically', () => {
    expect(() => maximizeLikelihood({ ...unbounded, analytic: false })).toThrow(FitDidNotConvergeError);
  });

  it('follows its own advice: a penalty gives the unbounded likelihood a maximum, in closed form', () => {
    // Mean objective −ln x + λx², minimised at x = 1/√(2λ).
    const penalty = 0.001;
    const fit = maximizeLikelihood(unbounded, { penalty });
    expect(Math.abs(fit.params.x - 1 / Math.sqrt(2 * penalty))).toBeLessThan(1e-6);
  });

  it('warm-started from a fit on a sample of CDNOW, BG/NBD converges in fewer iterations than cold', () => {
    const summaries = cdnowSummary();
    const likelihood = (rows: typeof summaries): Likelihood<BgNbdParams> => {
      const data = compressRfm(rows);
      return {
        name: 'bgnbd',
        paramNames: ['r', 'alpha', 'a', 'b'],
        analytic: true,
        customers: data.customers,
        logLikelihood: (params, grad) => bgNbd.logLikelihood(params, data, grad),
      };
    };
    const sample = maximizeLikelihood(likelihood(summaries.filter((_, i) => i % 4 === 0)));
    const full = likelihood(summaries);
    const cold = maximizeLikelihood(full);
    const warm = maximizeLikelihood(full, {
      warmStart: { params: sample.params, inverseHessian: sample.inverseHessian },
    });
    // Same optimum (the published one, Fader, Hardie & Lee 2005), reached sooner.
    for (const fit of [cold, warm]) {
      expect(Math.abs(fit.params.r - 0.2426)).toBeLessThan(1e-3);
      expect(Math.abs(fit.params.alpha - 4.4136)).toBeLessThan(1e-3);
      expect(Math.abs(fit.params.a - 0.7929)).toBeLessThan(1e-3);
      expect(Math.abs(fit.params.b - 2.4259)).toBeLessThan(1e-3);
    }
    expect(warm.iterations).toBeLessThan(cold.iterations);
    // And the full fit's own curvature, fed back from the cold start point, also shortens the run.
    const rerun = maximizeLikelihood(full, {
      warmStart: { params: { r: 1, alpha: 1, a: 1, b: 1 }, inverseHessian: cold.inverseHessian },
    });
    expect(rerun.iterations).toBeLessThan(cold.iterations);
  });
});

describe('a likelihood rising toward a boundary without reaching it', () => {
  it('is reported as not converged rather than as an optimum at a huge parameter', () => {
    expect(() =>
      maximizeLikelihood({
        name: 'ceiling',
        paramNames: ['x'],
        analytic: true,
        customers: 1,
        logLikelihood: (p, grad) => {
          const x = p.x as number;
          if (grad) grad[0] = 100 / (x * x);
          return -100 / x;
        },
      }),
    ).toThrow(FitDidNotConvergeError);
  });
});
