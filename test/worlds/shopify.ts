/**
 * The Shopify side of the tests, set up once: DynamoDB Local, a Shopify app
 * (optionally pointed at the sandbox), the score queue and the production
 * handlers wired to them. A file builds one world and speaks to the handlers
 * the way Shopify and the embedded admin do: signed webhooks, session tokens,
 * the install route, the dashboard API. Whatever a file varies (the clock, the
 * logger, a faulty store) is an option, so the setup itself is written once.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createBackfillHandler } from '../../functions/backfill.ts';
import { createDashboardApiHandler } from '../../functions/dashboard-api.ts';
import { createScoreHandler } from '../../functions/score.ts';
import { createShopifyAuthHandler } from '../../functions/shopify-auth.ts';
import { createShopifyWebhookHandler } from '../../functions/shopify-webhooks.ts';
import { createWritebackHandler } from '../../functions/writeback.ts';
import type { AdminClientOptions } from '../../integrations/shopify/admin-client.ts';
import type { BackfillOptions } from '../../integrations/shopify/backfill.ts';
import { createShopifyApp, SHOPIFY_API_VERSION } from '../../integrations/shopify/shopify-app.ts';
import { NAMESPACE } from '../../integrations/shopify/metafields.ts';
import type { WritebackOptions } from '../../integrations/shopify/write-back.ts';
import { LocalQueue } from '../../local/sqs-queue.ts';
import type { Enqueue, EnqueueRefit, EnqueueWriteback } from '../../shared/pipeline/messages.ts';
import type { Store } from '../../shared/store/store.ts';
import { putTenant } from '../../shared/store/tenants.ts';
import type {
  SandboxShop,
  ShopHistoryOptions,
  ShopifySandbox,
  ShopifySandboxOptions,
} from '../../sandbox/shopify/index.ts';
import { generateShopHistory, signWebhook, startShopifySandbox } from '../../sandbox/shopify/index.ts';
import { apiEvent } from '../helpers/api-event.ts';
import { testStore } from '../helpers/dynamo.ts';
import { quietLogger } from '../reliability/figures.ts';
import { sessionTokenFor } from './session-token.ts';

export const APP_URL = 'https://app.clv-sync.test';

export interface ShopifyWorldOptions {
  apiKey?: string;
  apiSecret?: string;
  logger?: Logger;
  /** The webhook handler's clock. Default Date.now. */
  webhookNow?: () => number;
  /** The score handler's and the dashboard's clock. Default Date.now. */
  now?: () => number;
  /** The sandbox's origin, when the app reaches Shopify's Admin API. */
  adminOrigin?: string;
  /** Where webhooks enqueue; default the world's score queue. */
  enqueue?: Enqueue;
  /** Default the test run's DynamoDB Local table. */
  store?: Store;
  /** The webhook handler's metrics (none by default). */
  metrics?: Metrics;
  /** Where the dashboard queues a refit after a settings save; by default nowhere. */
  requestRefit?: EnqueueRefit;
  /** Where the score handler queues a write-back; by default nowhere. */
  enqueueWriteback?: EnqueueWriteback;
  /** The app's per-request Admin API timeout (createShopifyApp's default when unset). */
  requestTimeoutMs?: number;
}

/** What a file varies in the Shopify backfill and write-back consumers. */
interface ConsumerOptions {
  /** Default the world's store. */
  store?: Store;
  /** The Admin API client's options: a test's sleep that moves the sandbox's clock instead of waiting. */
  clientOptions?: AdminClientOptions;
}

/** What Shopify sets per delivery; each left out is fresh. */
export interface WebhookIds {
  eventId?: string;
  webhookId?: string;
  triggeredAt?: string;
  /** Signed with another secret than the app's: a forgery. */
  secret?: string;
}

interface DashboardRequest {
  method?: string;
  path: string;
  body?: string;
  token?: string;
}

type WebhookHandler = ReturnType<typeof createShopifyWebhookHandler>;
type AuthHandler = ReturnType<typeof createShopifyAuthHandler>;

