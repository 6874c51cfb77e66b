/**
 * What each notification of a verified outbound message does: a new one
 * (deduplicated on its `04l…` id, which Salesforce keeps across retries) is
 * read as an Order, stored and its customer queued for scoring, then recorded
 * as seen. A record that stopped being a purchase (an order deactivated to
 * Draft, a won deal reopened) replaces its stored version as cancelled; one
 * that never was is ignored.
 *
 * A notification we cannot use (a bad field, no customer, a foreign currency,
 * an object we do not read) is rejected: reported, recorded as seen, and not
 * retried, so it cannot hold back the other notifications of its message.
 * Failures of our own (DynamoDB) are thrown after the other notifications
 * have finished, so Salesforce's retry finds those already done.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { mapLimited } from '../../shared/pipeline/map-limited.ts';
import { ingestOrder } from '../../shared/pipeline/ingest.ts';
import type { Enqueue } from '../../shared/pipeline/messages.ts';
import { hasEvent, recordEvent } from '../../shared/store/events.ts';
import { findCustomers } from '../../shared/store/identities.ts';
import { keys } from '../../shared/store/keys.ts';
import type { Order } from '../../shared/store/order.ts';
import type { Store } from '../../shared/store/store.ts';
import type { TenantSettings } from '../../shared/store/tenants.ts';
import type { ContactEmails } from './contact-emails.ts';
import type { SalesforceOrderObject } from './order-from-salesforce.ts';
import { readSalesforceRecord } from './order-from-salesforce.ts';
import type { OutboundNotification } from './outbound-message.ts';
import {
  ForeignCurrencyError,
  SalesforceOrderWithoutCustomerError,
  SalesforceRecordError,
} from './salesforce-errors.ts';

export interface NotificationContext {
  store: Store;
  tenant: TenantSettings;
  enqueue: Enqueue;
  now: number;
  /** Notifications handled at once (each is a few DynamoDB calls). */
  concurrency?: number;
  /** Asks the org for the emails of Contacts not known yet (see contact-emails.ts); none: ids alone. */
  contactEmails?: ContactEmails;
}

type Context = NotificationContext & { emails: Map<string, string> };

export interface NotificationOutcome {
  notificationId: string;
  sObjectType: string;
  recordId: string | null;
  /**
   * stored: a new or newer version; unchanged: this version or a newer one was already stored;
   * cancelled: a stored order stopped being a purchase; ignored: not a purchase, nothing stored;
   * duplicate: this notification was handled before; rejected: unusable, see reason.
   */
  action: 'stored' | 'unchanged' | 'cancelled' | 'ignored' | 'duplicate' | 'rejected';
  customerId?: string;
  reason?: string;
  /** The error's name, for rejections. */
  error?: string;
}

const READ_OBJECTS: readonly string[] = ['Order', 'Opportunity'] satisfies SalesforceOrderObject[];

/** The delivery key of a notification: its id is the same on every retry of it. */
export const notificationEventId = (notificationId: string) => `salesforce:${notificationId}`;

/** Errors that mean the notification itself is unusable: retrying it cannot help. */
export function isPermanentRecordError(error: unknown): error is Error {
  return (
    error instanceof SalesforceRecordError ||
    error instanceof SalesforceOrderWithoutCustomerError ||
    error instanceof ForeignCurrencyError
  );
}

export async function ingestNotifications(
  ctx: NotificationContext,
  notifications: readonly OutboundNotification[],
): Promise<NotificationOutcome[]> {
  const emails = await emailsOfNewContacts(ctx, notifications);
  return mapLimited(notifications, ctx.concurrency ?? 8, (n) => ingestNotification({ ...ctx, emails }, n));
}

