/** What `fn` throws, so a test can look at the error; a call that does not throw fails the test. */
export function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

/** What `p` rejects with, so a test can look at the error; a promise that fulfils fails the test. */
export async function catchRejection(p: PromiseLike<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
