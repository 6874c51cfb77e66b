/**
 * Issue 15, item 14: the install routes refuse what they cannot act on with a 4xx, and never echo or
 * log a session token. POST /shopify/install verifies its token as the dashboard API does
 * (integrations/shopify/session-token.ts: signature, exp/nbf, a *.myshopify.com dest, an iss of that
 * shop's admin); the OAuth callback answers shopify-api's permanent errors (no state cookie, no or a
 * stale HMAC, a bot) 4xx; /shopify/auth redirects only to *.myshopify.com. The production handler over
 * DynamoDB Local and the Shopify sandbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantIdFor } from '../../../shared/store/tenants.ts';
import { apiEvent } from '../../helpers/api-event.ts';
import { capturingLogger } from '../../reliability/figures.ts';
import { OAuthServer } from '../../../sandbox/shopify/oauth.ts';
import type { ShopifySandboxWorld } from '../../worlds/shopify.ts';
import { APP_URL, installRequest, startShopifyWorld } from '../../worlds/shopify.ts';

const API_KEY = 'refusals-api-key';
const API_SECRET = 'refusals-api-secret-not-real';
const CALLBACK = `${APP_URL}/shopify/auth/callback`;
const { logger, lines } = capturingLogger();
const requested: unknown[] = [];
let world: ShopifySandboxWorld;
let auth: ReturnType<ShopifySandboxWorld['authWith']>;
const newShop = (name: string) => `${name}-${Math.random().toString(36).slice(2, 8)}.myshopify.com`;

beforeAll(async () => {
  world = await startShopifyWorld({ apiKey: API_KEY, apiSecret: API_SECRET, logger });
  auth = world.authWith(async (m) => requested.push(m));
});
afterAll(() => world?.stop());

/** A session token as the admin signs it, some claims replaced or (undefined) removed. */
const token = (shop: string, overrides: Record<string, unknown> = {}, secret = API_SECRET) =>
  world.sessionToken(shop, overrides, secret);

const install = (bearer: string) => auth(installRequest(bearer));

/** What a shop= parameter may say that is no shop's myshopify.com domain, though sanitizeShop allows some. */
const NOT_A_SHOP = [
  'evil.shopify.com',
  'evil.myshopify.io',
  'evil.shop.dev',
  'https://evil.example.com',
  'evil.example.com',
  '',
];

describe('POST /shopify/install verifies its session token as the dashboard does (issue 15, item 14)', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const cases: [string, (shop: string, other: string) => string][] = [
    ['a token signed with another secret', (shop) => token(shop, {}, 'forged-secret')],
    ['an expired token', (shop) => token(shop, { exp: now() - 120 })],
    ['a token not valid yet', (shop) => token(shop, { nbf: now() + 120 })],
    ['a token without an expiry', (shop) => token(shop, { exp: undefined })],
    [
      "a token whose iss is another shop's admin",
      (shop, other) => token(shop, { iss: `https://${other}/admin` }),
    ],
    ['a token whose dest is not a shop', (shop) => token(shop, { dest: 'https://shop.example.com' })],
  ];
  for (const [name, make] of cases)
    it(`refuses ${name}: 401, no install, the token neither answered nor logged`, async () => {
      const { sandbox, store } = world;
      const shop = newShop('refused');
      const other = newShop('other');
      sandbox.addShop(shop, { currencyCode: 'USD' });
      sandbox.addShop(other, { currencyCode: 'USD' });
      const bearer = make(shop, other);
      const logged = lines.length;
      const res = await install(bearer);
      expect(res.statusCode).toBe(401);
      expect(String(res.body)).not.toContain(bearer);
      expect(lines.slice(logged).join('\n')).not.toContain(bearer);
      expect(lines.slice(logged).some((l) => l.includes('install refused'))).toBe(true);
      expect(await tenantIdFor(store, 'shopify', shop)).toBeNull();
      expect(await tenantIdFor(store, 'shopify', other)).toBeNull();
    });

  it('installs with a genuine token', async () => {
    const { sandbox, store } = world;
    const shop = newShop('genuine');
    sandbox.addShop(shop, { currencyCode: 'USD' });
    expect((await install(sandbox.sessionToken(shop))).statusCode).toBe(200);
    expect(await tenantIdFor(store, 'shopify', shop)).not.toBeNull();
  });
});

