/**
 * Maximum-likelihood estimation shared by every model: parameters are
 * optimised on the log scale (all are positive), the objective is the mean
 * negative log-likelihood (so tolerances do not depend on data size) plus an
 * optional L2 penalty on the parameters, as `lifetimes` defines it.
 */
import { InternalError } from '../errors.ts';
import { minimizeBfgs } from './optimize.ts';
import { HypergeometricSeriesError } from './special.ts';

export interface FitOptions {
  /** L2 penalty λ·Σθ² on the (natural-scale) parameters; 0 for plain MLE. */
  penalty?: number;
  /** Starting parameters; several are tried in turn if the first does not converge. */
  starts?: readonly Record<string, number>[];
  maxIterations?: number;
  /** Start from a related fit (e.g. on a sample): its optimum and its inverse Hessian on the log scale. */
  warmStart?: WarmStart;
}

export interface WarmStart {
  params: Record<string, number>;
  inverseHessian: Float64Array;
}

export interface MaximumLikelihoodFit<P extends Record<string, number>> {
  params: P;
  logLikelihood: number;
  iterations: number;
  evaluations: number;
  gradientNorm: number;
  /** Inverse Hessian of the mean objective on the log scale, for warm starts. */
  inverseHessian: Float64Array;
}

export class FitDidNotConvergeError extends InternalError {
  override name = 'FitDidNotConvergeError';
  readonly model: string;
  readonly reason: string;
  readonly lastParams: Record<string, number>;
  constructor(model: string, reason: string, lastParams: Record<string, number>) {
    super(
      `${model} fit did not converge (${reason}); last parameters ${JSON.stringify(lastParams)}. ` +
        'The data may be too small or too uniform for this model: try more history, a penalty (e.g. 0.001), or another model.',
    );
    this.model = model;
    this.reason = reason;
    this.lastParams = lastParams;
  }
}

export interface Likelihood<P extends Record<string, number>> {
  name: string;
  paramNames: readonly (keyof P & string)[];
  /** Σ ln L; fills ∂/∂param into grad when given and `analytic`. */
  logLikelihood(params: P, grad?: Float64Array): number;
  analytic: boolean;
  /** Number of customers (sum of weights) the likelihood sums over. */
  customers: number;
}

function toParams<P extends Record<string, number>>(names: readonly string[], theta: Float64Array): P {
  const p: Record<string, number> = {};
  names.forEach((name, i) => (p[name] = Math.exp(theta[i] as number)));
  return p as P;
}

export function maximizeLikelihood<P extends Record<string, number>>(
  likelihood: Likelihood<P>,
  options: FitOptions = {},
): MaximumLikelihoodFit<P> {
  const { paramNames: names, customers } = likelihood;
  const penalty = options.penalty ?? 0;
  const k = names.length;
  const naturalGrad = new Float64Array(k);

  const guarded = (theta: Float64Array, grad: Float64Array): number => {
    try {
      return objective(theta, grad);
    } catch (error) {
      // A trial point where the likelihood cannot be evaluated (a 2F1 series at its limit) is no
      // better than an infinite one: the line search steps back from it.
      if (error instanceof HypergeometricSeriesError) return Infinity;
      throw error;
    }
  };
  const objective = (theta: Float64Array, grad: Float64Array): number => {
    const params = toParams<P>(names, theta);
    if (!likelihood.analytic) {
      // Central differences on the log scale: error O(h²) ≈ 1e-10 relative.
      const h = 1e-5;
      const shifted = Float64Array.from(theta);
      for (let i = 0; i < k; i++) {
        shifted[i] = (theta[i] as number) + h;
        const up = -likelihood.logLikelihood(toParams<P>(names, shifted)) / customers;
        shifted[i] = (theta[i] as number) - h;
        const down = -likelihood.logLikelihood(toParams<P>(names, shifted)) / customers;
        shifted[i] = theta[i] as number;
        const p = Math.exp(theta[i] as number);
        grad[i] = (up - down) / (2 * h) + 2 * penalty * p * p;
      }
      let value = -likelihood.logLikelihood(params) / customers;
      for (let i = 0; i < k; i++) value += penalty * Math.exp(2 * (theta[i] as number));
      return value;
    }
    let value = -likelihood.logLikelihood(params, naturalGrad) / customers;
    for (let i = 0; i < k; i++) {
      const p = Math.exp(theta[i] as number);
      value += penalty * p * p;
      // Chain rule for θ = ln p: ∂f/∂θ = p · ∂f/∂p.
      grad[i] = p * (-(naturalGrad[i] as number) / customers + 2 * penalty * p);
    }
    return value;
  };

  const cold = options.starts?.length ? options.starts : [Object.fromEntries(names.map((n) => [n, 1]))];
  const starts: { params: Record<string, number>; inverseHessian?: Float64Array }[] = [
    ...(options.warmStart ? [options.warmStart] : []),
    ...cold.map((params) => ({ params })),
  ];
  let last: { reason: string; params: Record<string, number> } = { reason: 'no start point', params: {} };
  for (const start of starts) {
    const theta0 = names.map((n) => Math.log(start.params[n] ?? 1));
    const result = minimizeBfgs(guarded, theta0, {
      gradientTolerance: likelihood.analytic ? 1e-9 : 1e-7,
      maxIterations: options.maxIterations ?? 500,
      inverseHessian: start.inverseHessian,
    });
    const params = toParams<P>(names, result.theta);
    // Parameters beyond 1e±8 mean the likelihood kept rising toward a boundary: no interior optimum.
    const finite = Object.values(params).every((v) => Number.isFinite(v) && v > 1e-8 && v < 1e8);
    if (result.converged && finite) {
      return {
        params,
        logLikelihood: likelihood.logLikelihood(params),
        iterations: result.iterations,
        evaluations: result.evaluations,
        gradientNorm: result.gradientNorm,
        inverseHessian: result.inverseHessian,
      };
    }
    last = { reason: finite ? result.reason : 'parameters ran off to 0 or infinity', params };
  }
  throw new FitDidNotConvergeError(likelihood.name, last.reason, last.params);
}
