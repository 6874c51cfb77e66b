/**
 * Which install and OAuth failures are the request's fault, by shopify-api's
 * error classes (lib/error.ts), translated into ours (shared/errors.ts, whose
 * classes alone decide the 4xx) with a message the merchant can act on;
 * anything else (Shopify unreachable or 5xx, a throttle, our own bug) is
 * rethrown, so Lambda answers 5xx and it shows up as an error.
 *
 * - BotActivityDetected: a crawler (isbot on the User-Agent) following the
 *   callback link: ForbiddenError.
 * - CookieNotFound: the signed state cookie of /shopify/auth is missing or
 *   expired (another browser, cookies blocked, an old link): BadRequestError.
 * - InvalidHmacError (no hmac, a repeated parameter, a timestamp outside 90 s)
 *   and InvalidOAuthError (wrong hmac or state): UnauthenticatedError.
 * - InvalidShopError, and a shop outside *.myshopify.com: BadRequestError.
 * - SessionTokenError (integrations/shopify/session-token.ts), and
 *   InvalidJwtError: UnauthenticatedError.
 * - HttpResponseError below 500 that is not retriable (Shopify refused the
 *   code or the token exchange: used, expired, another app's):
 *   UnauthenticatedError.
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
import type { PermanentError } from '../../shared/errors.ts';
import { BadRequestError, ForbiddenError, UnauthenticatedError } from '../../shared/errors.ts';
import { SessionTokenError } from './session-token.ts';

/** A shop parameter that is not a shop's own *.myshopify.com domain. */
export class NotAShopDomainError extends BadRequestError {
  override name = 'NotAShopDomainError';
  constructor() {
    super('the shop parameter must be a shop domain such as "example.myshopify.com"');
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

/**
 * What an install or OAuth failure is refused as, or null when it must be rethrown. The refusal's class gives
 * the status; its message, `<the failure's class>: <what happened>`, is safe to log and to answer (it quotes
 * no cookie or code; the handler still blanks the bearer token), and the failure is its cause.
 */
export function authRefusal(error: unknown): PermanentError | null {
  if (!(error instanceof Error)) return null;
  const cause = { cause: error };
  const named = `${error.name}: ${error.message}`;
  if (error instanceof BotActivityDetected) return new ForbiddenError(named, cause);
  if (error instanceof CookieNotFound)
    return new BadRequestError(
      `${error.name}: the install's state cookie is missing or expired; start the install again from the Shopify admin`,
      cause,
    );
  if (error instanceof InvalidHmacError || error instanceof InvalidOAuthError)
    return new UnauthenticatedError(named, cause);
  if (error instanceof InvalidShopError || error instanceof NotAShopDomainError)
    return new BadRequestError(named, cause);
  if (error instanceof SessionTokenError) return new UnauthenticatedError(named, cause);
  // shopify-api's JWT messages quote the token whole: only the class is told.
  if (error instanceof InvalidJwtError)
    return new UnauthenticatedError(`${error.name}: invalid session token`, cause);
  if (
    error instanceof HttpResponseError &&
    !(error instanceof HttpRetriableError) &&
    error.response.code < 500
  )
    return new UnauthenticatedError(
      `${error.name}: Shopify refused the grant (${error.response.code})`,
      cause,
    );
  return null;
}
