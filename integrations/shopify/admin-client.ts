/**
 * Admin GraphQL requests with Shopify's cost-based throttling respected.
 * A throttled request is answered with HTTP 200 and a `THROTTLED` error, so
 * shopify-api's own retries (429 and 5xx only) never see it: here the wait is
 * computed from the response's cost data — the points missing divided by the
 * restore rate — and the request is sent again. Server errors and dropped
 * connections are retried with backoff; anything else is thrown.
 */
import { InternalError, TransientError } from '../../shared/errors.ts';
import type { Session, Shopify } from '@shopify/shopify-api';
import {
  GraphqlQueryError,
  HttpInternalError,
  HttpRequestError,
  HttpResponseError,
} from '@shopify/shopify-api';

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

interface Cost {
  requestedQueryCost?: number;
  actualQueryCost?: number | null;
  throttleStatus?: ThrottleStatus;
}

export class ShopifyThrottledError extends TransientError {
  override name = 'ShopifyThrottledError';
}

export class ShopifyRequestError extends TransientError {
  override name = 'ShopifyRequestError';
}

/** Shopify refused the input of a mutation we sent: our request is wrong, not the shop's data (InternalError). */
export class ShopifyUserErrors extends InternalError {
  override name = 'ShopifyUserErrors';
  readonly userErrors: readonly { field?: string[] | null; message: string; code?: string | null }[];
  constructor(operation: string, userErrors: ShopifyUserErrors['userErrors']) {
    super(
      `${operation}: ${userErrors.map((e) => `${(e.field ?? []).join('.')} ${e.message}`.trim()).join('; ')}`,
    );
    this.userErrors = userErrors;
  }
}

export interface AdminStats {
  requests: number;
  throttled: number;
  retried: number;
  /** Total seconds spent waiting for the bucket to refill. */
  waitedSeconds: number;
  byOperation: Map<string, number>;
}

export interface AdminClient {
  request<T>(operation: string, variables?: Record<string, unknown>): Promise<T>;
  readonly stats: AdminStats;
  readonly shop: string;
}

export interface AdminClientOptions {
  sleep?: (ms: number) => Promise<void>;
  /** Throttled or failed attempts before giving up: the write-back's queue retries later still. */
  maxAttempts?: number;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Seconds until the bucket holds the requested cost again: (requested − available) / restore rate, at least 1 s. */
export function throttleWaitSeconds(cost: Cost | undefined): number {
  const status = cost?.throttleStatus;
  if (!status || !cost?.requestedQueryCost) return 1;
  const missing = Math.max(0, cost.requestedQueryCost - status.currentlyAvailable);
  return Math.max(1, Math.ceil(missing / status.restoreRate));
}

const operationName = (op: string) => /(?:query|mutation)\s+(\w+)/.exec(op)?.[1] ?? 'anonymous';

export function adminClient(
  shopify: Shopify,
  session: Session,
  options: AdminClientOptions = {},
): AdminClient {
  const sleep = options.sleep ?? defaultSleep;
  const maxAttempts = options.maxAttempts ?? 10;
  const client = new shopify.clients.Graphql({ session });
  const stats: AdminStats = {
    requests: 0,
    throttled: 0,
    retried: 0,
    waitedSeconds: 0,
    byOperation: new Map(),
  };
  return {
    stats,
    shop: session.shop,
    async request<T>(operation: string, variables?: Record<string, unknown>): Promise<T> {
      const name = operationName(operation);
      for (let attempt = 1; ; attempt++) {
        stats.requests++;
        stats.byOperation.set(name, (stats.byOperation.get(name) ?? 0) + 1);
        try {
          const response = await client.request<T>(operation, { variables });
          return response.data as T;
        } catch (error) {
          const wait = retryDelay(error, attempt);
          if (wait === null) throw describe(error, name);
          if (attempt >= maxAttempts)
            throw wait.throttled
              ? new ShopifyThrottledError(
                  `${name} still throttled after ${attempt} attempts on ${session.shop}`,
                )
              : describe(error, name);
          if (wait.throttled) stats.throttled++;
          else stats.retried++;
          stats.waitedSeconds += wait.seconds;
          await sleep(wait.seconds * 1000);
        }
      }
    },
  };
}

function retryDelay(error: unknown, attempt: number): { seconds: number; throttled: boolean } | null {
  if (error instanceof GraphqlQueryError) {
    const body = error.body as {
      errors?: { graphQLErrors?: { extensions?: { code?: string } }[] };
      extensions?: { cost?: Cost };
    };
    const throttled = body.errors?.graphQLErrors?.some((e) => e.extensions?.code === 'THROTTLED');
    return throttled ? { seconds: throttleWaitSeconds(body.extensions?.cost), throttled: true } : null;
  }
  // 5xx, 429 and connections that dropped: transient.
  if (error instanceof HttpInternalError || error instanceof HttpRequestError)
    return { seconds: Math.min(30, 2 ** (attempt - 1)), throttled: false };
  if (error instanceof HttpResponseError && error.response.code === 429)
    return { seconds: Math.min(30, 2 ** attempt), throttled: true };
  if (error instanceof TypeError) return { seconds: Math.min(30, 2 ** (attempt - 1)), throttled: false };
  return null;
}

function describe(error: unknown, operation: string): Error {
  if (error instanceof HttpResponseError && error.response.code === 401)
    return new ShopifyRequestError(
      `${operation}: Shopify refused the access token (401): reinstall or reauthorize the app`,
    );
  if (error instanceof Error)
    return new ShopifyRequestError(`${operation}: ${error.message}`, { cause: error });
  return new ShopifyRequestError(`${operation}: ${String(error)}`);
}

/** Throws the payload's userErrors, if any, as one error naming the operation. */
export function assertNoUserErrors(
  operation: string,
  payload: { userErrors?: ShopifyUserErrors['userErrors'] } | null | undefined,
): void {
  if (payload?.userErrors?.length) throw new ShopifyUserErrors(operation, payload.userErrors);
}
