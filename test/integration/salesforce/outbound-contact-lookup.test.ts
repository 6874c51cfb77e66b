/**
 * A failed Contact-email lookup no longer fails the whole outbound message (issue 15, item 6). Salesforce
 * sends an unacknowledged message again, whole, for up to 24 hours, and keeps each notification's id
 * across those retries (Salesforce Help, "Outbound Messaging", Understanding Notifications), so:
 * - a lookup that fails for a reason that may pass (the login service down) leaves the message
 *   unacknowledged, after everything that needs no lookup is stored; the redelivery stores the rest and
 *   skips what was done by notification id;
 * - a lookup the org refuses for good (the login refused) would fail every redelivery too: those
 *   Contacts are known by id alone, as for an org clv-sync cannot call, and the message is acknowledged.
 * DynamoDB Local, the production handler, the Salesforce sandbox's OAuth and SOQL, faults at its HTTP edge.
 */
import { describe, expect, it, vi } from 'vitest';
import { createSalesforceOutboundHandler } from '../../../functions/salesforce-outbound.ts';
import { salesforceConnection } from '../../../integrations/salesforce/connection.ts';
import { contactEmailsFrom } from '../../../integrations/salesforce/contact-emails.ts';
import type { ScoreMessage } from '../../../shared/pipeline/messages.ts';
import { findCustomers } from '../../../shared/store/identities.ts';
import type { TenantSettings } from '../../../shared/store/tenants.ts';
import { scanAll } from '../../helpers/dynamo.ts';
import {
  deliverOutbound,
  randomSalesforceId,
  useSalesforceWorld,
  store,
  testLogger,
} from '../../worlds/salesforce.ts';
import type { SalesforceSandbox } from '../../../sandbox/salesforce/index.ts';
import { isAck } from '../../../sandbox/salesforce/index.ts';

const logger = testLogger();
const CLIENT_ID = 'contact-lookup-consumer-key';
const CLIENT_SECRET = 'contact-lookup-secret-not-real';

let sf: SalesforceSandbox;
let queued: ScoreMessage[];
let secret = CLIENT_SECRET;
let token: { token: string; hash: string };

/** The org's Contact emails through the sandbox's OAuth and SOQL, as the deployed function asks for them. */
const handler = createSalesforceOutboundHandler({
  store,
  logger,
  enqueue: async (m) => void queued.push(m),
  contactEmailsFor: (t: TenantSettings) => async (ids) => {
    const { conn } = await salesforceConnection(t, async () => ({ clientSecret: secret }), {
      sleep: async () => {},
      timeoutMs: 2_000,
    });
    return contactEmailsFrom(conn)(ids);
  },
});

const randomId = randomSalesforceId;

let tenantId: string;
const contact = (email: string) =>
  sf.org.insert('Contact', { FirstName: 'A', LastName: email, Email: email }).Id as string;

const notification = (contactId: string) => ({
  id: randomId('04l'),
  sObject: 'Order' as const,
  fields: {
    Id: randomId('801'),
    BillToContactId: contactId,
    TotalAmount: '25.00',
    EffectiveDate: '2024-05-01',
    Status: 'Activated',
    LastModifiedDate: '2024-05-01T10:00:00.000Z',
  },
});

const envelope = (notifications: ReturnType<typeof notification>[]) =>
  world().outboundEnvelope(notifications);

const deliver = (body: string) =>
  deliverOutbound(handler, body, `token=${token.token}`, { 'content-type': 'text/xml; charset=utf-8' });

const ordersOf = async (tenantId: string) =>
  (await scanAll(store))
    .filter((i) => i.kind === 'order' && i.gsi1pk === `T#${tenantId}`)
    .map((o) => String(o.orderId))
    .sort();

const world = useSalesforceWorld(
  { label: 'sf-contact-lookup', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, outboundToken: true },
  {
    started: (w) => {
      ({ sf, tenantId } = w);
      token = w.outboundToken!;
    },
    reset: () => {
      queued = [];
      secret = CLIENT_SECRET;
    },
  },
);

