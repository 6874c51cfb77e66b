/**
 * The secret that authenticates outbound messages. Salesforce does not sign
 * them, and their OrganizationId is no secret: anyone who knew an org id
 * could post orders for it. So each workspace gets a random token, placed in
 * the endpoint URL the outbound message is deployed with
 * (`…/salesforce/outbound?token=…`, sent over TLS) and required on every
 * message. Only its SHA-256 is stored; `clv salesforce link` shows the token
 * once. Comparison is in constant time, of the digests.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The query parameter of the outbound endpoint that carries the token. */
export const OUTBOUND_TOKEN_PARAM = 'token';

const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest();

export function outboundTokenHash(token: string): string {
  return digest(token).toString('hex');
}

/** A fresh token (256 random bits, URL-safe) and the hash to store. */
export function issueOutboundToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: outboundTokenHash(token) };
}

/** Whether `token` is the one whose hash is stored (constant time in the token's content). */
export function outboundTokenMatches(storedHash: string, token: string): boolean {
  const stored = Buffer.from(storedHash, 'hex');
  const given = digest(token);
  return stored.length === given.length && timingSafeEqual(stored, given);
}
