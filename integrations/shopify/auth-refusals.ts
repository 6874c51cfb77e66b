/**
 * Which install and OAuth failures are the request's fault, by shopify-api's
 * error classes (lib/error.ts): those are answered 4xx with a message the
 * merchant can act on; anything else (Shopify unreachable or 5xx, a
 * throttle, our own bug) is rethrown, so Lambda answers 5xx and it shows up
 * as an error.
 *
 * - BotActivityDetected: a crawler (isbot on the User-Agent) following the
 *   callback link: 403.
 * - CookieNotFound: the signed state cookie of /shopify/auth is missing or
 *   expired (another browser, cookies blocked, an old link): 400.
 * - InvalidHmacError (no hmac, a repeated parameter, a timestamp outside 90 s)
 *   and InvalidOAuthError (wrong hmac or state): 401.
 * - InvalidShopError, and a shop outside *.myshopify.com: 400.
 * - SessionTokenError (integrations/shopify/session-token.ts): 401.
 * - HttpResponseError below 500 that is not retriable (Shopify refused the
 *   code or the token exchange: used, expired, another app's): 401.
 */
import {
  BotActivityDetected,
  CookieNotFound,
  HttpResponseError,
  HttpRetriableError,
  InvalidHmacError,
  InvalidJwtError,
  InvalidOAuthError,
  InvalidShopError,
} from '@shopify/shopify-api';
import { PermanentError } from '../../shared/errors.ts';
import { SessionTokenError } from './session-token.ts';

/** A shop parameter that is not a shop's own *.myshopify.com domain. */
export class NotAShopDomainError extends PermanentError {
  override name = 'NotAShopDomainError';
  constructor() {
    super('the shop parameter must be a shop domain such as "example.myshopify.com"', { statusCode: 400 });
  }
}

const MYSHOPIFY = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

/**
 * The shop to send to Shopify's grant screen. shopify-api's sanitizeShop also
 * lets through *.shopify.com, *.myshopify.io and *.shop.dev (Shopify's own
 * and its development hosts) and any host of a configured domain
 * transformation; none of those is a merchant's shop, so after it has turned
 * `admin.shopify.com/store/<handle>` into `<handle>.myshopify.com`, only a
 * myshopify domain is kept.
 */
export function shopForOAuth(
  sanitize: (shop: string, throwOnInvalid: boolean) => string | null,
  shop: string,
) {
  let sanitized: string | null;
  try {
    sanitized = sanitize(shop, false);
  } catch {
    sanitized = null;
  }
  const host = sanitized?.toLowerCase().replace(/\/+$/, '');
  if (!host || !MYSHOPIFY.test(host)) throw new NotAShopDomainError();
  return host;
}

export interface Refusal {
  status: number;
  /** Safe to log and to answer: names no token, cookie or code. */
  reason: string;
}

/** The 4xx an install or OAuth failure is answered with, or null when it must be rethrown. */
export function authRefusal(error: unknown): Refusal | null {
  const named = (status: number, e: Error) => ({ status, reason: `${e.name}: ${e.message}` });
  if (error instanceof BotActivityDetected) return named(403, error);
  if (error instanceof CookieNotFound)
    return {
      status: 400,
      reason: `${error.name}: the install's state cookie is missing or expired; start the install again from the Shopify admin`,
    };
  if (error instanceof InvalidHmacError || error instanceof InvalidOAuthError) return named(401, error);
  if (error instanceof InvalidShopError || error instanceof NotAShopDomainError) return named(400, error);
  if (error instanceof SessionTokenError) return named(401, error);
  // shopify-api's JWT messages quote the token whole: only the class is told.
  if (error instanceof InvalidJwtError)
    return { status: 401, reason: `${error.name}: invalid session token` };
  if (
    error instanceof HttpResponseError &&
    !(error instanceof HttpRetriableError) &&
    error.response.code < 500
  )
    return { status: 401, reason: `${error.name}: Shopify refused the grant (${error.response.code})` };
  return null;
}