describe('outbound message: the Contact email lookup fails', () => {
  it('while the login service is down: stores what needs no lookup, does not acknowledge, and the redelivery stores the rest', async () => {
    // A Contact the workspace knows already (its first order came with a working lookup).
    const known = contact(`known-${tenantId}@example.com`);
    const first = notification(known);
    expect((await deliver(envelope([first]))).statusCode).toBe(200);
    const newcomer = contact(`new-${tenantId}@example.com`);
    const again = notification(known);
    const waiting = notification(newcomer);
    const body = envelope([again, waiting]);

    // Every token request answers 503, through every retry: the login service is down.
    sf.failNext('token', 4, '503');
    const warn = vi.spyOn(logger, 'warn');
    const answer = await deliver(body);
    expect(answer.statusCode).toBe(503);
    expect(isAck(String(answer.body))).toBe(false);
    expect(String(answer.body)).toContain('<faultcode>soapenv:Server</faultcode>');
    // The known Contact's order is stored; the newcomer's waits, unrecorded, for the redelivery.
    expect(await ordersOf(tenantId)).toEqual([`Order:${first.fields.Id}`, `Order:${again.fields.Id}`].sort());
    expect(warn).toHaveBeenCalledWith(
      'the Contact email lookup failed: their notifications wait for the redelivery',
      expect.objectContaining({ contacts: 1, error: 'SalesforceLoginUnavailableError' }),
    );

    // Salesforce's redelivery of the same message: the login works again.
    const redelivered = await deliver(body);
    expect(redelivered.statusCode).toBe(200);
    expect(isAck(String(redelivered.body))).toBe(true);
    expect(await ordersOf(tenantId)).toEqual(
      [`Order:${first.fields.Id}`, `Order:${again.fields.Id}`, `Order:${waiting.fields.Id}`].sort(),
    );
    // The newcomer joined by the email the org gave, not by the Contact id alone.
    const [customer] = await findCustomers(store, tenantId, { email: `new-${tenantId}@example.com` });
    expect(customer).toBeDefined();
    // Each order queued its customer once: the known one's was not stored twice.
    expect(queued.filter((m) => m.tenantId === tenantId)).toHaveLength(3);
  });

  it('refused by the org for good: those Contacts are known by id alone and the message is acknowledged', async () => {
    const newcomer = contact(`refused-${tenantId}@example.com`);
    const n = notification(newcomer);
    secret = 'a-revoked-secret';
    const warn = vi.spyOn(logger, 'warn');
    const answer = await deliver(envelope([n]));
    expect(answer.statusCode).toBe(200);
    expect(isAck(String(answer.body))).toBe(true);
    expect(await ordersOf(tenantId)).toContain(`Order:${n.fields.Id}`);
    expect(await findCustomers(store, tenantId, { salesforceContactId: newcomer })).toHaveLength(1);
    expect(warn).toHaveBeenCalledWith(
      'the org refused the Contact email lookup: those Contacts are known by id alone',
      expect.objectContaining({ contacts: 1, error: 'SalesforceAuthError' }),
    );
    // No secret in the log.
    expect(JSON.stringify(warn.mock.calls)).not.toContain('a-revoked-secret');
  });

  it('answers with an email the Order schema refuses: that notification is rejected, the message acknowledged', async () => {
    // Issue 16: the shared taxonomy (isPermanent) decides, so a ZodError from storing the looked-up order is
    // the input's fault here as on every other intake path; before, it failed the message on every redelivery.
    const newcomer = contact('ab');
    const n = notification(newcomer);
    const warn = vi.spyOn(logger, 'warn');
    const answer = await deliver(envelope([n]));
    expect(answer.statusCode).toBe(200);
    expect(isAck(String(answer.body))).toBe(true);
    expect(await ordersOf(tenantId)).not.toContain(`Order:${n.fields.Id}`);
    expect(warn).toHaveBeenCalledWith(
      'outbound notification rejected',
      expect.objectContaining({ notificationId: n.id, error: 'ZodError' }),
    );
  });
});
