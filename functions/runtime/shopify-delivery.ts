/**
 * What a Shopify webhook delivery is before its body is read: the HMAC checked on the raw bytes with
 * shopify-api's `webhooks.validate` (401, or 400 when headers are missing), the shop, the topic (400 when it
 * is not one this app subscribes to) and the delivery id. A refusal is a Rejection (rejection.ts).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Shopify } from '@shopify/shopify-api';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { ShopifyTopic } from '../../integrations/shopify/webhook-topics.ts';
import { subscribedTopic } from '../../integrations/shopify/webhook-topics.ts';
import { ShopMismatchError } from '../../integrations/shopify/shop-in-body.ts';
import { WebhookJsonError } from '../../integrations/shopify/webhook-json.ts';
import { toRequest } from './http.ts';
import { BadRequestError, UnauthenticatedError } from '../../shared/errors.ts';
import { Rejection } from './rejection.ts';

export interface Delivery {
  domain: string;
  topic: ShopifyTopic;
  deliveryId: string;
  /** The delivery's keys, on every log line of its invocation. */
  log: { topic: string; shop: string; deliveryId: string };
}

export async function validDelivery(
  shopify: Shopify,
  event: APIGatewayProxyEventV2,
  body: Buffer,
  logger: Logger,
): Promise<Delivery> {
  const check = await shopify.webhooks.validate({
    rawBody: body.toString('utf8'),
    rawRequest: toRequest(event),
  });
  if (!check.valid) {
    const missing = 'missingHeaders' in check ? check.missingHeaders : undefined;
    const log = { reason: check.reason, missing };
    throw missing?.length
      ? new Rejection(new BadRequestError(`missing headers: ${missing.join(', ')}`), {
          reason: 'missing-headers',
          log,
        })
      : new Rejection(new UnauthenticatedError('invalid HMAC signature'), { reason: 'signature', log });
  }
  const topic = subscribedTopic(check.topic);
  const deliveryId = ('eventId' in check && check.eventId) || check.webhookId;
  const log = { topic: topic ?? check.topic, shop: check.domain, deliveryId };
  logger.appendKeys(log);
  if (!topic)
    throw new Rejection(new BadRequestError(`topic ${check.topic} is not one this app subscribes to`), {
      reason: 'unknown-topic',
      log: { ...log, reason: 'unknown topic' },
    });
  return { domain: check.domain, topic, deliveryId, log };
}

/** The metric reason and the logged reason of a payload refused with this status (shared/errors.ts). */
export function describeRefusal(error: Error, status: number) {
  if (error instanceof WebhookJsonError) return { reason: 'malformed', text: error.message };
  if (error instanceof ShopMismatchError) return { reason: 'shop-mismatch', text: error.message };
  const reason = status === 400 ? 'malformed' : status === 404 ? 'unknown-tenant' : 'unusable-order';
  return { reason, text: `${error.name}: ${error.message}` };
}