describe('the OAuth routes answer a bad request 4xx, never 5xx (issue 15, item 14)', () => {
  /** /shopify/auth for a new shop: the state and its signed cookie. */
  async function begin(shop: string) {
    world.sandbox.addShop(shop, { currencyCode: 'USD' });
    const res = await auth(apiEvent({ method: 'GET', path: '/shopify/auth', query: `shop=${shop}` }));
    expect(res.statusCode).toBe(302);
    const state = new URL(String(res.headers?.location)).searchParams.get('state')!;
    return { state, cookies: (res.cookies ?? []).map((c) => c.split(';')[0]!) };
  }
  const callback = (query: string, cookies: string[] | undefined, headers: Record<string, string> = {}) =>
    auth(apiEvent({ method: 'GET', path: '/shopify/auth/callback', query, cookies, headers }));
  const queryOf = (url: string) => new URL(url).search.slice(1);

  it('no state cookie (another browser, an old link): 400', async () => {
    const shop = newShop('nocookie');
    const { state } = await begin(shop);
    const url = world.sandbox.authorizationRedirect(shop, { redirectUri: CALLBACK, state });
    const res = await callback(queryOf(url), undefined);
    expect(res.statusCode).toBe(400);
    expect(String(res.body)).toContain('start the install again');
  });

  it('no HMAC: 401', async () => {
    const shop = newShop('nohmac');
    const { state, cookies } = await begin(shop);
    const url = new URL(world.sandbox.authorizationRedirect(shop, { redirectUri: CALLBACK, state }));
    url.searchParams.delete('hmac');
    expect((await callback(url.search.slice(1), cookies)).statusCode).toBe(401);
    expect(await tenantIdFor(world.store, 'shopify', shop)).toBeNull();
  });

  it('a correctly signed callback whose timestamp is an hour old: 401', async () => {
    const shop = newShop('stale');
    const { state, cookies } = await begin(shop);
    const anHourAgo = new OAuthServer({
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      now: () => Date.now() - 3_600_000,
    });
    const res = await callback(queryOf(anHourAgo.authorizationRedirect(shop, CALLBACK, state)), cookies);
    expect(res.statusCode).toBe(401);
    expect(String(res.body)).toContain('timestamp');
    expect(await tenantIdFor(world.store, 'shopify', shop)).toBeNull();
  });

  it('a crawler following the callback link: 403', async () => {
    const shop = newShop('bot');
    const { state, cookies } = await begin(shop);
    const url = world.sandbox.authorizationRedirect(shop, { redirectUri: CALLBACK, state });
    const res = await callback(queryOf(url), cookies, {
      'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    });
    expect(res.statusCode).toBe(403);
  });

  it('/shopify/auth redirects only to *.myshopify.com: other hosts sanitizeShop allows are 400', async () => {
    for (const shop of NOT_A_SHOP) {
      const res = await auth(
        apiEvent({ method: 'GET', path: '/shopify/auth', query: `shop=${encodeURIComponent(shop)}` }),
      );
      expect({ shop, status: res.statusCode }).toEqual({ shop, status: 400 });
    }
    // The admin's own URL form names a shop by its handle: it goes to that shop's myshopify domain.
    const res = await auth(
      apiEvent({ method: 'GET', path: '/shopify/auth', query: 'shop=admin.shopify.com/store/handle-1' }),
    );
    expect(res.statusCode).toBe(302);
    expect(new URL(String(res.headers?.location)).host).toBe('handle-1.myshopify.com');
  });
});
