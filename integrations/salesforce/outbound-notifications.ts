/**
 * What each notification of a verified outbound message does: a new one
 * (deduplicated on its `04l…` id, which Salesforce keeps across retries) is
 * read as an Order, stored and its customer queued for scoring, then recorded
 * as seen. A record that stopped being a purchase (an order deactivated to
 * Draft, a won deal reopened) replaces its stored version as cancelled; one
 * that never was is ignored.
 *
 * A notification we cannot use (a bad field, no customer, a foreign currency,
 * an object we do not read: whatever shared/errors.ts's isPermanent calls
 * permanent) is rejected: reported, recorded as seen, and not retried, so it
 * cannot hold back the other notifications of its message.
 * Failures of our own (DynamoDB) are thrown after the other notifications
 * have finished, so Salesforce's retry finds those already done.
 */
import { isPermanent } from '../../shared/errors.ts';
import { mapLimited } from '../../shared/pipeline/map-limited.ts';
import { tenantStore } from '../../shared/store/tenant-store.ts';
import type { ContactEmails } from './contact-emails.ts';
import type { IntakeContext } from './ingest-reading.ts';
import { ingestReading } from './ingest-reading.ts';
import type { SalesforceOrderObject } from './order-from-salesforce.ts';
import { readSalesforceRecord } from './order-from-salesforce.ts';
import type { OutboundNotification } from './outbound-message.ts';
import { SalesforceAuthError } from './token.ts';
import { SalesforceNotConfiguredError, SalesforceRecordError } from './salesforce-errors.ts';

export interface NotificationContext extends IntakeContext {
  /** Notifications handled at once (each is a few DynamoDB calls). */
  concurrency?: number;
  /** Asks the org for the emails of Contacts not known yet (see contact-emails.ts); none: ids alone. */
  contactEmails?: ContactEmails;
  /** Told when that lookup fails (for the log): how many Contacts it was for, and whether for good. */
  onLookupFailure?: (error: unknown, detail: { contacts: number; refused: boolean }) => void;
}

type Context = NotificationContext & {
  emails: Map<string, string>;
  /** New Contacts whose lookup failed for a reason that may pass: their notifications wait for the retry. */
  awaitingLookup: ReadonlySet<string>;
};

export interface NotificationOutcome {
  notificationId: string;
  sObjectType: string;
  recordId: string | null;
  /**
   * stored: a new or newer version; unchanged: this version or a newer one was already stored;
   * cancelled: a stored order stopped being a purchase; ignored: not a purchase, nothing stored;
   * duplicate: this notification was handled before; rejected: unusable, see reason;
   * deferred: its new Contact's email could not be asked of the org (a failure that may pass): nothing is
   * stored or recorded for it, and the message must not be acknowledged, so Salesforce sends it again.
   */
  action: 'stored' | 'unchanged' | 'cancelled' | 'ignored' | 'duplicate' | 'rejected' | 'deferred';
  customerId?: string;
  reason?: string;
  /** The error's name, for rejections. */
  error?: string;
}

const READ_OBJECTS: readonly string[] = ['Order', 'Opportunity'] satisfies SalesforceOrderObject[];

/** The delivery key of a notification: its id is the same on every retry of it. */
export const notificationEventId = (notificationId: string) => `salesforce:${notificationId}`;

export async function ingestNotifications(
  ctx: NotificationContext,
  notifications: readonly OutboundNotification[],
): Promise<NotificationOutcome[]> {
  const lookup = await emailsOfNewContacts(ctx, notifications);
  return mapLimited(notifications, ctx.concurrency ?? 8, (n) =>
    ingestNotification({ ...ctx, emails: lookup.emails, awaitingLookup: lookup.awaiting }, n),
  );
}

/**
 * Salesforce's answers that mean the integration user cannot read Contacts'
 * emails at all (SOAP API Developer Guide, "ExceptionCode" and "StatusCode"):
 * asking again cannot help, so such an org is treated like one clv-sync
 * cannot call.
 */
const NO_CONTACT_ACCESS_CODES = new Set([
  'INSUFFICIENT_ACCESS',
  'INSUFFICIENT_ACCESS_OR_READONLY',
  'INVALID_FIELD',
  'INVALID_TYPE',
  'API_DISABLED_FOR_ORG',
]);

/**
 * Whether a failed lookup is for good: the org refused the login, has no
 * login configured, or refuses the query itself. Anything else (the login
 * service down, a dropped connection, a timeout, a limit) may pass.
 */
export function isLookupRefused(error: unknown): boolean {
  if (error instanceof SalesforceAuthError || error instanceof SalesforceNotConfiguredError) return true;
  return NO_CONTACT_ACCESS_CODES.has(String((error as { errorCode?: unknown } | null)?.errorCode));
}

export interface ContactLookup {
  emails: Map<string, string>;
  /** Contacts the lookup could not answer for yet. */
  awaiting: ReadonlySet<string>;
  /** The lookup's failure, when there was one: refused for good (ids alone) or may pass (awaiting). */
  failure?: { error: unknown; refused: boolean };
}

