/**
 * POST /shopify/webhooks. The HMAC is checked on the raw bytes with
 * shopify-api's `webhooks.validate` before anything is parsed (401 when it
 * fails); then the shop is routed to its tenant, the delivery deduplicated on
 * its event id, the topic handled (store and enqueue: the answer comes well
 * inside Shopify's 5 s) and the delivery recorded. Bad input gets a 4xx and
 * a log line; nothing stored changes.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Shopify } from '@shopify/shopify-api';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ZodError } from 'zod';
import type { Enqueue } from '../shared/pipeline/messages.ts';
import { hasEvent, recordEvent } from '../shared/store/events.ts';
import { ForeignCurrencyError } from '../shared/store/orders.ts';
import type { Store } from '../shared/store/store.ts';
import { storeFromEnv } from '../shared/store/store.ts';
import { getTenant, TenantNotFoundError, tenantIdFor } from '../shared/store/tenants.ts';
import {
  COMPLIANCE_TOPICS,
  handleTopic,
  loggedOutcome,
  subscribedTopic,
} from '../integrations/shopify/webhook-topics.ts';
import {
  OrderWithoutCustomerError,
  ShopifyPayloadError,
} from '../integrations/shopify/order-from-webhook.ts';
import { createShopifyApp, shopifySettingsFromEnv } from '../integrations/shopify/shopify-app.ts';
import { assertBodyNamesShop, ShopMismatchError } from '../integrations/shopify/shop-in-body.ts';
import { parseWebhookJson, WebhookJsonError } from '../integrations/shopify/webhook-json.ts';
import { json, rawBody, toRequest } from './http.ts';
import { lazy } from './lazy.ts';
import type { Metrics } from './metrics.ts';
import { countWith, createMetrics, MetricUnit } from './metrics.ts';
import { sqsSender } from '../shared/queue/sqs-sender.ts';

/** Larger bodies are refused before validation: a real order payload is far smaller. */
export const MAX_WEBHOOK_BYTES = 2 * 1024 * 1024;

export interface ShopifyWebhookDeps {
  store: Store;
  shopify: Shopify;
  logger: Logger;
  enqueue: Enqueue;
  /** Counts of deliveries received, rejected (by reason), duplicate and processed (functions/metrics.ts). */
  metrics?: Metrics;
  now?: () => number;
}

/** The delivery's keys on every log line of its invocation. */
const CORRELATION_KEYS = ['deliveryId', 'shop', 'topic'];

export function createShopifyWebhookHandler({
  store,
  shopify,
  logger,
  enqueue,
  metrics,
  now = Date.now,
}: ShopifyWebhookDeps) {
  const count = (name: string) => metrics?.addMetric(name, MetricUnit.Count, 1);
  const rejected = (reason: string) => {
    if (metrics) countWith(metrics, 'ShopifyWebhooksRejected', { reason });
  };
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    logger.removeKeys(CORRELATION_KEYS);
    count('ShopifyWebhooksReceived');
    const body = rawBody(event);
    if (body.length > MAX_WEBHOOK_BYTES) {
      logger.warn('webhook rejected', { reason: 'body too large', bytes: body.length });
      rejected('too-large');
      return json(413, { error: `body over ${MAX_WEBHOOK_BYTES} bytes` });
    }
    const check = await shopify.webhooks.validate({
      rawBody: body.toString('utf8'),
      rawRequest: toRequest(event),
    });
    if (!check.valid) {
      const missing = 'missingHeaders' in check ? check.missingHeaders : undefined;
      logger.warn('webhook rejected', { reason: check.reason, missing });
      rejected(missing?.length ? 'missing-headers' : 'signature');
      return missing?.length
        ? json(400, { error: `missing headers: ${missing.join(', ')}` })
        : json(401, { error: 'invalid HMAC signature' });
    }
    const { domain } = check;
    const topic = subscribedTopic(check.topic);
    const deliveryId = ('eventId' in check && check.eventId) || check.webhookId;
    const log = { topic: topic ?? check.topic, shop: domain, deliveryId };
    logger.appendKeys(log);
    if (!topic) {
      logger.warn('webhook rejected', { ...log, reason: 'unknown topic' });
      rejected('unknown-topic');
      return json(400, { error: `topic ${check.topic} is not one this app subscribes to` });
    }
    const compliance = (COMPLIANCE_TOPICS as readonly string[]).includes(topic);
    const tenantId = await tenantIdFor(store, 'shopify', domain);
    if (!tenantId) {
      // A redact for a shop we hold nothing of is done by definition; anything else is for someone else.
      logger.warn('webhook for an unknown shop', log);
      if (!compliance) rejected('unknown-shop');
      return compliance
        ? json(200, { action: 'nothing held for this shop' })
        : json(404, { error: `unknown shop ${domain}` });
    }
    const eventKey = `shopify:${topic}:${deliveryId}`;
    if (await hasEvent(store, tenantId, eventKey)) {
      logger.info('duplicate delivery', log);
      count('ShopifyWebhooksDuplicate');
      return json(200, { action: 'duplicate delivery ignored' });
    }
    let payload: unknown;
    try {
      // Ids above 2^53 (Shopify's are 64-bit) are kept as their digits, not rounded: webhook-json.ts.
      payload = parseWebhookJson(body.toString('utf8'));
    } catch (error) {
      if (!(error instanceof WebhookJsonError)) throw error;
      logger.warn('webhook rejected', { ...log, reason: error.message });
      rejected('malformed');
      return json(400, { error: error.message });
    }
    try {
      // The header is not under the HMAC: a body naming another shop is a replay with a swapped header.
      assertBodyNamesShop(topic, payload, domain);
    } catch (error) {
      if (!(error instanceof ShopMismatchError)) throw error;
      logger.warn('webhook rejected', { ...log, reason: error.message });
      rejected('shop-mismatch');
      return json(error.statusCode, { error: error.message });
    }
    try {
      const tenant = await getTenant(store, tenantId);
      const outcome = await handleTopic({ store, tenant, enqueue, now: now() }, topic, payload);
      // Recorded after the work: a delivery that failed midway is processed again on Shopify's retry.
      if (topic !== 'shop/redact') await recordEvent(store, tenantId, eventKey, now());
      logger.info('webhook processed', { ...log, ...loggedOutcome(outcome) });
      count('ShopifyWebhooksProcessed');
      return json(200, outcome);
    } catch (error) {
      const status = badInputStatus(error);
      if (status === null) throw error;
      logger.warn('webhook rejected', {
        ...log,
        reason: `${(error as Error).name}: ${(error as Error).message}`,
      });
      rejected(status === 400 ? 'malformed' : status === 404 ? 'unknown-tenant' : 'unusable-order');
      return json(status, { error: (error as Error).message });
    }
  };
}

/** 4xx for payloads we cannot use; null for our own failures, which Shopify's retry should see as 5xx. */
function badInputStatus(error: unknown): number | null {
  if (error instanceof ShopifyPayloadError || error instanceof ZodError) return 400;
  if (error instanceof OrderWithoutCustomerError || error instanceof ForeignCurrencyError) return 422;
  if (error instanceof TenantNotFoundError) return 404;
  return null;
}

const logger = new Logger({ serviceName: 'clv-sync' });
const metrics = createMetrics();

export const handler = middy(
  lazy(async () =>
    createShopifyWebhookHandler({
      store: storeFromEnv(),
      shopify: createShopifyApp(await shopifySettingsFromEnv()),
      logger,
      metrics,
      enqueue: sqsSender(process.env.CLV_SCORE_QUEUE_URL, 'CLV_SCORE_QUEUE_URL'),
    }),
  ),
)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
