/**
 * Retrying the Salesforce calls jsforce does not retry. jsforce retries 5xx,
 * 429 and reset connections only for idempotent methods (GET, PUT, DELETE),
 * and its request timeout is 30 minutes. The write-back's sObject Collections
 * update is a PATCH: one 503, 500 UNKNOWN_EXCEPTION, dropped connection or
 * hung socket used to fail the whole flush (or hold it for half an hour),
 * and SQS redelivers a failed flush only after the write-back queue's
 * visibility timeout of 90 minutes. Writing the same field values again is
 * harmless, so a transient failure is retried here with backoff, each
 * attempt bounded by its own timeout.
 */

export interface TransientRetryOptions {
  /** Attempts in all, the first included (default 5). */
  maxAttempts?: number;
  /** How long one attempt may take before it is abandoned and retried (default 120 s). */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Which failures are worth another attempt (default: isTransientSalesforceError). */
  isTransient?: (error: unknown) => boolean;
}

/** Salesforce's own transient answers, as jsforce names them (the error's name is the errorCode). */
const TRANSIENT_CODES = new Set([
  'SERVER_UNAVAILABLE',
  'UNKNOWN_EXCEPTION',
  'ERROR_HTTP_502',
  'ERROR_HTTP_503',
]);

/** A failure worth retrying: Salesforce unavailable or failing internally, a dropped connection, a timeout. */
export function isTransientSalesforceError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { errorCode?: string }).errorCode ?? error.name;
  if (TRANSIENT_CODES.has(code)) return true;
  // node-fetch's operational errors (ECONNRESET, socket hang up) and jsforce's timeout abort.
  return error.name === 'FetchError' || error.name === 'AbortError' || error.message === 'Request Timeout';
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `call` (given its timeout in ms) until it succeeds, fails for good, or runs out of attempts. */
export async function withTransientRetry<T>(
  call: (timeoutMs: number) => Promise<T>,
  options: TransientRetryOptions = {},
): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 5;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const sleep = options.sleep ?? defaultSleep;
  const isTransient = options.isTransient ?? isTransientSalesforceError;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(timeoutMs);
    } catch (error) {
      if (attempt >= maxAttempts || !isTransient(error)) throw error;
      await sleep(Math.min(30_000, 500 * 2 ** (attempt - 1)));
    }
  }
}