/**
 * The emails of the message's Contacts that no stored customer is known by yet: one lookup per message.
 * A lookup that fails leaves the rest of the message unaffected: refused for good, those Contacts are
 * known by id alone (as for an org clv-sync cannot call); failing for a reason that may pass, their
 * notifications wait for Salesforce's redelivery of the message (the others are done by then, and skipped
 * as duplicates).
 */
export async function emailsOfNewContacts(
  ctx: NotificationContext,
  notifications: readonly OutboundNotification[],
): Promise<ContactLookup> {
  const none: ContactLookup = { emails: new Map(), awaiting: new Set() };
  if (!ctx.contactEmails) return none;
  const contactIds = new Set<string>();
  for (const n of notifications) {
    if (!READ_OBJECTS.includes(n.sObjectType)) continue;
    let reading: ReturnType<typeof readSalesforceRecord>;
    try {
      reading = readSalesforceRecord(n.fields, n.sObjectType as SalesforceOrderObject, ctx.tenant);
    } catch {
      continue; // the notification's own handling reads it again and decides by the error's class
    }
    const customer = reading.kind === 'purchase' ? reading.order.customer : undefined;
    if (customer?.salesforceContactId && !customer.email) contactIds.add(customer.salesforceContactId);
  }
  const unknown: string[] = [];
  await mapLimited([...contactIds], 8, async (id) => {
    const known = await tenantStore(ctx.store, ctx.tenant.tenantId).customers.find({
      salesforceContactId: id,
    });
    if (!known.length) unknown.push(id);
  });
  if (!unknown.length) return none;
  try {
    return { emails: await ctx.contactEmails(unknown), awaiting: new Set() };
  } catch (error) {
    const refused = isLookupRefused(error);
    ctx.onLookupFailure?.(error, { contacts: unknown.length, refused });
    return {
      emails: new Map(),
      awaiting: refused ? new Set() : new Set(unknown),
      failure: { error, refused },
    };
  }
}

async function ingestNotification(
  ctx: Context,
  notification: OutboundNotification,
): Promise<NotificationOutcome> {
  const events = tenantStore(ctx.store, ctx.tenant.tenantId).events;
  const eventId = notificationEventId(notification.id);
  const base = {
    notificationId: notification.id,
    sObjectType: notification.sObjectType,
    recordId: notification.fields.Id ?? null,
  };
  if (await events.has(eventId)) return { ...base, action: 'duplicate' };
  if (awaitsLookup(ctx, notification))
    return { ...base, action: 'deferred', reason: "its Contact's email could not be asked of the org yet" };
  const outcome = await handle(ctx, notification).catch(
    (error: unknown): Omit<NotificationOutcome, keyof typeof base> => {
      if (!isPermanent(error)) throw error;
      const { message, name } = error as Error;
      return { action: 'rejected', reason: message, error: name };
    },
  );
  // Recorded after the work: a notification that failed midway is handled again on Salesforce's retry.
  await events.record(eventId, ctx.now);
  return { ...base, ...outcome };
}

/** Whether the notification is a purchase by a new Contact whose lookup is awaited (see emailsOfNewContacts). */
function awaitsLookup(ctx: Context, notification: OutboundNotification): boolean {
  if (!ctx.awaitingLookup.size || !READ_OBJECTS.includes(notification.sObjectType)) return false;
  let reading: ReturnType<typeof readSalesforceRecord>;
  try {
    reading = readSalesforceRecord(
      notification.fields,
      notification.sObjectType as SalesforceOrderObject,
      ctx.tenant,
    );
  } catch {
    return false; // handled (and its error classified) like any other notification
  }
  const contactId = reading.kind === 'purchase' ? reading.order.customer.salesforceContactId : undefined;
  return contactId !== undefined && ctx.awaitingLookup.has(contactId);
}

async function handle(
  ctx: Context,
  notification: OutboundNotification,
): Promise<Omit<NotificationOutcome, 'notificationId' | 'sObjectType' | 'recordId'>> {
  if (!READ_OBJECTS.includes(notification.sObjectType)) {
    throw new SalesforceRecordError(
      `outbound message for a ${notification.sObjectType} record: clv-sync reads Order and Opportunity ` +
        'notifications only; point this outbound message action somewhere else',
    );
  }
  const reading = readSalesforceRecord(
    notification.fields,
    notification.sObjectType as SalesforceOrderObject,
    ctx.tenant,
  );
  // The email a lookup found for a new Contact goes on the purchase, so the person is known by it too.
  return ingestReading(ctx, reading, (order, as) => {
    const { customer } = order;
    const email =
      as === 'purchase' && customer.salesforceContactId
        ? ctx.emails.get(customer.salesforceContactId)
        : undefined;
    return email && !customer.email ? { ...order, customer: { ...customer, email } } : order;
  });
}
