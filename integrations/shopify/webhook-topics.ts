/**
 * What each subscribed topic does once a delivery is verified and new. Order
 * topics store the order and queue its customer for scoring; customer topics
 * link identities; compliance topics really act: redact deletes, data_request
 * stores what we hold as an export the merchant downloads. Every other topic is refused.
 */
import { logCustomerId } from '../../shared/log-ids.ts';
import type { Enqueue } from '../../shared/pipeline/messages.ts';
import { ingestOrder } from '../../shared/pipeline/ingest.ts';
import { deleteShop } from '../../shared/store/shop-deletion.ts';
import { redactedIdentities } from '../../shared/store/referrer-redaction.ts';
import type { Store } from '../../shared/store/store.ts';
import { tenantStore } from '../../shared/store/tenant-store.ts';
import type { TenantSettings } from '../../shared/store/tenants.ts';
import { deleteSession, offlineSessionId } from './session-ids.ts';
import { orderFromWebhook, refundFromWebhook, ShopifyPayloadError } from './order-from-webhook.ts';
import { OrderWithoutCustomerError } from './payload-errors.ts';
import {
  parseCustomerPayload,
  parseCustomersRedact,
  parseDataRequest,
  parseShopRedact,
} from './order-from-webhook.ts';

export const ORDER_TOPICS = ['orders/create', 'orders/updated', 'orders/paid', 'orders/cancelled'] as const;
export const COMPLIANCE_TOPICS = ['customers/data_request', 'customers/redact', 'shop/redact'] as const;
export const SUBSCRIBED_TOPICS = [
  ...ORDER_TOPICS,
  'refunds/create',
  'customers/create',
  'customers/update',
  'customers/delete',
  'app/uninstalled',
  ...COMPLIANCE_TOPICS,
] as const;
export type ShopifyTopic = (typeof SUBSCRIBED_TOPICS)[number];

const storageForm = (topic: string) => topic.toUpperCase().replace(/[/ ]/g, '_');

/**
 * The subscribed topic a delivery is for, or null. shopify-api reports topics
 * in storage form (`ORDERS_CREATE`); the header says `orders/create`: both match.
 */
export function subscribedTopic(topic: string): ShopifyTopic | null {
  return SUBSCRIBED_TOPICS.find((t) => storageForm(t) === storageForm(topic)) ?? null;
}

export interface TopicContext {
  store: Store;
  tenant: TenantSettings;
  enqueue: Enqueue;
  now: number;
}

/** What happened, for the response body and the log line. */
export interface TopicOutcome {
  action: string;
  customerId?: string;
  /** For customers/data_request: the export the merchant downloads from the dashboard. */
  exportId?: string;
}

/** The outcome as a log line gives it: the customer by log id only. */
export function loggedOutcome({ customerId, ...rest }: TopicOutcome): Record<string, unknown> {
  return { ...rest, ...(customerId ? { customer: logCustomerId(customerId) } : {}) };
}

/**
 * A guest checkout that left no email (a POS sale, a draft order) is a real order that names nobody: it is
 * acknowledged and left out, as a test order is and as the bulk backfill skips it (order-from-bulk.ts).
 * Answering it 4xx would not make it usable: Shopify retries every non-2xx answer 8 times over 4 hours and,
 * after 8 consecutive failures, deletes a subscription made through the Admin API (shopify.dev, "Webhooks:
 * troubleshooting"; changelog "Updates to webhook retry mechanism", 2024-09-10).
 */
function orderOrGuest(payload: unknown, currency: string) {
  try {
    return orderFromWebhook(payload, currency);
  } catch (error) {
    if (error instanceof OrderWithoutCustomerError) return 'guest';
    throw error;
  }
}

