/**
 * A Shopify sandbox for tests: a loopback HTTP server speaking the Admin API
 * wire protocol (GraphQL with cost-based throttling, bulk operations, staged
 * uploads, OAuth token endpoint) strictly, for the operations clv-sync uses
 * (integrations/shopify/operations.ts): every document validated against
 * Shopify's published schema of the version served and every field's access
 * scopes enforced (executor.ts), so the production code and the real
 * `@shopify/shopify-api` library run against it unchanged. Several shops can
 * live in one sandbox; each request names its shop in `x-forwarded-host`.
 *
 *   const sandbox = await startShopifySandbox({ apiKey, apiSecret });
 *   const shop = sandbox.addShop('demo.myshopify.com', { currencyCode: 'EUR' });
 *   for (const o of generateShopHistory({ ... })) shop.addOrder(o);
 *   … createShopifyApp({ …, adminOrigin: sandbox.origin }) …
 *   await sandbox.stop();
 */
import type { AddressInfo } from 'node:net';
import type { SandboxRuntime } from './context.ts';
import type { RandomFaultOptions } from '../random-faults.ts';
import { RandomFaults } from '../random-faults.ts';
import { adminSchema } from './admin-schema.ts';
import { LeakyBucket } from './cost.ts';
import { schemaFor } from './executor.ts';
import { OAuthServer } from './oauth.ts';
import type { SandboxCall } from './server.ts';
import { sandboxServer } from './server.ts';
import type { SandboxShop } from './shop-state.ts';
import { ShopState } from './shop-state.ts';
import { StagedUploads } from './staged-uploads.ts';

export type {
  CanonicalCustomerRef,
  CanonicalLineItem,
  CanonicalOrder,
  CanonicalRefund,
} from './canonical-order.ts';
export { orderAmounts } from './canonical-order.ts';
export type { QueryCost, ThrottleStatus } from './cost.ts';
export type { AccessTokenRecord } from './oauth.ts';
export { GRANTED_SCOPE } from './oauth.ts';
export type { ShopHistoryOptions } from './order-fixtures.ts';
export { generateShopHistory } from './order-fixtures.ts';
export type { SandboxCall } from './server.ts';
export type {
  MetafieldDefinitionRecord,
  MetafieldWrite,
  SandboxCustomer,
  SandboxMetafield,
  SandboxShop,
} from './shop-state.ts';
export type { WebhookShop } from './webhook-payloads.ts';
export { customerWebhookJson, orderWebhookJson, refundWebhookJson } from './webhook-payloads.ts';
export type { SignedWebhook, WebhookToSign } from './webhook-sender.ts';
export { deliverWebhook, signWebhook } from './webhook-sender.ts';

export interface ShopifySandboxOptions {
  apiKey: string;
  apiSecret: string;
  /** The only Admin API version served; others answer 404. Default '2026-10'. */
  apiVersion?: string;
  /** The cost bucket of the app on each shop. Default 2000 points, restoring 100 a second. */
  throttle?: { maximumAvailable: number; restoreRate: number };
  /** Polls a bulk operation answers RUNNING before it completes. Default 2. */
  bulkPollsUntilDone?: number;
  /** The sandbox's clock (token expiry, bucket refill, timestamps). Default Date.now. */
  now?: () => number;
}

export interface ShopifySandbox {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  stop(): Promise<void>;
  addShop(
    domain: string,
    options?: { currencyCode?: string; name?: string; ianaTimezone?: string },
  ): SandboxShop;
  shop(domain: string): SandboxShop;
  /** Every request received, in order. */
  readonly calls: SandboxCall[];
  /** The next n GraphQL requests answer THROTTLED (HTTP 200, Shopify's shape) whatever the bucket holds. */
  throttleNext(n: number): void;
  /**
   * From now on a seeded share of requests fails at random (sandbox/random-faults.ts;
   * 'throttle' answers THROTTLED); `undefined` stops it. Returns the injector with its counts.
   */
  injectFaults(options: RandomFaultOptions | undefined): RandomFaults | undefined;
  /** An App Bridge session token (HS256 JWT signed with the API secret). Valid 60 s unless told otherwise. */
  sessionToken(shop: string, options?: { userId?: string; expiresInSeconds?: number }): string;
  /** A one-time authorization code, as Shopify redirects with it after the grant screen. */
  authorizationCode(shop: string): string;
  /** The whole redirect to the app's callback: code, host, shop, state, timestamp and their hmac. */
  authorizationRedirect(shop: string, options: { redirectUri: string; state: string }): string;
  /** Every access token of the shop stops working (refresh tokens keep working). */
  expireAccessTokens(shop: string): void;
}

export async function startShopifySandbox(options: ShopifySandboxOptions): Promise<ShopifySandbox> {
  const apiVersion = options.apiVersion ?? '2026-10';
  const now = options.now ?? Date.now;
  const throttle = options.throttle ?? { maximumAvailable: 2000, restoreRate: 100 };
  let id = 30_000_000_000;
  const runtime: SandboxRuntime = {
    origin: '',
    apiVersion,
    apiKey: options.apiKey,
    apiSecret: options.apiSecret,
    now,
    admin: adminSchema(apiVersion),
    schema: schemaFor(apiVersion),
    uploads: new StagedUploads(now),
    bulkPollsUntilDone: options.bulkPollsUntilDone ?? 2,
    nextId: () => String((id += 1)),
  };
  const oauth = new OAuthServer({ apiKey: options.apiKey, apiSecret: options.apiSecret, now });
  const shops = new Map<string, ShopState>();
  const calls: SandboxCall[] = [];
  let throttled = 0;
  let random: RandomFaults | undefined;
  const server = sandboxServer({
    randomFaults: () => random,
    runtime,
    shops,
    oauth,
    calls,
    throttledByTest: () => (throttled > 0 ? (throttled--, true) : false),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  runtime.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const shopNamed = (domain: string) => {
    const shop = shops.get(domain);
    if (!shop) throw new Error(`no shop ${domain} in the sandbox: addShop it first`);
    return shop;
  };
  return {
    origin: runtime.origin,
    calls,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
    addShop(domain, shopOptions = {}) {
      if (shops.has(domain)) throw new Error(`${domain} is already in the sandbox`);
      const shop = new ShopState(domain, String(60_000_000_000 + shops.size + 1), shopOptions, {
        now,
        bucket: new LeakyBucket(throttle.maximumAvailable, throttle.restoreRate, now),
        issueAccessToken: (d, o) => oauth.issue(d, o).token,
        accessTokensOf: (d) => oauth.tokensOf(d),
      });
      shops.set(domain, shop);
      return shop;
    },
    shop: shopNamed,
    throttleNext(n) {
      throttled += n;
    },
    injectFaults: (o) => (random = o ? new RandomFaults(o) : undefined),
    sessionToken: (shop, o) => oauth.sessionToken(shop, o),
    authorizationCode: (shop) => oauth.authorizationCode(shop),
    authorizationRedirect: (shop, o) => oauth.authorizationRedirect(shop, o.redirectUri, o.state),
    expireAccessTokens: (shop) => oauth.expire(shopNamed(shop).domain),
  };
}