export type ShopifyWorld = ReturnType<typeof shopifyWorld>;

export function shopifyWorld(options: ShopifyWorldOptions = {}) {
  const apiKey = options.apiKey ?? 'k';
  const apiSecret = options.apiSecret ?? 'world-api-secret-not-real';
  const store = options.store ?? testStore();
  const logger = options.logger ?? quietLogger();
  const now = options.now ?? Date.now;
  const shopify = createShopifyApp({
    apiKey,
    apiSecret,
    appUrl: APP_URL,
    ...(options.adminOrigin ? { adminOrigin: options.adminOrigin } : {}),
    ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
  });
  const queue = new LocalQueue({ name: 'score', batchSize: 25 });
  const enqueue: Enqueue = options.enqueue ?? ((m) => queue.send(m));
  const webhooksOn = (s: Store, to: Enqueue = enqueue): WebhookHandler =>
    createShopifyWebhookHandler({
      store: s,
      shopify,
      logger,
      enqueue: to,
      now: options.webhookNow ?? Date.now,
    });
  const webhooks = webhooksOn(store);
  const enqueueWriteback = options.enqueueWriteback ?? (async () => {});
  const scoreOn = (s: Store) => createScoreHandler({ store: s, logger, now, enqueueWriteback });
  const score = scoreOn(store);
  const requestRefit = options.requestRefit ?? (async () => {});
  const dashboardOn = (s: Store) =>
    createDashboardApiHandler({ shopify, store: s, logger, requestRefit, now });
  const dashboard = dashboardOn(store);
  const authWith = (requestBackfill: (m: unknown) => Promise<unknown> = async () => undefined): AuthHandler =>
    createShopifyAuthHandler({
      shopify,
      store,
      logger,
      requestBackfill: async (m) => void (await requestBackfill(m)),
    });
  // The consumers of the backfill and write-back queues. Both serve Salesforce too; no Salesforce workspace here.
  const crm = { logger, shopify, salesforceSecrets: async () => ({}) };
  const backfillWith = (o: ConsumerOptions & { backfillOptions?: BackfillOptions } = {}) =>
    createBackfillHandler({ ...crm, ...o, store: o.store ?? store, enqueueWriteback });
  const writebackWith = (o: ConsumerOptions & { writebackOptions?: WritebackOptions } = {}) =>
    createWritebackHandler({ ...crm, ...o, store: o.store ?? store });

  /** A session token as Shopify's admin signs it, with `overrides` applied (undefined removes a claim). */
  const sessionToken = (shop: string, overrides: Record<string, unknown> = {}, secret = apiSecret) =>
    sessionTokenFor({ shop, apiKey, secret, overrides });

  /** A dashboard API request as the embedded admin sends it, with `shop`'s session token (or the token given). */
  const dashboardEvent = (shop: string, request: DashboardRequest) =>
    apiEvent({
      method: request.method ?? 'GET',
      path: request.path,
      headers: { authorization: `Bearer ${request.token ?? sessionToken(shop)}` },
      ...(request.body === undefined ? {} : { body: request.body }),
    });

  /** `body` signed as Shopify signs a delivery for `shop` under `topic`: its headers and raw body. */
  const signedWebhook = (shop: string, topic: string, body: string, ids: WebhookIds = {}) =>
    signWebhook({
      secret: ids.secret ?? apiSecret,
      topic,
      shop,
      body,
      apiVersion: SHOPIFY_API_VERSION,
      eventId: ids.eventId,
      webhookId: ids.webhookId,
      triggeredAt: ids.triggeredAt,
    });

  /** A webhook as Shopify POSTs it: `body` signed for `shop` under `topic`. */
  const webhookEvent = (shop: string, topic: string, body: string, ids: WebhookIds = {}) => {
    const signed = signedWebhook(shop, topic, body, ids);
    return webhookPost(signed.headers, signed.body);
  };

  return {
    apiKey,
    apiSecret,
    store,
    logger,
    shopify,
    queue,
    webhooks,
    webhooksOn,
    score,
    scoreOn,
    dashboard,
    dashboardOn,
    authWith,
    backfillWith,
    writebackWith,
    sessionToken,

    /** A tenant for `shop`, as the install leaves it (the shop's route included). */
    addTenant: (tenantId: string, shop: string, currency = 'EUR') =>
      putTenant(store, { tenantId, shopifyShop: shop, currency }),

    signedWebhook,
    webhookEvent,

    /** Signs `payload` as Shopify does for `shop` and hands it to the webhook handler. */
    async deliverWebhook(shop: string, topic: string, payload: unknown, handler: WebhookHandler = webhooks) {
      const res = await handler(webhookEvent(shop, topic, JSON.stringify(payload)));
      return { status: res.statusCode, body: JSON.parse(String(res.body)) as Record<string, unknown> };
    },

    /** Scores everything the webhooks queued. */
    drainAll: (handler = score) => queue.drain(handler),

    dashboardEvent,

    /** A dashboard API request answered by `handler`, its body as text. */
    async dashboardCall(shop: string, request: DashboardRequest, handler = dashboard) {
      const res = await handler(dashboardEvent(shop, request));
      return { status: res.statusCode, headers: res.headers ?? {}, body: String(res.body) };
    },
  };
}

