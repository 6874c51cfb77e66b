/**
 * POST /shopify/webhooks. The HMAC is checked on the raw bytes with
 * shopify-api's `webhooks.validate` before anything is parsed (401 when it
 * fails); then the shop is routed to its tenant, the delivery deduplicated on
 * its event id, the topic handled (store and enqueue: the answer comes well
 * inside Shopify's 5 s) and the delivery recorded. Bad input gets a 4xx and
 * a log line; nothing stored changes.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Shopify } from '@shopify/shopify-api';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Enqueue } from '../shared/pipeline/messages.ts';
import { hasEvent, recordEvent } from '../shared/store/events.ts';
import type { Store } from '../shared/store/store.ts';
import { storeFromEnv } from '../shared/store/store.ts';
import { getTenant, tenantIdFor } from '../shared/store/tenants.ts';
import { COMPLIANCE_TOPICS, handleTopic, loggedOutcome } from '../integrations/shopify/webhook-topics.ts';
import { createShopifyApp, shopifySettingsFromEnv } from '../integrations/shopify/shopify-app.ts';
import { assertBodyNamesShop } from '../integrations/shopify/shop-in-body.ts';
import { parseWebhookJson } from '../integrations/shopify/webhook-json.ts';
import { bodyLimit } from './runtime/body-limit.ts';
import { chain } from './runtime/chain.ts';
import { deployed } from './runtime/deployed.ts';
import { json, rawBody } from './runtime/http.ts';
import type { Metrics } from './runtime/observability.ts';
import { count, observability } from './runtime/observability.ts';
import { NotFoundError } from '../shared/errors.ts';
import { Rejection, rejectionOf } from './runtime/rejection.ts';
import { describeRefusal, validDelivery } from './runtime/shopify-delivery.ts';
import { sqsSender } from '../shared/queue/sqs-sender.ts';

/** Larger bodies are refused before validation: a real order payload is far smaller. */
export const MAX_WEBHOOK_BYTES = 2 * 1024 * 1024;

export interface ShopifyWebhookDeps {
  store: Store;
  shopify: Shopify;
  logger: Logger;
  enqueue: Enqueue;
  /** Counts of deliveries received, rejected (by reason), duplicate and processed (runtime/observability.ts). */
  metrics?: Metrics;
  now?: () => number;
}

export function createShopifyWebhookHandler(deps: ShopifyWebhookDeps) {
  const { store, shopify, logger, enqueue, metrics, now = Date.now } = deps;
  const inner = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const body = rawBody(event);
    const { domain, topic, deliveryId, log } = await validDelivery(shopify, event, body, logger);
    const compliance = (COMPLIANCE_TOPICS as readonly string[]).includes(topic);
    const tenantId = await tenantIdFor(store, 'shopify', domain);
    if (!tenantId) {
      // A redact for a shop we hold nothing of is done by definition; anything else is for someone else.
      if (!compliance)
        throw new Rejection(new NotFoundError(`unknown shop ${domain}`), {
          reason: 'unknown-shop',
          log,
          logMessage: 'webhook for an unknown shop',
        });
      logger.warn('webhook for an unknown shop', log);
      return json(200, { action: 'nothing held for this shop' });
    }
    const eventKey = `shopify:${topic}:${deliveryId}`;
    // Read beside the duplicate check, one round trip less a delivery; a duplicate's read is simply unused.
    const tenantRead = getTenant(store, tenantId);
    tenantRead.catch(() => undefined); // its failure is answered below, where it is awaited
    if (await hasEvent(store, tenantId, eventKey)) {
      logger.info('duplicate delivery', log);
      count(metrics, 'ShopifyWebhooksDuplicate');
      return json(200, { action: 'duplicate delivery ignored' });
    }
    try {
      // Ids above 2^53 (Shopify's are 64-bit) are kept as their digits, not rounded: webhook-json.ts.
      const payload = parseWebhookJson(body.toString('utf8'));
      // The header is not under the HMAC: a body naming another shop is a replay with a swapped header.
      assertBodyNamesShop(topic, payload, domain);
      const tenant = await tenantRead;
      const outcome = await handleTopic({ store, tenant, enqueue, now: now() }, topic, payload);
      // Recorded after the work: a delivery that failed midway is processed again on Shopify's retry.
      if (topic !== 'shop/redact') await recordEvent(store, tenantId, eventKey, now());
      logger.info('webhook processed', { ...log, ...loggedOutcome(outcome) });
      count(metrics, 'ShopifyWebhooksProcessed');
      return json(200, outcome);
    } catch (error) {
      throw rejectionOf(error, (e, status) => {
        const { reason, text } = describeRefusal(e, status);
        return { reason, log: { ...log, reason: text } };
      });
    }
  };
  return chain(inner, {
    logger,
    metrics,
    received: 'ShopifyWebhooksReceived',
    rejected: 'ShopifyWebhooksRejected',
    rejectedMessage: 'webhook rejected',
    keys: ['deliveryId', 'shop', 'topic'],
    answer: (r) => json(r.statusCode, { error: r.message }),
    before: [bodyLimit(MAX_WEBHOOK_BYTES)],
  });
}

const { logger, metrics } = observability();

export const handler = deployed(
  async () =>
    createShopifyWebhookHandler({
      store: storeFromEnv(),
      shopify: createShopifyApp(await shopifySettingsFromEnv()),
      logger,
      metrics,
      enqueue: sqsSender(process.env.CLV_SCORE_QUEUE_URL, 'CLV_SCORE_QUEUE_URL'),
    }),
  { logger, metrics, resetKeys: true },
);
