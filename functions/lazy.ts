/**
 * Builds a handler on its first invocation, not at import: configuration
 * errors then surface as a logged invocation failure, and tests can import a
 * module's factory without the production settings.
 */
export function lazy<A extends unknown[], R>(build: () => (...args: A) => R): (...args: A) => R {
  let built: ((...args: A) => R) | undefined;
  return (...args: A) => (built ??= build())(...args);
}
