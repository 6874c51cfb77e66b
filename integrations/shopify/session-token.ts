/**
 * App Bridge session tokens on our own API: who is asking, and for which
 * shop. shopify-api's `decodeSessionToken` checks what Shopify documents for
 * these tokens (HS256 signed with the app secret, exp and nbf with 10 s of
 * clock tolerance, aud = the app's API key); on top of it we insist on the
 * claims the library lets pass when absent or inconsistent: an expiry (a
 * token without one would be good forever), a `dest` that is a
 * *.myshopify.com origin, and an `iss` naming that same shop's admin.
 *
 * The shop is taken from the token and nowhere else: no header, path or
 * query parameter can name another one.
 */
import type { Shopify } from '@shopify/shopify-api';
import { InvalidJwtError } from '@shopify/shopify-api';
import * as z from 'zod';
import { UnauthenticatedError } from '../../shared/errors.ts';

/** A token we will not act on: 401, and App Bridge may retry with a fresh one. Never quotes the token. */
export class SessionTokenError extends UnauthenticatedError {
  override name = 'SessionTokenError';
}

const ShopOrigin = z.string().transform((s, ctx) => {
  try {
    const url = new URL(s);
    if (url.protocol === 'https:' && /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(url.hostname))
      return url.hostname;
  } catch {
    // reported below
  }
  ctx.addIssue({ code: 'custom', message: `"${s}" is not a shop origin` });
  return z.NEVER;
});

const ClaimsSchema = z.object({
  dest: ShopOrigin,
  iss: z.string(),
  exp: z.number(),
  sub: z.string().optional(),
});

export interface SessionTokenClaims {
  /** The shop's domain, e.g. example.myshopify.com. */
  shop: string;
  /** The staff member's user id, when the token names one. */
  userId: string | null;
}

/** The bearer token of an `Authorization: Bearer …` header, or null. */
export function bearerToken(headers: Record<string, string | undefined>): string | null {
  return /^Bearer ([A-Za-z0-9_.-]+)$/.exec(headers.authorization ?? '')?.[1] ?? null;
}

export async function verifySessionToken(shopify: Shopify, token: string): Promise<SessionTokenClaims> {
  let payload: unknown;
  try {
    payload = await shopify.session.decodeSessionToken(token);
  } catch (error) {
    if (error instanceof InvalidJwtError)
      // The library's message quotes the whole token: a bearer credential has no place in logs or answers.
      throw new SessionTokenError(error.message.replaceAll(token, '<token>'));
    throw error;
  }
  const claims = ClaimsSchema.safeParse(payload);
  if (!claims.success)
    throw new SessionTokenError(
      `session token claims are incomplete: ${claims.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const { dest: shop, iss, sub } = claims.data;
  let issuer: string | null = null;
  try {
    issuer = new URL(iss).hostname;
  } catch {
    // reported below
  }
  if (issuer !== shop)
    throw new SessionTokenError(`session token issuer ${iss} is not the admin of its destination ${shop}`);
  return { shop, userId: sub ?? null };
}
