/**
 * Salesforce Change Data Capture events, relayed to EventBridge by Event
 * Relay, on DynamoDB Local and the Salesforce sandbox: the handler is invoked
 * with the EventBridge envelope a rule on the partner event bus delivers, and
 * reads the records the event names back from the sandbox org by SOQL, the
 * way it reads a real org.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { createSalesforceEventsHandler } from '../../../functions/salesforce-events.ts';
import { ORDER_FIELDS } from '../../../integrations/salesforce/change-event-soql.ts';
import {
  ChangeEventError,
  orgIdFromSource,
  parseChangeEvent,
} from '../../../integrations/salesforce/change-events.ts';
import type { ScoreMessage } from '../../../shared/pipeline/messages.ts';
import type { TenantSettings } from '../../../shared/store/tenants.ts';
import { scanAll, tenantItems, tenantName, tenantSnapshot } from '../../helpers/dynamo.ts';
import {
  changeEvent,
  halfYearOrg,
  orderBilledTo,
  randomSalesforceId,
  store,
  testLogger,
  useSalesforceWorld,
} from '../../worlds/salesforce.ts';
import type { OrgHistory, SalesforceSandbox } from '../../../sandbox/salesforce/index.ts';
import { to18 } from '../../../sandbox/salesforce/index.ts';

const CLIENT_SECRET = 'change-events-secret-not-real';
const CHANNEL_ID = to18('0YL5g000000CaGm');
const logger = testLogger();
/** A relayed UPDATE of one Order, as EventBridge delivers it: the template of the events below. */
const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/salesforce/order-change-event.json', import.meta.url), 'utf8'),
) as EventBridgeEvent<'OrderChangeEvent', { payload: Record<string, unknown> }>;

let sf: SalesforceSandbox;
let history: OrgHistory;
let tenant: TenantSettings;
let queued: ScoreMessage[];

const handler = createSalesforceEventsHandler({
  store,
  logger,
  enqueue: async (m) => void queued.push(m),
  secrets: async () => ({ clientSecret: CLIENT_SECRET }),
});

const randomId = randomSalesforceId;

/** A change event as Event Relay puts it on the partner event bus. */
function relayed(o: {
  changeType: string;
  recordIds: string[];
  entityName?: string;
  orgId?: string;
  /** The field values the event carries: all of them for a CREATE, the changed ones for an UPDATE. */
  fields?: Record<string, unknown>;
  commitTimestamp?: number;
  eventUuid?: string;
}): EventBridgeEvent<string, unknown> {
  return changeEvent({
    ...o,
    orgId: o.orgId ?? sf.orgId,
    commitTimestamp: o.commitTimestamp ?? sf.org.now(),
    channelId: CHANNEL_ID,
  });
}

/** Everything stored for the workspace, sorted. */
async function workspaceItems(): Promise<Record<string, unknown>[]> {
  return (await tenantItems(store, tenant.tenantId)).sort((a, b) =>
    `${String(a.pk)} ${String(a.sk)}`.localeCompare(`${String(b.pk)} ${String(b.sk)}`),
  );
}

const storedOrder = async (orderId: string) =>
  (await workspaceItems()).find((i) => i.kind === 'order' && i.orderId === orderId);

const at = (iso: string) => {
  const ms = Date.parse(iso);
  sf.org.now = () => ms;
  return ms;
};

/** Purchases of the generated history that no return was made against. */
const unreturned = () =>
  history.orders.filter(
    (o) => !o.IsReductionOrder && !history.orders.some((r) => r.OriginalOrderId === o.Id),
  );

useSalesforceWorld(
  { label: 'sf-cdc', clientId: tenantName('clv-cdc'), clientSecret: CLIENT_SECRET, history: halfYearOrg(23) },
  {
    started: (world) => {
      ({ sf, tenant } = world);
      history = world.history!;
    },
    reset: () => void (queued = []),
  },
);

