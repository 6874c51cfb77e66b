/**
 * The OAuth 2.0 token request of the server-to-server flows (JWT bearer,
 * client credentials), each attempt bounded by a timeout, transient failures
 * retried with backoff.
 *
 * Why not jsforce's OAuth2.requestToken: it POSTs with no timeout of its own
 * (30 minutes, settable only process-wide through HTTP_TIMEOUT when jsforce
 * is first imported) and never retries (jsforce retries only idempotent
 * methods). One dropped or hung token call then failed a whole backfill,
 * write-back flush or outbound batch, or held it for half an hour. The
 * request is a form POST answered with JSON: fetch does it, and
 * transient-retry.ts's loop retries it.
 */
import { TransientError } from '../../shared/errors.ts';
import * as z from 'zod';
import { loginUrlProblem } from './login-hosts.ts';
import { SalesforceNotConfiguredError } from './salesforce-errors.ts';
import type { TransientRetryOptions } from './transient-retry.ts';
import { withTransientRetry } from './transient-retry.ts';

/**
 * Salesforce refused the login: wrong client, secret, certificate or user. Asking again at once cannot help
 * (requestAccessToken does not), but the work that needed the login is retried like any transient failure,
 * and succeeds once the workspace is linked again; the Contact lookup counts it refused (isLookupRefused).
 */
export class SalesforceAuthError extends TransientError {
  override name = 'SalesforceAuthError';
}

/** The login service failed or did not answer, on every attempt: worth trying again later. */
export class SalesforceLoginUnavailableError extends TransientError {
  override name = 'SalesforceLoginUnavailableError';
}

export type TokenRequestOptions = Pick<TransientRetryOptions, 'maxAttempts' | 'timeoutMs' | 'sleep'>;

/** The fields of Salesforce's token answer that a connection needs. */
const TokenAnswer = z.object({ access_token: z.string().min(1), instance_url: z.url() });
export type TokenAnswer = z.infer<typeof TokenAnswer>;

/** Salesforce's OAuth error answer (`{ error, error_description }`). */
const OAuthError = z.object({ error: z.string(), error_description: z.string().optional() });

/** What made one attempt fail for a reason that may pass. */
class TransientFailure extends TransientError {}

/**
 * POSTs `params` to the org's token endpoint until Salesforce issues a token
 * (returned), refuses the login (SalesforceAuthError) or stays unavailable
 * through every attempt (SalesforceLoginUnavailableError): 4 attempts of 30 s
 * at most unless `options` says otherwise.
 */
export async function requestAccessToken(
  loginUrl: string,
  params: Record<string, string>,
  describe: string,
  options: TokenRequestOptions = {},
): Promise<TokenAnswer> {
  // Checked here, where the secret leaves: a stored setting may predate the check where it is accepted.
  const problem = loginUrlProblem(loginUrl);
  if (problem)
    throw new SalesforceNotConfiguredError(
      `not logging in for ${describe}: ${problem} (clv salesforce link --login-url)`,
    );
  const maxAttempts = options.maxAttempts ?? 4;
  const endpoint = `${loginUrl.replace(/\/$/, '')}/services/oauth2/token`;
  try {
    return await withTransientRetry((timeoutMs) => tokenAttempt(endpoint, params, describe, timeoutMs), {
      ...options,
      maxAttempts,
      timeoutMs: options.timeoutMs ?? 30_000,
      isTransient: (error) => error instanceof TransientFailure,
    });
  } catch (error) {
    if (!(error instanceof TransientFailure)) throw error;
    throw new SalesforceLoginUnavailableError(
      `the Salesforce login service at ${endpoint} failed ${maxAttempts} times for ${describe} (last: ${error.message}); the work is retried later`,
    );
  }
}

async function tokenAttempt(
  endpoint: string,
  params: Record<string, string>,
  describe: string,
  timeoutMs: number,
): Promise<TokenAnswer> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(params),
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    // A reset or refused connection (fetch's TypeError) or no answer in time (TimeoutError).
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new TransientFailure(
      (error as Error).name === 'TimeoutError'
        ? `no answer in ${timeoutMs} ms`
        : (cause ?? (error as Error).message),
    );
  }
  if (response.status >= 500 || response.status === 429)
    throw new TransientFailure(`HTTP ${response.status}`);
  const body = parseJson(text);
  if (response.ok) {
    const token = TokenAnswer.safeParse(body);
    if (token.success) return token.data;
    throw new TransientFailure('a token answer without access_token or instance_url');
  }
  const refusal = OAuthError.safeParse(body);
  const reason = refusal.success
    ? `${refusal.data.error}: ${refusal.data.error_description ?? ''}`.replace(/: $/, '')
    : `HTTP ${response.status}`;
  const hint = (refusal.success && HINTS[refusal.data.error_description ?? '']) || DEFAULT_HINT;
  throw new SalesforceAuthError(`Salesforce refused the ${describe} (${reason}): ${hint}`);
}

const DEFAULT_HINT = "check the connected app, its certificate or secret, and the user's permission";

/** What to change for the refusals that name a setting (login-hosts.ts has the rules). */
const HINTS: Record<string, string> = {
  'request not supported on this domain':
    "the client credentials flow works only on the org's My Domain URL, not login.salesforce.com or test.salesforce.com: link the workspace again with --login-url https://yourorg.my.salesforce.com",
  'audience is invalid':
    'the JWT audience must be https://login.salesforce.com for a production org and https://test.salesforce.com for a sandbox: link a sandbox org with --sandbox',
};

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
