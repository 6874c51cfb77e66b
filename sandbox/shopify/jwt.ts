/**
 * HS256 JSON Web Tokens, signed and checked with node:crypto: the session
 * tokens App Bridge mints (signed with the app's secret) and their
 * verification at the token endpoint.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export function signHs256(payload: Record<string, unknown>, secret: string): string {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(payload));
  const signature = b64url(createHmac('sha256', secret).update(`${head}.${body}`).digest());
  return `${head}.${body}.${signature}`;
}

/** The payload of a token signed with `secret`, or why it is not one. */
export function verifyHs256(
  token: string,
  secret: string,
): { payload: Record<string, unknown> } | { error: string } {
  const parts = token.split('.');
  if (parts.length !== 3) return { error: 'the token is not a JWT' };
  const [head, body, signature] = parts as [string, string, string];
  let header: { alg?: unknown };
  let payload: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: unknown };
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return { error: 'the token is not a JWT' };
  }
  if (header.alg !== 'HS256') return { error: `the token is signed with ${String(header.alg)}, not HS256` };
  const expected = createHmac('sha256', secret).update(`${head}.${body}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { error: 'the token signature does not verify with the app secret' };
  return { payload };
}
