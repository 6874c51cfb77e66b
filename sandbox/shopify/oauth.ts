/**
 * Shopify's token endpoint, `POST https://{shop}/admin/oauth/access_token`,
 * and the tokens it hands out:
 *
 * - token exchange (`grant_type` urn:ietf:params:oauth:grant-type:token-exchange):
 *   an App Bridge session token (HS256 with the app secret; `aud` the API
 *   key, `dest` the shop, within `nbf`…`exp`) becomes an offline token,
 *   expiring (an hour, with a 30-day refresh token) when `expiring` is "1",
 *   or an online token;
 * - `refresh_token`: a new expiring token and a new refresh token. Since
 *   2026-08 Shopify keeps the used refresh token valid until the app starts
 *   using its replacement (so a lost response can be retried); from then on
 *   it is refused with invalid_grant;
 * - the authorization-code grant (`client_id`, `client_secret`, `code`): a
 *   code is good once.
 *
 * Errors are OAuth's: HTTP 400 `{error, error_description}`, 401
 * `invalid_client` for a wrong client id or secret.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'smol-toml';
import { signHs256, verifyHs256 } from './jwt.ts';

/**
 * What an install grants by default: the scopes the app's configuration
 * asks for (`[access_scopes] scopes` of integrations/shopify/shopify.app.toml).
 * With Shopify-managed installation, the scopes declared in the TOML are the
 * ones the merchant approves and the token carries
 * (https://shopify.dev/docs/apps/build/authentication-authorization/manage-access-scopes).
 */
export const GRANTED_SCOPE = (() => {
  const toml = parse(
    readFileSync(new URL('../../integrations/shopify/shopify.app.toml', import.meta.url), 'utf8'),
  ) as { access_scopes?: { scopes?: string } };
  const scopes = toml.access_scopes?.scopes;
  if (!scopes) throw new Error('integrations/shopify/shopify.app.toml declares no [access_scopes] scopes');
  return scopes
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .join(',');
})();
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ID_TOKEN = 'urn:ietf:params:oauth:token-type:id_token';
const OFFLINE = 'urn:shopify:params:oauth:token-type:offline-access-token';
const ONLINE = 'urn:shopify:params:oauth:token-type:online-access-token';
const ACCESS_LIFETIME_S = 3600;
const ONLINE_LIFETIME_S = 86399;
const REFRESH_LIFETIME_S = 30 * 86400;
const CODE_LIFETIME_MS = 10 * 60_000;
const CLOCK_TOLERANCE_S = 10;

export interface AccessTokenRecord {
  token: string;
  shop: string;
  scope: string;
  kind: 'offline' | 'online';
  issuedAt: number;
  /** Epoch ms, or null for a non-expiring offline token. */
  expiresAt: number | null;
  revoked: boolean;
  /** The refresh token issued with it (expiring offline tokens). */
  refreshToken: string | null;
  /** The refresh token that was exchanged for it, retired once this one is used. */
  refreshedFrom: string | null;
}

interface RefreshRecord {
  token: string;
  shop: string;
  scope: string;
  expiresAt: number;
  state: 'active' | 'retiring' | 'revoked';
  /** The access and refresh token it was last exchanged for. */
  replacement: { access: string; refresh: string } | null;
  refreshedFrom: string | null;
}

export interface TokenResponse {
  status: number;
  body: Record<string, unknown>;
}

const fail = (status: number, error: string, description: string): TokenResponse => ({
  status,
  body: { error, error_description: description },
});

export class OAuthServer {
  readonly accessTokens = new Map<string, AccessTokenRecord>();
  private readonly refreshTokens = new Map<string, RefreshRecord>();
  private readonly codes = new Map<string, { shop: string; expiresAt: number; used: boolean }>();
  private readonly apiKey: string;
  private readonly apiSecret: string;
  private readonly now: () => number;

  constructor(options: { apiKey: string; apiSecret: string; now: () => number }) {
    this.apiKey = options.apiKey;
    this.apiSecret = options.apiSecret;
    this.now = options.now;
  }

