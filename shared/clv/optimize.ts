/**
 * BFGS quasi-Newton minimisation with a backtracking Armijo line search
 * (Nocedal & Wright, Numerical Optimization, 2nd ed., Alg. 6.1 and 3.1).
 *
 * Written here rather than taken from npm: no kept JavaScript package offers
 * BFGS with analytic gradients and honest convergence reporting, and the
 * models need only this one, on four or fewer smooth parameters.
 */

export type Objective = (theta: Float64Array, grad: Float64Array) => number;

export interface MinimizeOptions {
  /** Stop when every gradient component is below this. */
  gradientTolerance?: number;
  maxIterations?: number;
  /** A starting inverse Hessian (row-major), e.g. from a fit on a sample of the same data. */
  inverseHessian?: Float64Array;
}

export interface MinimizeResult {
  theta: Float64Array;
  value: number;
  gradientNorm: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
  reason: string;
  /** The final inverse Hessian approximation, to warm-start a related problem. */
  inverseHessian: Float64Array;
}

function maxAbs(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i] as number));
  return m;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

export function minimizeBfgs(
  f: Objective,
  start: ArrayLike<number>,
  options: MinimizeOptions = {},
): MinimizeResult {
  const gtol = options.gradientTolerance ?? 1e-9;
  const maxIterations = options.maxIterations ?? 500;
  const n = start.length;
  let theta = Float64Array.from(start);
  let grad = new Float64Array(n);
  let value = f(theta, grad);
  let evaluations = 1;
  if (!Number.isFinite(value) || !grad.every(Number.isFinite)) {
    return {
      theta,
      value,
      gradientNorm: NaN,
      iterations: 0,
      evaluations,
      converged: false,
      reason: 'the objective is not finite at the start point',
      inverseHessian: new Float64Array(0),
    };
  }
  // Inverse Hessian approximation, row-major.
  const warm = options.inverseHessian?.length === n * n;
  const H = warm ? Float64Array.from(options.inverseHessian as Float64Array) : new Float64Array(n * n);
  if (!warm) for (let i = 0; i < n; i++) H[i * n + i] = 1;
  const direction = new Float64Array(n);
  const trial = new Float64Array(n);
  let trialGrad = new Float64Array(n);
  const s = new Float64Array(n);
  const y = new Float64Array(n);
  let stalls = 0;
  // Every exit past the start reports the iterate as it stands; only the count, verdict and reason differ.
  const stop = (iterations: number, converged: boolean, reason: string): MinimizeResult => ({
    theta,
    value,
    gradientNorm: maxAbs(grad),
    iterations,
    evaluations,
    converged,
    reason,
    inverseHessian: H,
  });

  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    if (maxAbs(grad) < gtol) return stop(iteration - 1, true, 'gradient below tolerance');
    for (let i = 0; i < n; i++) {
      let d = 0;
      for (let j = 0; j < n; j++) d -= (H[i * n + j] as number) * (grad[j] as number);
      direction[i] = d;
    }
    let slope = dot(direction, grad);
    if (!(slope < 0)) {
      // H lost positive definiteness numerically: restart from steepest descent.
      H.fill(0);
      for (let i = 0; i < n; i++) {
        H[i * n + i] = 1;
        direction[i] = -(grad[i] as number);
      }
      slope = dot(direction, grad);
    }
    // Keep the first steps from leaping many orders of magnitude in log-parameter space.
    let step = Math.min(1, 5 / Math.max(maxAbs(direction), 1e-300));
    const noise = 1e-12 * Math.max(1, Math.abs(value));
    let trialValue = Infinity;
    for (let k = 0; k < 60; k++) {
      for (let i = 0; i < n; i++) trial[i] = (theta[i] as number) + step * (direction[i] as number);
      trialValue = f(trial, trialGrad);
      evaluations++;
      // Armijo, with an allowance for rounding: over a million-row sum the objective is only known to
      // ~1e-13 relative, and near the optimum true decreases are smaller than that.
      if (Number.isFinite(trialValue) && trialValue <= value + 1e-4 * step * slope + noise) break;
      // Quadratic interpolation of the step, kept within [0.1, 0.5] of the last one.
      const q = Number.isFinite(trialValue)
        ? (-slope * step * step) / (2 * (trialValue - value - slope * step))
        : 0;
      step = Math.min(0.5 * step, Math.max(0.1 * step, q));
      trialValue = Infinity;
    }
    if (!Number.isFinite(trialValue)) {
      return stop(iteration, maxAbs(grad) < Math.sqrt(gtol), 'line search found no decrease');
    }
    for (let i = 0; i < n; i++) {
      s[i] = (trial[i] as number) - (theta[i] as number);
      y[i] = (trialGrad[i] as number) - (grad[i] as number);
    }
    const improvement = value - trialValue;
    theta = Float64Array.from(trial);
    [grad, trialGrad] = [trialGrad, grad];
    value = trialValue;
    stalls = improvement <= 1e-15 * Math.max(1, Math.abs(value)) ? stalls + 1 : 0;
    if (stalls >= 3) return stop(iteration, maxAbs(grad) < Math.sqrt(gtol), 'no further decrease');
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (iteration === 1 && !warm) {
        // Scale the initial inverse Hessian to the curvature just seen (N&W eq. 6.20).
        const scale = sy / dot(y, y);
        for (let i = 0; i < n * n; i++) H[i] = (H[i] as number) * scale;
      }
      // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ
      const rho = 1 / sy;
      const Hy = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let v = 0;
        for (let j = 0; j < n; j++) v += (H[i * n + j] as number) * (y[j] as number);
        Hy[i] = v;
      }
      const yHy = dot(y, Hy);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          H[i * n + j] =
            (H[i * n + j] as number) -
            rho * ((Hy[i] as number) * (s[j] as number) + (s[i] as number) * (Hy[j] as number)) +
            (rho * rho * yHy + rho) * (s[i] as number) * (s[j] as number);
        }
      }
    }
  }
  return stop(maxIterations, maxAbs(grad) < gtol, 'iteration limit reached');
}
