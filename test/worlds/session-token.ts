/** Session tokens as Shopify's admin signs them for an embedded app, claims overridable for refusal tests. */
import { randomUUID } from 'node:crypto';
import { signHs256 } from '../../sandbox/shopify/jwt.ts';

export function sessionTokenFor(request: {
  shop: string;
  apiKey: string;
  secret: string;
  /** Claims replaced, or removed where undefined. */
  overrides?: Record<string, unknown>;
}): string {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: `https://${request.shop}/admin`,
    dest: `https://${request.shop}`,
    aud: request.apiKey,
    sub: '42',
    exp: now + 60,
    nbf: now,
    iat: now,
    jti: randomUUID(),
    sid: randomUUID(),
    ...request.overrides,
  };
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
  return signHs256(claims, request.secret);
}