  /** An App Bridge session token for a user of the shop. */
  sessionToken(shop: string, options: { userId?: string; expiresInSeconds?: number } = {}): string {
    const now = Math.floor(this.now() / 1000);
    return signHs256(
      {
        iss: `https://${shop}/admin`,
        dest: `https://${shop}`,
        aud: this.apiKey,
        sub: options.userId ?? '1',
        exp: now + (options.expiresInSeconds ?? 60),
        nbf: now,
        iat: now,
        jti: randomUUID(),
        sid: randomBytes(32).toString('hex'),
      },
      this.apiSecret,
    );
  }

  authorizationCode(shop: string): string {
    const code = randomBytes(16).toString('hex');
    this.codes.set(code, { shop, expiresAt: this.now() + CODE_LIFETIME_MS, used: false });
    return code;
  }

  /**
   * The URL Shopify redirects the merchant's browser to after the grant
   * screen: the code, shop, host, state and timestamp, signed with `hmac`.
   */
  authorizationRedirect(shop: string, redirectUri: string, state: string): string {
    const params: Record<string, string> = {
      code: this.authorizationCode(shop),
      host: Buffer.from(`${shop}/admin`).toString('base64url'),
      shop,
      state,
      timestamp: String(Math.floor(this.now() / 1000)),
    };
    const message = Object.keys(params)
      .sort()
      .map((k) => `${k}=${params[k]}`)
      .join('&');
    const hmac = createHmac('sha256', this.apiSecret).update(message).digest('hex');
    const url = new URL(redirectUri);
    for (const [k, v] of Object.entries({ ...params, hmac })) url.searchParams.set(k, v);
    return url.href;
  }

  issue(
    shop: string,
    options: { scope?: string; expiring?: boolean; online?: boolean; refreshedFrom?: string } = {},
  ) {
    const scope = options.scope ?? GRANTED_SCOPE;
    const now = this.now();
    const record: AccessTokenRecord = {
      token: `${options.online ? 'shpua' : 'shpat'}_${randomBytes(16).toString('hex')}`,
      shop,
      scope,
      kind: options.online ? 'online' : 'offline',
      issuedAt: now,
      expiresAt: options.online
        ? now + ONLINE_LIFETIME_S * 1000
        : options.expiring
          ? now + ACCESS_LIFETIME_S * 1000
          : null,
      revoked: false,
      refreshToken: null,
      refreshedFrom: options.refreshedFrom ?? null,
    };
    if (options.expiring && !options.online) {
      const refresh: RefreshRecord = {
        token: `shprt_${randomBytes(16).toString('hex')}`,
        shop,
        scope,
        expiresAt: now + REFRESH_LIFETIME_S * 1000,
        state: 'active',
        replacement: null,
        refreshedFrom: options.refreshedFrom ?? null,
      };
      this.refreshTokens.set(refresh.token, refresh);
      record.refreshToken = refresh.token;
    }
    this.accessTokens.set(record.token, record);
    return record;
  }

  tokensOf(shop: string): AccessTokenRecord[] {
    return [...this.accessTokens.values()].filter((t) => t.shop === shop);
  }

  /** Every access token of the shop stops working now (refresh tokens still work). */
  expire(shop: string): void {
    for (const t of this.tokensOf(shop)) t.expiresAt = Math.min(t.expiresAt ?? Infinity, this.now() - 1);
  }

  /** The token's record when it is valid for the shop; using it retires the refresh token it replaced. */
  authenticate(token: string | undefined, shop: string): AccessTokenRecord | null {
    const record = token ? this.accessTokens.get(token) : undefined;
    if (!record || record.shop !== shop || record.revoked) return null;
    if (record.expiresAt !== null && record.expiresAt <= this.now()) return null;
    this.retire(record.refreshedFrom);
    return record;
  }

  private retire(refreshToken: string | null): void {
    const old = refreshToken ? this.refreshTokens.get(refreshToken) : undefined;
    if (old?.state === 'retiring') old.state = 'revoked';
  }

  private response(record: AccessTokenRecord, sub?: string): Record<string, unknown> {
    if (record.kind === 'online')
      return {
        access_token: record.token,
        scope: record.scope,
        expires_in: ONLINE_LIFETIME_S,
        associated_user_scope: record.scope,
        associated_user: {
          id: Number(sub ?? 1),
          first_name: 'Sandbox',
          last_name: 'User',
          email: `user${sub ?? 1}@example.com`,
          account_owner: true,
          locale: 'en',
          collaborator: false,
          email_verified: true,
        },
      };
    if (!record.refreshToken) return { access_token: record.token, scope: record.scope };
    return {
      access_token: record.token,
      scope: record.scope,
      expires_in: ACCESS_LIFETIME_S,
      refresh_token: record.refreshToken,
      refresh_token_expires_in: REFRESH_LIFETIME_S,
    };
  }

