/** What `fn` throws, so a test can look at the error; a call that does not throw fails the test. */
export function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
