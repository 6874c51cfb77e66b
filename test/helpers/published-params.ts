import { expect } from 'vitest';

/** Each published parameter recovered to within `tol`: one assertion a parameter, named in its message. */
export function expectPublished(
  params: Readonly<Record<string, number>>,
  published: Readonly<Record<string, number>>,
  tol: number,
): void {
  for (const [name, value] of Object.entries(published))
    expect(Math.abs(params[name]! - value), name).toBeLessThan(tol);
}