/** The emails of the message's Contacts that no stored customer is known by yet: one lookup per message. */
async function emailsOfNewContacts(
  ctx: NotificationContext,
  notifications: readonly OutboundNotification[],
): Promise<Map<string, string>> {
  if (!ctx.contactEmails) return new Map();
  const contactIds = new Set<string>();
  for (const n of notifications) {
    if (!READ_OBJECTS.includes(n.sObjectType)) continue;
    let reading: ReturnType<typeof readSalesforceRecord>;
    try {
      reading = readSalesforceRecord(n.fields, n.sObjectType as SalesforceOrderObject, ctx.tenant);
    } catch {
      continue; // rejected on its own when handled
    }
    const customer = reading.kind === 'purchase' ? reading.order.customer : undefined;
    if (customer?.salesforceContactId && !customer.email) contactIds.add(customer.salesforceContactId);
  }
  const unknown: string[] = [];
  await mapLimited([...contactIds], 8, async (id) => {
    const known = await findCustomers(ctx.store, ctx.tenant.tenantId, { salesforceContactId: id });
    if (!known.length) unknown.push(id);
  });
  return unknown.length ? ctx.contactEmails(unknown) : new Map();
}

async function ingestNotification(
  ctx: Context,
  notification: OutboundNotification,
): Promise<NotificationOutcome> {
  const { store, tenant } = ctx;
  const eventId = notificationEventId(notification.id);
  const base = {
    notificationId: notification.id,
    sObjectType: notification.sObjectType,
    recordId: notification.fields.Id ?? null,
  };
  if (await hasEvent(store, tenant.tenantId, eventId)) return { ...base, action: 'duplicate' };
  const outcome = await handle(ctx, notification).catch(
    (error: unknown): Omit<NotificationOutcome, keyof typeof base> => {
      if (!isPermanentRecordError(error)) throw error;
      return { action: 'rejected', reason: error.message, error: error.name };
    },
  );
  // Recorded after the work: a notification that failed midway is handled again on Salesforce's retry.
  await recordEvent(store, tenant.tenantId, eventId, ctx.now);
  return { ...base, ...outcome };
}

async function handle(
  ctx: Context,
  notification: OutboundNotification,
): Promise<Omit<NotificationOutcome, 'notificationId' | 'sObjectType' | 'recordId'>> {
  const { store, tenant } = ctx;
  if (!READ_OBJECTS.includes(notification.sObjectType)) {
    throw new SalesforceRecordError(
      `outbound message for a ${notification.sObjectType} record: clv-sync reads Order and Opportunity ` +
        'notifications only; point this outbound message action somewhere else',
    );
  }
  const reading = readSalesforceRecord(
    notification.fields,
    notification.sObjectType as SalesforceOrderObject,
    tenant,
  );
  if (reading.kind === 'purchase') {
    const { customer } = reading.order;
    const email = customer.salesforceContactId ? ctx.emails.get(customer.salesforceContactId) : undefined;
    const order =
      email && !customer.email ? { ...reading.order, customer: { ...customer, email } } : reading.order;
    const recorded = await ingestOrder(store, tenant, order, ctx.enqueue, ctx.now);
    return {
      action: recorded.status === 'stored' ? 'stored' : 'unchanged',
      customerId: recorded.customerId,
    };
  }
  if (reading.cancelled && (await isStored(store, tenant.tenantId, reading.cancelled))) {
    const recorded = await ingestOrder(store, tenant, reading.cancelled, ctx.enqueue, ctx.now);
    return {
      action: recorded.status === 'stored' ? 'cancelled' : 'unchanged',
      customerId: recorded.customerId,
      reason: reading.reason,
    };
  }
  return { action: 'ignored', reason: reading.reason };
}

async function isStored(store: Store, tenantId: string, order: Order): Promise<boolean> {
  const { pk, sk } = keys.orderOwner(tenantId, order.source, order.orderId);
  const out = await store.doc.send(
    new GetCommand({ TableName: store.table, Key: { pk, sk }, ConsistentRead: true }),
  );
  return out.Item !== undefined;
}
