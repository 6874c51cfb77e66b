/**
 * Where shopify-api's HTTP requests go. In production: https://{shop}, as the
 * library builds them. In tests and the local demo, Shopify cannot be
 * embedded, so requests for *.myshopify.com are sent to the sandbox origin
 * instead, with the shop in `x-forwarded-host`; nothing else changes, so the
 * same library code (auth, GraphQL client, retries) runs against it.
 */
import { setAbstractFetchFunc } from '@shopify/shopify-api/runtime';

let origin: string | undefined;

/**
 * No Admin API call should take longer. shopify-api sets no timeout of its
 * own, so a connection that hangs would hold the write-back until the Lambda
 * timeout; aborted instead, it fails like a dropped connection, which the
 * admin client retries.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
let requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS;

export function routeAdminRequests(adminOrigin: string | undefined, timeoutMs?: number): void {
  origin = adminOrigin?.replace(/\/$/, '');
  requestTimeoutMs = timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  setAbstractFetchFunc(shopifyFetch);
}

/** fetch for anything addressed to a shop, with a timeout; rerouted to the sandbox when one is configured. */
export const shopifyFetch: typeof fetch = async (input, init) => {
  init = { ...init, signal: init?.signal ?? AbortSignal.timeout(requestTimeoutMs) };
  if (!origin) return fetch(input, init);
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (!url.hostname.endsWith('.myshopify.com')) return fetch(input, init);
  const headers = new Headers(input instanceof Request ? input.headers : undefined);
  new Headers(init?.headers).forEach((v, k) => headers.set(k, v));
  headers.set('x-forwarded-host', url.host);
  return fetch(`${origin}${url.pathname}${url.search}`, {
    ...init,
    method: init?.method ?? (input instanceof Request ? input.method : undefined),
    body: init?.body ?? (input instanceof Request ? input.body : undefined),
    headers,
    ...(input instanceof Request && !init?.body ? { duplex: 'half' } : {}),
  } as RequestInit);
};
