import { expect } from 'vitest';

/** Checks an analytic gradient against central differences, component by component. */
export function expectGradientMatchesDifferences(
  f: (p: Record<string, number>, grad?: Float64Array) => number,
  at: Record<string, number>,
  relative = 1e-5,
): void {
  const names = Object.keys(at);
  const grad = new Float64Array(names.length);
  f(at, grad);
  names.forEach((name, i) => {
    const h = 1e-6 * Math.max(1, Math.abs(at[name]!));
    const up = f({ ...at, [name]: at[name]! + h });
    const down = f({ ...at, [name]: at[name]! - h });
    const numeric = (up - down) / (2 * h);
    expect(Math.abs(grad[i]! - numeric), `∂/∂${name}`).toBeLessThan(
      relative * Math.max(1, Math.abs(numeric)),
    );
  });
}
