/**
 * Where shopify-api's HTTP requests go. In production: https://{shop}, as the
 * library builds them. In tests and the local demo, Shopify cannot be
 * embedded, so requests for *.myshopify.com are sent to the sandbox origin
 * instead, with the shop in `x-forwarded-host`; nothing else changes, so the
 * same library code (auth, GraphQL client, retries) runs against it.
 */
import { setAbstractFetchFunc } from '@shopify/shopify-api/runtime';

let origin: string | undefined;

export function routeAdminRequests(adminOrigin: string | undefined): void {
  origin = adminOrigin?.replace(/\/$/, '');
  setAbstractFetchFunc(shopifyFetch);
}

/** fetch for anything addressed to a shop: rerouted to the sandbox when one is configured. */
export const shopifyFetch: typeof fetch = async (input, init) => {
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