export async function handleTopic(
  ctx: TopicContext,
  topic: ShopifyTopic,
  payload: unknown,
): Promise<TopicOutcome> {
  const { store, tenant } = ctx;
  const ts = tenantStore(store, tenant.tenantId);
  switch (topic) {
    case 'orders/create':
    case 'orders/updated':
    case 'orders/paid':
    case 'orders/cancelled': {
      const order = orderOrGuest(payload, tenant.currency);
      if (order === 'guest') return { action: 'ignored order without customer' };
      if (!order) return { action: 'ignored test order' };
      const recorded = await ingestOrder(store, tenant, order, ctx.enqueue, ctx.now);
      return {
        action: recorded.status === 'stored' ? 'order stored' : 'order unchanged',
        customerId: recorded.customerId,
      };
    }
    case 'refunds/create': {
      // The refund's amount is netted from the order itself: Shopify sends orders/updated with every refund,
      // and its current subtotal already excludes it. Here the customer is rescored if we know the order.
      const refund = refundFromWebhook(payload);
      const owner = await ts.orders.owner('shopify', refund.orderId);
      if (!owner) return { action: 'refund for an order not yet stored' };
      const customerId = String(owner.customerId);
      await ctx.enqueue({ tenantId: tenant.tenantId, customerId });
      return { action: 'customer queued for rescoring', customerId };
    }
    case 'customers/create':
    case 'customers/update': {
      const customer = parseCustomerPayload(payload);
      const { customerId } = await ts.identities.resolve(
        { shopifyCustomerId: customer.id, ...(customer.email ? { email: customer.email } : {}) },
        ctx.now,
      );
      return { action: 'identities linked', customerId };
    }
    case 'customers/delete':
      // The customer's orders stay in the shop, so their history stays here; redact requests delete data.
      return { action: 'kept: orders remain in the shop' };
    case 'app/uninstalled':
      // The token is revoked; shop/redact follows 48 hours later and deletes the rest.
      await deleteSession(store, tenant.tenantId, offlineSessionId(tenant.shopifyShop ?? ''));
      return { action: 'session deleted' };
    case 'customers/redact': {
      const request = sameShop(tenant, parseCustomersRedact(payload));
      const ids = await ts.customers.find(request.customer);
      // Referrer links first, while the profiles still say who the person is: a retry after a failure
      // between the two steps finds the same customers and identities again.
      const profiles = await Promise.all(ids.map((id) => ts.identities.of(id)));
      await ts.referrers.redact({
        identities: redactedIdentities(request.customer, profiles),
        customerIds: ids,
      });
      for (const id of ids) await ts.customers.delete(id);
      await ts.exports.deleteOf(ids);
      return { action: `deleted ${ids.length} customer(s)` };
    }
    case 'shop/redact': {
      sameShop(tenant, parseShopRedact(payload));
      // A workspace that also links an org keeps that side; its joined customers are rescored without the shop.
      const deletion = await deleteShop(store, tenant);
      for (const customerId of deletion.customersToRescore)
        await ctx.enqueue({ tenantId: tenant.tenantId, customerId });
      return {
        action:
          deletion.deleted === 'workspace'
            ? 'tenant deleted'
            : `shop deleted: ${deletion.customersDeleted.length} customer(s) deleted, ${deletion.customersToRescore.length} rescored`,
      };
    }
    case 'customers/data_request': {
      // Shopify forwards no webhook response: the data is stored as an export the merchant downloads
      // from the dashboard. A failed write throws (5xx), so Shopify retries; the retry rewrites it.
      const request = sameShop(tenant, parseDataRequest(payload));
      const ids = await ts.customers.find(request.customer);
      const customers = [];
      for (const id of ids) customers.push(await ts.customers.record(id));
      const exportId = `shopify-${request.dataRequestId}`;
      await ts.exports.put(
        exportId,
        {
          customerIds: ids,
          summary: {
            kind: 'customers/data_request',
            customers: customers.length,
            orders: customers.reduce((n, c) => n + c.orders.length, 0),
          },
          document: {
            request: {
              source: 'shopify',
              topic: 'customers/data_request',
              dataRequestId: request.dataRequestId,
              shop: request.shopDomain,
              customer: request.customer,
              ordersRequested: request.ordersRequested,
            },
            customers,
          },
        },
        ctx.now,
      );
      return { action: `data of ${ids.length} customer(s) stored for the merchant`, exportId };
    }
  }
}

/**
 * A compliance request acts on the shop that signed it (the delivery's
 * domain, hence `tenant`); one naming another shop in its body is refused
 * rather than applied to either.
 */
function sameShop<T extends { shopDomain: string }>(tenant: TenantSettings, request: T): T {
  if (tenant.shopifyShop && request.shopDomain.toLowerCase() !== tenant.shopifyShop.toLowerCase())
    throw new ShopifyPayloadError(
      `the request names shop ${request.shopDomain} but was delivered for ${tenant.shopifyShop}`,
      { path: 'shop_domain' },
    );
  return request;
}