/** POST /shopify/install with a session token: the embedded app's first request. */
export function installRequest(token: string): APIGatewayProxyEventV2 {
  return apiEvent({
    method: 'POST',
    path: '/shopify/install',
    headers: { authorization: `Bearer ${token}` },
  });
}

/** POST /shopify/webhooks with these headers and body (tampered, forged or incomplete ones too). */
export function webhookPost(headers: Record<string, string>, body: string | Buffer): APIGatewayProxyEventV2 {
  return apiEvent({ method: 'POST', path: '/shopify/webhooks', headers, body });
}

/** Definitions' keys in alphabetical order, to compare with a list. */
export const sortedKeys = (definitions: { key: string }[]) => definitions.map((d) => d.key).sort();

export type ShopifySandboxWorld = ShopifyWorld & {
  sandbox: ShopifySandbox;
  /** A shop in the sandbox holding a generated order history, in the history's currency. */
  addShopWithHistory(shop: string, history: ShopHistoryOptions): SandboxShop;
  /** Our metafield definitions on `shop` (namespace clv), as the install created them. */
  clvDefinitions(shop: string): SandboxShop['metafieldDefinitions'];
  /** Installs `shop` by token exchange; the handler's answer as it is. */
  install(shop: string, requestBackfill?: (m: unknown) => Promise<unknown>): ReturnType<AuthHandler>;
  stop(): Promise<void>;
};

/** A world whose app reaches the Shopify sandbox, started with `sandbox` options. */
export async function startShopifyWorld(
  options: ShopifyWorldOptions & { sandbox?: Partial<ShopifySandboxOptions> } = {},
): Promise<ShopifySandboxWorld> {
  const apiKey = options.apiKey ?? 'k';
  const apiSecret = options.apiSecret ?? 'world-api-secret-not-real';
  const sandbox = await startShopifySandbox({ apiKey, apiSecret, ...options.sandbox });
  const world = shopifyWorld({ ...options, apiKey, apiSecret, adminOrigin: sandbox.origin });
  return {
    ...world,
    sandbox,
    addShopWithHistory(shop, history) {
      const s = sandbox.addShop(shop, { currencyCode: history.currencyCode });
      for (const order of generateShopHistory(history)) s.addOrder(order);
      return s;
    },
    clvDefinitions: (shop) =>
      sandbox.shop(shop).metafieldDefinitions.filter((d) => d.namespace === NAMESPACE),
    install: (shop, requestBackfill) =>
      world.authWith(requestBackfill)(installRequest(sandbox.sessionToken(shop))),
    stop: () => sandbox.stop(),
  };
}