describe('parseChangeEvent', () => {
  it('reads the relayed envelope: org and channel from the source, the header, the delivery key', () => {
    const event = parseChangeEvent(fixture);
    expect(event).toMatchObject({
      orgId: '00D5g000004SjbHEAS',
      channelId: '0YL5g000000CaGmGAK',
      channel: 'OrderChangeEvent',
      entityName: 'Order',
      changeType: 'UPDATE',
      recordIds: ['8015g000000XyZaAAK'],
      changedFields: ['Status', 'LastModifiedDate'],
      commitTimestamp: 1780131600000,
      eventUuid: '8b9a2c3e-7f41-4f0e-b2a4-6f7c9d1e2a3b',
      eventId: 'uuid:8b9a2c3e-7f41-4f0e-b2a4-6f7c9d1e2a3b',
    });
    // Without an EventUuid, the replay id on the relay's channel is the key.
    const noUuid = structuredClone(fixture) as unknown as { detail: { event: Record<string, unknown> } };
    delete noUuid.detail.event.EventUuid;
    expect(parseChangeEvent(noUuid).eventId).toBe('replay:0YL5g000000CaGmGAK:12648389');
  });

  it('takes a 15- or 18-character org id from the source and refuses anything else', () => {
    expect(orgIdFromSource(`aws.partner/salesforce.com/00D5g000004SjbH/${CHANNEL_ID}`)).toBe(
      '00D5g000004SjbHEAS',
    );
    expect(orgIdFromSource(`aws.partner/salesforce.com/00D5g000004SjbHEAS/${CHANNEL_ID}`)).toBe(
      '00D5g000004SjbHEAS',
    );
    for (const source of [
      `aws.partner/salesforce.com/00D5g000004SjbHXXX/${CHANNEL_ID}`, // suffix does not match the case
      `aws.partner/salesforce.com/0015g000004SjbH/${CHANNEL_ID}`, // an Account id
      `aws.partner/example.com/00D5g000004SjbH/${CHANNEL_ID}`,
      'aws.partner/salesforce.com/00D5g000004SjbH',
    ])
      expect(() => orgIdFromSource(source), source).toThrow(ChangeEventError);
  });

  it('re-reads Orders with the backfill fields, and what tells a return apart', () => {
    expect(ORDER_FIELDS).toEqual(
      expect.arrayContaining([
        'Id',
        'BillToContactId',
        'BillToContact.Email',
        'TotalAmount',
        'Status',
        'StatusCode',
        'LastModifiedDate',
        'SystemModstamp',
        'IsReductionOrder',
        'OriginalOrderId',
      ]),
    );
  });
});