  /** `POST /admin/oauth/access_token` for `shop` (JSON or form-encoded body). */
  token(shop: string, params: Record<string, unknown>): TokenResponse {
    const str = (k: string) => (typeof params[k] === 'string' ? (params[k] as string) : undefined);
    if (!str('client_id') || !str('client_secret'))
      return fail(400, 'invalid_request', 'client_id and client_secret are required');
    if (str('client_id') !== this.apiKey || str('client_secret') !== this.apiSecret)
      return fail(
        401,
        'invalid_client',
        'Client authentication failed: unknown client_id or wrong client_secret',
      );
    const grant = str('grant_type');
    const expiring = str('expiring') === '1';
    if (grant === TOKEN_EXCHANGE) return this.exchange(shop, str, expiring);
    if (grant === 'refresh_token') return this.refresh(shop, str('refresh_token'));
    if (grant === undefined && str('code') !== undefined) {
      const code = this.codes.get(str('code')!);
      if (!code || code.used || code.shop !== shop || code.expiresAt <= this.now())
        return fail(400, 'invalid_request', 'The authorization code was not found or was already used');
      code.used = true;
      return { status: 200, body: this.response(this.issue(shop, { expiring })) };
    }
    return fail(400, 'unsupported_grant_type', `grant_type ${grant ?? '(none)'} is not supported`);
  }

  private exchange(shop: string, str: (k: string) => string | undefined, expiring: boolean): TokenResponse {
    const subject = str('subject_token');
    if (!subject) return fail(400, 'invalid_request', 'subject_token is required');
    if (str('subject_token_type') !== ID_TOKEN)
      return fail(400, 'invalid_request', `subject_token_type must be ${ID_TOKEN}`);
    const requested = str('requested_token_type');
    if (requested !== OFFLINE && requested !== ONLINE)
      return fail(400, 'invalid_request', `requested_token_type must be ${OFFLINE} or ${ONLINE}`);
    const verified = verifyHs256(subject, this.apiSecret);
    if ('error' in verified) return fail(400, 'invalid_subject_token', verified.error);
    const claims = verified.payload;
    const now = Math.floor(this.now() / 1000);
    if (claims.aud !== this.apiKey)
      return fail(400, 'invalid_subject_token', 'aud is not the API key of this app');
    let dest: string | undefined;
    try {
      dest = new URL(String(claims.dest)).host;
    } catch {
      dest = undefined;
    }
    if (dest !== shop) return fail(400, 'invalid_subject_token', `dest is not https://${shop}`);
    if (typeof claims.exp !== 'number' || claims.exp + CLOCK_TOLERANCE_S < now)
      return fail(400, 'invalid_subject_token', 'the session token has expired');
    if (typeof claims.nbf !== 'number' || claims.nbf - CLOCK_TOLERANCE_S > now)
      return fail(400, 'invalid_subject_token', 'the session token is not valid yet');
    const record = this.issue(shop, {
      expiring: requested === OFFLINE && expiring,
      online: requested === ONLINE,
    });
    return { status: 200, body: this.response(record, String(claims.sub ?? '')) };
  }

  private refresh(shop: string, token: string | undefined): TokenResponse {
    const record = token ? this.refreshTokens.get(token) : undefined;
    if (!record || record.shop !== shop || record.state === 'revoked' || record.expiresAt <= this.now())
      return fail(400, 'invalid_grant', 'The refresh token is invalid, expired or was already replaced');
    // Reusing a retiring token (its answer was lost): the unused replacement is withdrawn.
    if (record.state === 'retiring' && record.replacement) {
      const access = this.accessTokens.get(record.replacement.access);
      if (access) access.revoked = true;
      const refresh = this.refreshTokens.get(record.replacement.refresh);
      if (refresh) refresh.state = 'revoked';
    }
    this.retire(record.refreshedFrom);
    const fresh = this.issue(shop, { scope: record.scope, expiring: true, refreshedFrom: record.token });
    record.state = 'retiring';
    record.replacement = { access: fresh.token, refresh: fresh.refreshToken! };
    return { status: 200, body: this.response(fresh) };
  }
}
