/**
 * `POST /services/oauth2/token` for the two server-to-server flows clv-sync
 * uses, and the bearer check every API call passes through. The endpoint is
 * served on the org's My Domain and on the stand-ins for login.salesforce.com
 * and test.salesforce.com.
 *
 * - JWT bearer (`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`,
 *   `assertion`): an RS256 JWT with iss = the connected app's client id,
 *   sub = the username, aud = https://login.salesforce.com for a production
 *   org, https://test.salesforce.com for a sandbox, or an Experience Cloud
 *   site URL, and never the My Domain URL, whichever host it is posted to;
 *   exp in the future (Salesforce Help, "OAuth 2.0 JWT Bearer Flow for
 *   Server-to-Server Integration"). The signature is verified with the app's
 *   certificate key (`jwtPublicKeyPem`).
 * - Client credentials (`grant_type=client_credentials`, client_id and
 *   client_secret in the form or as HTTP Basic), only on the My Domain:
 *   login.salesforce.com and test.salesforce.com refuse it with
 *   `invalid_grant` / "request not supported on this domain" (Salesforce
 *   Help, article 000886201).
 *
 * Failures are OAuth error objects with Salesforce's descriptions
 * (`invalid_grant` / "invalid assertion", "audience is invalid", "expired
 * authorization code", "request not supported on this domain";
 * `invalid_client_id` / "client identifier invalid"; `invalid_client` /
 * "invalid client credentials"). Success is the token response jsforce's
 * `conn.authorize()` consumes: access_token, instance_url (the My Domain),
 * id (`…/id/{orgId}/{userId}`), token_type, issued_at, signature, scope.
 */
import { createHmac, randomBytes, verify } from 'node:crypto';
import type { ApiRequest, SandboxContext, SandboxHost } from './context.ts';
import type { OrgState, TokenRecord } from './org-state.ts';
import type { Reply } from './reply.ts';
import { invalidSession, json } from './reply.ts';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const PRODUCTION_LOGIN = 'https://login.salesforce.com';
const SANDBOX_LOGIN = 'https://test.salesforce.com';

const oauthError = (error: string, description: string): Reply =>
  json(400, { error, error_description: description });

/** Mints an access token shaped like Salesforce's (`{orgId}!AQ…`). */
export function issueToken(org: OrgState, grant: string, username: string): TokenRecord {
  const token = `${org.orgId.slice(0, 15)}!AQ${randomBytes(30).toString('base64url')}.${randomBytes(24).toString('base64url')}`;
  const record: TokenRecord = { token, grant, username, issuedAt: org.now(), expired: false };
  org.tokens.set(token, record);
  return record;
}

/** The token a REST call carries (`Authorization: Bearer …` or the older `OAuth …`). */
export function bearerToken(req: ApiRequest): string | undefined {
  const header = req.headers.authorization;
  const m = typeof header === 'string' ? /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(header) : null;
  return m?.[1];
}

/** The live token record, or throws 401 INVALID_SESSION_ID. */
export function authenticate(org: OrgState, token: string | undefined): TokenRecord {
  const record = token ? org.tokens.get(token) : undefined;
  if (!record || record.expired) throw invalidSession();
  return record;
}

export function handleToken(ctx: SandboxContext, req: ApiRequest, host: SandboxHost = 'my-domain'): Reply {
  const type = String(req.headers['content-type'] ?? '');
  if (req.method !== 'POST' || !/^application\/x-www-form-urlencoded/i.test(type)) {
    return oauthError('invalid_request', 'must use HTTP POST with application/x-www-form-urlencoded');
  }
  const form = new URLSearchParams(req.body.toString('utf8'));
  const grant = form.get('grant_type');
  if (grant === JWT_BEARER) return jwtBearer(ctx, form.get('assertion'));
  if (grant === 'client_credentials') {
    if (host !== 'my-domain') return oauthError('invalid_grant', 'request not supported on this domain');
    return clientCredentials(ctx, req, form);
  }
  if (!grant) return oauthError('invalid_request', 'grant type not specified');
  return oauthError('unsupported_grant_type', 'grant type not supported');
}

function tokenResponse(ctx: SandboxContext, record: TokenRecord): Reply {
  const { origin } = ctx.settings;
  const id = `${origin}/id/${ctx.org.orgId}/${ctx.org.userId}`;
  const issuedAt = String(record.issuedAt);
  const signature = createHmac('sha256', ctx.settings.clientSecret ?? ctx.settings.clientId)
    .update(id + issuedAt)
    .digest('base64');
  return json(200, {
    access_token: record.token,
    signature,
    scope: 'api',
    instance_url: origin,
    id,
    token_type: 'Bearer',
    issued_at: issuedAt,
  });
}

function decodePart(part: string | undefined): Record<string, unknown> | undefined {
  if (!part) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function jwtBearer(ctx: SandboxContext, assertion: string | null): Reply {
  const invalid = () => oauthError('invalid_grant', 'invalid assertion');
  const parts = (assertion ?? '').split('.');
  if (parts.length !== 3) return invalid();
  const [head, body, sig] = parts as [string, string, string];
  const header = decodePart(head);
  const claims = decodePart(body);
  if (!header || !claims || header.alg !== 'RS256') return invalid();
  const key = ctx.settings.jwtPublicKey;
  const signatureOk =
    !!key && verify('RSA-SHA256', Buffer.from(`${head}.${body}`), key, Buffer.from(sig, 'base64url'));
  if (!signatureOk) return invalid();
  if (claims.iss !== ctx.settings.clientId)
    return oauthError('invalid_client_id', 'client identifier invalid');
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const accepted = new Set(
    [ctx.settings.isSandboxOrg ? SANDBOX_LOGIN : PRODUCTION_LOGIN, ...ctx.settings.experienceSiteUrls].map(
      (u) => u.replace(/\/$/, ''),
    ),
  );
  if (!audiences.some((a) => typeof a === 'string' && accepted.has(a.replace(/\/$/, '')))) {
    return oauthError('invalid_grant', 'audience is invalid');
  }
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= ctx.org.now()) {
    return oauthError('invalid_grant', 'expired authorization code');
  }
  if (typeof claims.sub !== 'string' || !claims.sub) return invalid();
  return tokenResponse(ctx, issueToken(ctx.org, 'jwt-bearer', claims.sub));
}

function clientCredentials(ctx: SandboxContext, req: ApiRequest, form: URLSearchParams): Reply {
  let clientId = form.get('client_id');
  let clientSecret = form.get('client_secret');
  const basic = /^Basic\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    clientId ??= decodeURIComponent(decoded.slice(0, colon));
    clientSecret ??= decodeURIComponent(decoded.slice(colon + 1));
  }
  if (clientId !== ctx.settings.clientId) return oauthError('invalid_client_id', 'client identifier invalid');
  if (!ctx.settings.clientSecret) return oauthError('invalid_grant', 'no client credentials user enabled');
  if (clientSecret !== ctx.settings.clientSecret)
    return oauthError('invalid_client', 'invalid client credentials');
  return tokenResponse(ctx, issueToken(ctx.org, 'client_credentials', ctx.org.username));
}