describe('Salesforce change events relayed through EventBridge', () => {
  let order: { Id: string };
  let createEvent: EventBridgeEvent<string, unknown>;
  let updateEvent: EventBridgeEvent<string, unknown>;

  it('a CREATE event for a new activated Order stores it and queues its customer', async () => {
    const contact = history.contacts.find((c) => c.Email)!;
    const created = at('2024-07-01T09:00:00.000Z');
    order = sf.org.insert(
      'Order',
      orderBilledTo(contact, {
        TotalAmount: 480,
        EffectiveDate: '2024-07-01',
        Status: 'Activated',
      }),
    );
    createEvent = relayed({
      changeType: 'CREATE',
      recordIds: [order.Id],
      fields: {
        AccountId: contact.AccountId ?? null,
        BillToContactId: contact.Id,
        EffectiveDate: created,
        Status: 'Activated',
        TotalAmount: 480,
        CreatedDate: created,
        LastModifiedDate: created,
      },
    });
    const queries = sf.calls.filter((c) => c.kind === 'query').length;

    const result = await handler(createEvent);

    expect(result).toMatchObject({ status: 'processed', stored: 1, cancelled: 0, skipped: 0 });
    expect(result.records).toEqual([
      expect.objectContaining({ sObjectType: 'Order', recordId: order.Id, action: 'stored' }),
    ]);
    const stored = await storedOrder(`Order:${order.Id}`);
    expect(stored).toMatchObject({
      source: 'salesforce',
      value: 480,
      cancelled: false,
      currency: 'USD',
      version: '2024-07-01T09:00:00.000Z',
      placedAt: '2024-07-01T00:00:00.000Z',
      customer: { salesforceContactId: contact.Id, email: contact.Email },
    });
    expect(queued).toEqual([{ tenantId: tenant.tenantId, customerId: stored!.customerId }]);
    // Read back by SOQL: the record, then its returns (none).
    expect(sf.calls.filter((c) => c.kind === 'query').length - queries).toBe(2);
    // Recorded under its EventUuid, for the dedupe.
    const uuid = (createEvent.detail as { event: { EventUuid: string } }).event.EventUuid;
    expect((await workspaceItems()).some((i) => String(i.pk).endsWith(`salesforce-cdc:uuid:${uuid}`))).toBe(
      true,
    );
  });

  it('a custom status in the Activated category ("Shipped") is a purchase; one in Draft is not', async () => {
    // Orgs add their own Status values, each in a category (Object Reference, Order and OrderStatus).
    sf.org.addOrderStatus('Shipped', 'Activated');
    sf.org.addOrderStatus('Awaiting Approval', 'Draft');
    const contact = history.contacts.filter((c) => c.Email)[1]!;
    const created = at('2024-07-01T11:00:00.000Z');
    const shipped = sf.org.insert(
      'Order',
      orderBilledTo(contact, {
        TotalAmount: 215,
        EffectiveDate: '2024-07-01',
        Status: 'Shipped',
      }),
    );
    const waiting = sf.org.insert(
      'Order',
      orderBilledTo(contact, {
        TotalAmount: 99,
        EffectiveDate: '2024-07-01',
        Status: 'Awaiting Approval',
      }),
    );
    const result = await handler(
      relayed({
        changeType: 'CREATE',
        recordIds: [shipped.Id, waiting.Id],
        fields: { Status: 'Shipped', LastModifiedDate: created },
      }),
    );
    expect(result).toMatchObject({ status: 'processed', stored: 1, skipped: 1 });
    expect(result.records).toHaveLength(2);
    expect(result.records).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          recordId: waiting.Id,
          action: 'ignored',
          reason: expect.stringMatching(/Draft/),
        }),
        expect.objectContaining({ recordId: shipped.Id, action: 'stored' }),
      ]),
    );
    expect(await storedOrder(`Order:${shipped.Id}`)).toMatchObject({ value: 215, cancelled: false });
    expect(await storedOrder(`Order:${waiting.Id}`)).toBeUndefined();
    queued = [];
  });

  it('an UPDATE that changes only Status to Draft stores the order as cancelled and rescores', async () => {
    const changed = at('2024-07-02T10:30:00.000Z');
    sf.org.commitUpdate('Order', order.Id, { Status: 'Draft' });
    // Only what changed travels: no amount, no customer, no date.
    updateEvent = relayed({
      changeType: 'UPDATE',
      recordIds: [order.Id],
      fields: { Status: 'Draft', LastModifiedDate: changed },
    });

    const result = await handler(updateEvent);

    expect(result).toMatchObject({ status: 'processed', stored: 0, cancelled: 1 });
    const stored = await storedOrder(`Order:${order.Id}`);
    expect(stored).toMatchObject({ cancelled: true, value: 0, version: '2024-07-02T10:30:00.000Z' });
    expect(queued).toEqual([{ tenantId: tenant.tenantId, customerId: stored!.customerId }]);
  });

  it('a duplicate event stores nothing, queues nothing and reads nothing from Salesforce', async () => {
    const snapshot = await tenantSnapshot(store, tenant.tenantId);
    const calls = sf.calls.length;
    // EventBridge's own retry (same envelope) and the relay's resend after recovery (a new envelope id).
    for (const again of [updateEvent, { ...updateEvent, id: randomUUID() }, createEvent]) {
      const result = await handler(again);
      expect(result).toMatchObject({ status: 'duplicate', stored: 0, cancelled: 0, unchanged: 0 });
    }
    expect(await tenantSnapshot(store, tenant.tenantId)).toBe(snapshot);
    expect(queued).toEqual([]);
    expect(sf.calls.length).toBe(calls);
  });

  it("an event from another org's source changes nothing", async () => {
    const warn = vi.spyOn(logger, 'warn');
    const otherOrg = randomId('00D');
    const snapshot = await tenantSnapshot(store, tenant.tenantId);
    const calls = sf.calls.length;
    const record = unreturned()[0]!;
    for (const orgId of [otherOrg, otherOrg.slice(0, 15)]) {
      const result = await handler(relayed({ orgId, changeType: 'CREATE', recordIds: [record.Id] }));
      expect(result).toMatchObject({ status: 'rejected', reason: 'unknown org', stored: 0 });
    }
    expect(await tenantSnapshot(store, tenant.tenantId)).toBe(snapshot);
    expect(JSON.stringify(await scanAll(store))).not.toContain(otherOrg.slice(0, 15));
    expect(queued).toEqual([]);
    expect(sf.calls.length).toBe(calls);
    expect(warn).toHaveBeenCalledWith(
      'change event rejected',
      expect.objectContaining({ orgId: otherOrg, reason: 'unknown org' }),
    );
  });

  it('a malformed event is rejected with a log line, without throwing', async () => {
    const warn = vi.spyOn(logger, 'warn');
    const snapshot = await tenantSnapshot(store, tenant.tenantId);
    const good = relayed({ changeType: 'CREATE', recordIds: [unreturned()[1]!.Id] });
    const detail = good.detail as { payload: { ChangeEventHeader: Record<string, unknown> } };
    const malformed: [string, unknown][] = [
      ['not an object', 'OrderChangeEvent'],
      ['an empty object', {}],
      ['a platform event, no ChangeEventHeader', { ...good, detail: { payload: { Status__c: 'x' } } }],
      ['another partner', { ...good, source: `aws.partner/example.com/${sf.orgId}/${CHANNEL_ID}` }],
      [
        'an org id with a wrong suffix',
        { ...good, source: `aws.partner/salesforce.com/${sf.orgId.slice(0, 15)}ZZZ/${CHANNEL_ID}` },
      ],
      [
        'an unknown change type',
        {
          ...good,
          detail: {
            payload: { ChangeEventHeader: { ...detail.payload.ChangeEventHeader, changeType: 'MERGE' } },
          },
        },
      ],
      [
        'a record id that is no id',
        {
          ...good,
          detail: {
            payload: {
              ChangeEventHeader: { ...detail.payload.ChangeEventHeader, recordIds: ["801' OR Id != '"] },
            },
          },
        },
      ],
    ];
    for (const [label, event] of malformed) {
      warn.mockClear();
      const result = await handler(event as EventBridgeEvent<string, unknown>);
      expect(result, label).toMatchObject({ status: 'rejected', stored: 0 });
      expect(result.reason, label).toMatch(/not a relayed change event|source/);
      expect(warn, label).toHaveBeenCalledWith(
        'change event rejected',
        expect.objectContaining({ reason: expect.any(String) }),
      );
    }
    expect(await tenantSnapshot(store, tenant.tenantId)).toBe(snapshot);
    expect(queued).toEqual([]);
  });

  it('a return (an activated reduction order) re-reads its original order and nets it', async () => {
    const original = unreturned()[2]!;
    at('2024-07-03T08:00:00.000Z');
    expect(await handler(relayed({ changeType: 'GAP_UPDATE', recordIds: [original.Id] }))).toMatchObject({
      stored: 1,
    });
    expect(await storedOrder(`Order:${original.Id}`)).toMatchObject({
      value: Number(original.TotalAmount),
      refunded: 0,
    });
    queued = [];

    const returned = at('2024-07-04T08:00:00.000Z');
    const reduction = sf.org.insert('Order', {
      AccountId: original.AccountId ?? null,
      BillToContactId: original.BillToContactId!,
      TotalAmount: -25,
      EffectiveDate: '2024-07-04',
      Status: 'Activated',
      IsReductionOrder: true,
      OriginalOrderId: original.Id,
    });
    const result = await handler(relayed({ changeType: 'CREATE', recordIds: [reduction.Id] }));

    expect(result.records).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ recordId: reduction.Id, action: 'ignored' }),
        expect.objectContaining({ recordId: original.Id, action: 'stored' }),
      ]),
    );
    const stored = await storedOrder(`Order:${original.Id}`);
    expect(stored).toMatchObject({ refunded: 25, version: new Date(returned).toISOString() });
    expect(stored!.value as number).toBeCloseTo(Number(original.TotalAmount) - 25, 2);
    expect(queued.map((m) => m.customerId)).toEqual([stored!.customerId]);
    // A return is never an order of its own.
    expect(await storedOrder(`Order:${reduction.Id}`)).toBeUndefined();
  });

  it("a won Opportunity's customer is its primary contact role, with that contact's email", async () => {
    const [buyer, influencer] = history.contacts.filter((c) => c.Email);
    at('2024-07-04T12:00:00.000Z');
    const deal = sf.org.insert('Opportunity', {
      Name: 'Expansion',
      AccountId: buyer!.AccountId ?? null,
      Amount: 1500,
      CloseDate: '2024-07-04',
      StageName: 'Closed Won',
    });
    sf.org.insert('OpportunityContactRole', {
      OpportunityId: deal.Id,
      ContactId: influencer!.Id,
      Role: 'Influencer',
      IsPrimary: false,
    });
    sf.org.insert('OpportunityContactRole', {
      OpportunityId: deal.Id,
      ContactId: buyer!.Id,
      Role: 'Decision Maker',
      IsPrimary: true,
    });
    const result = await handler(
      relayed({ entityName: 'Opportunity', changeType: 'CREATE', recordIds: [deal.Id] }),
    );
    expect(result).toMatchObject({ status: 'processed', stored: 1 });
    expect(await storedOrder(`Opportunity:${deal.Id}`)).toMatchObject({
      value: 1500,
      customer: { salesforceContactId: buyer!.Id, email: buyer!.Email },
    });
    queued = [];
  });

  it('a won Opportunity is stored; its DELETE stores it cancelled, newer than the stored version', async () => {
    const contact = history.contacts.find((c) => c.Email)!;
    at('2024-07-05T12:00:00.000Z');
    const deal = sf.org.insert('Opportunity', {
      Name: 'Renewal',
      AccountId: contact.AccountId ?? null,
      ContactId: contact.Id,
      Amount: 900,
      CloseDate: '2024-07-05',
      StageName: 'Closed Won',
    });
    const won = await handler(
      relayed({ entityName: 'Opportunity', changeType: 'CREATE', recordIds: [deal.Id] }),
    );
    expect(won).toMatchObject({ status: 'processed', stored: 1 });
    expect(await storedOrder(`Opportunity:${deal.Id}`)).toMatchObject({ value: 900, cancelled: false });
    // Without contact roles the customer is the Opportunity's ContactId alone: Opportunity has no
    // Contact relationship to read an email through (on main, the re-read's Contact.Email was refused).
    expect((await storedOrder(`Opportunity:${deal.Id}`))?.customer).toEqual({
      salesforceContactId: contact.Id,
    });
    queued = [];

    const deleted = at('2024-07-06T12:00:00.000Z');
    sf.org.get('Opportunity', deal.Id)!.IsDeleted = true;
    const calls = sf.calls.length;
    // A delete names the record only: there is nothing left to read.
    const result = await handler(
      relayed({ entityName: 'Opportunity', changeType: 'DELETE', recordIds: [deal.Id.slice(0, 15)] }),
    );
    expect(result).toMatchObject({ status: 'processed', cancelled: 1 });
    expect(sf.calls.length).toBe(calls);
    const stored = await storedOrder(`Opportunity:${deal.Id}`);
    expect(stored).toMatchObject({ cancelled: true, value: 0, version: new Date(deleted).toISOString() });
    expect(queued.map((m) => m.customerId)).toEqual([stored!.customerId]);

    // Undeleted: read again, and stored at no older a version than the undelete, so it wins over the delete.
    const undeleted = at('2024-07-07T12:00:00.000Z');
    sf.org.get('Opportunity', deal.Id)!.IsDeleted = false;
    queued = [];
    const back = await handler(
      relayed({ entityName: 'Opportunity', changeType: 'UNDELETE', recordIds: [deal.Id] }),
    );
    expect(back).toMatchObject({ status: 'processed', stored: 1 });
    expect(await storedOrder(`Opportunity:${deal.Id}`)).toMatchObject({
      cancelled: false,
      value: 900,
      version: new Date(undeleted).toISOString(),
    });
    expect(queued).toHaveLength(1);

    // An order never stored has nothing to cancel.
    const never = await handler(relayed({ changeType: 'DELETE', recordIds: [randomId('801')] }));
    expect(never).toMatchObject({ status: 'processed', cancelled: 0, skipped: 1 });
  });

  it('a Salesforce failure that may pass is thrown, so the event is retried, and the retry stores it', async () => {
    const error = vi.spyOn(logger, 'error');
    const record = unreturned()[3]!;
    const event = relayed({ changeType: 'UPDATE', recordIds: [record.Id], fields: { Description: 'x' } });
    // jsforce itself retries 5xx answers (5 times, 15.5 s of backoff); the daily API limit it leaves to us.
    sf.failNext('query', 1, 'limit');
    await expect(handler(event)).rejects.toThrow(/REQUEST_LIMIT_EXCEEDED|TotalRequests/);
    expect(error).toHaveBeenCalledWith(
      'change event failed',
      expect.objectContaining({ tenantId: tenant.tenantId }),
    );
    expect(await storedOrder(`Order:${record.Id}`)).toBeUndefined();
    expect(queued).toEqual([]);

    const retry = await handler(event);
    expect(retry).toMatchObject({ status: 'processed', stored: 1 });
    expect(queued).toHaveLength(1);
  });

  it('events that name no records clv-sync reads are ignored, and nothing is stored', async () => {
    const snapshot = await tenantSnapshot(store, tenant.tenantId);
    const calls = sf.calls.length;
    for (const event of [
      relayed({ changeType: 'GAP_OVERFLOW', recordIds: [] }),
      relayed({ changeType: 'GAP_UPDATE', recordIds: ['801*'] }),
      relayed({ entityName: 'Account', changeType: 'UPDATE', recordIds: [history.accounts[0]!.Id] }),
    ])
      expect(await handler(event)).toMatchObject({ status: 'ignored', stored: 0 });
    expect(await tenantSnapshot(store, tenant.tenantId)).toBe(snapshot);
    expect(sf.calls.length).toBe(calls);
  });
});
