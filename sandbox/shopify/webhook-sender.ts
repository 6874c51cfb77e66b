/**
 * A webhook delivery as Shopify makes it: the JSON body as bytes, signed
 * with HMAC-SHA256 of exactly those bytes under the app's client secret
 * (base64 in `X-Shopify-Hmac-Sha256`), with the topic, shop, webhook id,
 * event id (the same across retries of one event), trigger time and the
 * subscription's API version in headers.
 */
import { createHmac, randomUUID } from 'node:crypto';

export interface WebhookToSign {
  secret: string;
  topic: string;
  shop: string;
  body: string;
  apiVersion: string;
  webhookId?: string;
  eventId?: string;
  /** ISO date-time the event happened; now by default. */
  triggeredAt?: string;
}

export interface SignedWebhook {
  headers: Record<string, string>;
  body: string;
}

export function signWebhook(webhook: WebhookToSign): SignedWebhook {
  const hmac = createHmac('sha256', webhook.secret)
    .update(Buffer.from(webhook.body, 'utf8'))
    .digest('base64');
  return {
    headers: {
      'Content-Type': 'application/json',
      'X-Shopify-Hmac-Sha256': hmac,
      'X-Shopify-Topic': webhook.topic,
      'X-Shopify-Shop-Domain': webhook.shop,
      'X-Shopify-Webhook-Id': webhook.webhookId ?? randomUUID(),
      'X-Shopify-Event-Id': webhook.eventId ?? randomUUID(),
      'X-Shopify-Triggered-At': webhook.triggeredAt ?? new Date().toISOString(),
      'X-Shopify-API-Version': webhook.apiVersion,
    },
    body: webhook.body,
  };
}

/** POSTs a signed webhook; Shopify counts any 2xx within 5 s as delivered. */
export async function deliverWebhook(
  url: string,
  signed: SignedWebhook,
): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { method: 'POST', headers: signed.headers, body: signed.body });
  return { status: response.status, body: await response.text() };
}
