import { loadLogKey } from '../../shared/log-ids.ts';

/**
 * Builds a handler on its first invocation, not at import: configuration
 * errors then surface as a logged invocation failure, and tests can import a
 * module's factory without the production settings. The build may be async
 * (secrets read from SSM); a build that failed is tried again on the next
 * invocation, so a throttled SSM read does not stick to a warm function.
 * Every build first reads the deployment's log key (shared/log-ids.ts), so
 * no line a handler writes names a customer by a guessable id.
 */
export function lazy<A extends unknown[], R>(
  build: () => Promise<(...args: A) => R> | ((...args: A) => R),
): (...args: A) => Promise<Awaited<R>> {
  let built: Promise<(...args: A) => R> | undefined;
  return async (...args: A): Promise<Awaited<R>> => {
    built ??= loadLogKey()
      .then(() => build())
      .catch((error: unknown) => {
        built = undefined;
        throw error;
      });
    const handler = await built;
    return (await handler(...args)) as Awaited<R>;
  };
}

/** A dependency given as is (tests) or built on first need (production: an import only some invocations use). */
export type OnDemand<T> = T | (() => Promise<T>);

export const resolveOnDemand = <T extends object>(dep: OnDemand<T>): Promise<T> =>
  typeof dep === 'function' ? (dep as () => Promise<T>)() : Promise.resolve(dep);

/** Builds once, on the first call; a failed build is tried again on the next. */
export function once<T>(build: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () =>
    (value ??= build().catch((error: unknown) => {
      value = undefined;
      throw error;
    }));
}
