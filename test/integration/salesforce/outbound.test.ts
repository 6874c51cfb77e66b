/**
 * POST /salesforce/outbound on DynamoDB Local, fed by the Salesforce sandbox
 * org the way a workflow outbound message action feeds it: real SOAP
 * envelopes over HTTP, delivered until acknowledged.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import {
  MAX_OUTBOUND_BYTES,
  createSalesforceOutboundHandler,
} from '../../../functions/salesforce-outbound.ts';
import type { ScoreMessage } from '../../../shared/pipeline/messages.ts';
import { apiEvent } from '../../helpers/api-event.ts';
import { scanAll, tenantName } from '../../helpers/dynamo.ts';
import {
  OUTBOUND_FIELDS,
  callbackUrls,
  deliverOutbound,
  halfYearOrg,
  randomSalesforceId,
  store,
  testLogger,
  useSalesforceWorld,
} from '../../worlds/salesforce.ts';
import type { OrgHistory, SalesforceSandbox } from '../../../sandbox/salesforce/index.ts';
import { isAck, outboundMessage } from '../../../sandbox/salesforce/index.ts';
import { issueOutboundToken } from '../../../integrations/salesforce/outbound-token.ts';
import { deliverOutboundMessage } from '../../../sandbox/salesforce/outbound-sender.ts';

const logger = testLogger();
const ORDER_FIELDS = OUTBOUND_FIELDS;

let sf: SalesforceSandbox;
let history: OrgHistory;
let listener: Server;
let url: string;
/** The workspace's outbound token: in the endpoint URL, as `clv salesforce link` shows it. */
const outbound = issueOutboundToken();
let tenantId: string;
let queued: ScoreMessage[];
const handler = createSalesforceOutboundHandler({
  store,
  logger,
  enqueue: async (m) => void queued.push(m),
});

const randomId = randomSalesforceId;

/** Everything stored for the workspace (its items all carry gsi1pk = the tenant), and its org's route. */
async function workspaceItems(): Promise<Record<string, unknown>[]> {
  const items = await scanAll(store);
  return items
    .filter((i) => i.gsi1pk === `T#${tenantId}` || String(i.pk).startsWith(`T#${tenantId}#`))
    .sort((a, b) => `${String(a.pk)} ${String(a.sk)}`.localeCompare(`${String(b.pk)} ${String(b.sk)}`));
}

const storedOrders = async () => (await workspaceItems()).filter((i) => i.kind === 'order');

async function post(body: string): Promise<APIGatewayProxyStructuredResultV2> {
  return deliverOutbound(handler, body, `token=${outbound.token}`);
}

const purchases = () => history.orders.filter((o) => !o.IsReductionOrder);

/** The org's outbound message action fires for `recordIds` (with the deployed field list unless said). */
const sendOrders = (recordIds: string[], fields = ORDER_FIELDS) =>
  sf.sendOutbound({ url, sObject: 'Order', recordIds, fields });

/** The listener Salesforce posts to: API Gateway's event, as the deployed route would build it. */
function apiGatewayListener(): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]),
      );
      const target = new URL(req.url ?? '/', 'http://listener');
      handler(
        apiEvent({
          method: req.method ?? 'POST',
          path: target.pathname,
          query: target.search.slice(1),
          headers,
          body: Buffer.concat(chunks),
        }),
      )
        .then((out) => {
          res.writeHead(out.statusCode ?? 200, out.headers as Record<string, string>);
          res.end(out.body);
        })
        .catch((error: unknown) => {
          res.writeHead(500);
          res.end(String(error));
        });
    });
  });
}

useSalesforceWorld(
  {
    label: 'sf-outbound',
    clientId: tenantName('clv-outbound'),
    connectedApp: false,
    history: halfYearOrg(17),
    tenant: { salesforceGrain: 'contact', salesforceOutboundTokenHash: outbound.hash },
  },
  {
    started: async (world) => {
      ({ sf, tenantId } = world);
      history = world.history!;
      listener = apiGatewayListener();
      await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/salesforce/outbound?token=${outbound.token}`;
    },
    reset: () => void (queued = []),
    stopping: () => new Promise((resolve) => listener?.close(() => resolve(undefined))),
  },
);

describe('POST /salesforce/outbound', () => {
  it('stores the orders of 3 notifications, queues their customers and acknowledges', async () => {
    const records = purchases().slice(0, 3);
    const deliveries = await sendOrders(records.map((r) => r.Id));
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ status: 200, acked: true });
    expect(isAck(deliveries[0]!.response)).toBe(true);

    const orders = await storedOrders();
    expect(orders.map((o) => o.orderId).sort()).toEqual(records.map((r) => `Order:${r.Id}`).sort());
    for (const record of records) {
      const stored = orders.find((o) => o.orderId === `Order:${record.Id}`)!;
      expect(stored).toMatchObject({
        source: 'salesforce',
        value: Number(record.TotalAmount),
        currency: 'USD',
        cancelled: false,
        version: record.LastModifiedDate,
        placedAt: `${String(record.EffectiveDate)}T00:00:00.000Z`,
        customer: { salesforceContactId: record.BillToContactId },
      });
    }
    // One scoring message per stored order, each for that order's customer.
    expect(queued).toHaveLength(3);
    expect(new Set(queued.map((m) => m.customerId))).toEqual(new Set(orders.map((o) => o.customerId)));
    expect(queued.every((m) => m.tenantId === tenantId)).toBe(true);
    // Each notification is recorded under its id, for the dedupe.
    const events = (await workspaceItems()).filter((i) => i.kind === 'event');
    expect(events).toHaveLength(3);

    // The same message again (Salesforce's retry of it) stores nothing new, queues nothing and still acknowledges.
    const info = vi.spyOn(logger, 'info');
    const before = await workspaceItems();
    const again = await deliverOutboundMessage(url, deliveries[0]!.envelope);
    expect(again).toMatchObject({ status: 200, acked: true });
    expect(await workspaceItems()).toEqual(before);
    expect(queued).toHaveLength(3);
    // Recognised as seen by notification id, not merely found stale by the store.
    expect(info).toHaveBeenCalledWith(
      'outbound message processed',
      expect.objectContaining({ tenantId, notifications: 3, duplicate: 3 }),
    );
  });

  it('answers 403 to a message from another org and stores nothing', async () => {
    const warn = vi.spyOn(logger, 'warn');
    const otherOrg = randomId('00D');
    const recordId = randomId('801');
    const foreign = outboundMessage({
      orgId: otherOrg,
      actionId: randomId('04k'),
      ...callbackUrls('https://other.my.salesforce.com', otherOrg),
      notifications: [
        {
          id: randomId('04l'),
          sObject: 'Order',
          fields: {
            Id: recordId,
            BillToContactId: history.contacts[0]!.Id,
            TotalAmount: '10.0',
            EffectiveDate: '2024-05-01',
            Status: 'Activated',
            LastModifiedDate: '2024-05-01T10:00:00.000Z',
          },
        },
      ],
    });
    const before = await workspaceItems();
    const answer = await post(foreign);
    expect(answer.statusCode).toBe(403);
    expect(answer.headers).toMatchObject({ 'content-type': 'text/xml; charset=utf-8' });
    expect(isAck(String(answer.body))).toBe(false);
    expect(String(answer.body)).toContain(`organization ${otherOrg} is not linked`);
    expect(await workspaceItems()).toEqual(before);
    // Nowhere in the table: not under this workspace, not under any other.
    const everything = JSON.stringify(await scanAll(store));
    expect(everything).not.toContain(recordId);
    expect(everything).not.toContain(otherOrg.slice(0, 15));
    expect(queued).toEqual([]);
    expect(warn).toHaveBeenCalledWith(
      'outbound message rejected',
      expect.objectContaining({ organizationId: otherOrg, reason: 'unknown org' }),
    );

    // The workspace's org id with callback URLs of another org is not the workspace's message either.
    const mixed = foreign.replace(
      `<OrganizationId>${otherOrg}</OrganizationId>`,
      `<OrganizationId>${sf.orgId}</OrganizationId>`,
    );
    expect((await post(mixed)).statusCode).toBe(403);
    expect(await workspaceItems()).toEqual(before);
  });

  it('acknowledges a message with an unusable notification, storing the others and logging the rejection', async () => {
    const warn = vi.spyOn(logger, 'warn');
    const [good, bad] = purchases().slice(3, 5);
    const draftId = randomId('801');
    const fieldsOf = (r: typeof good) => ({
      Id: r!.Id,
      BillToContactId: String(r!.BillToContactId),
      TotalAmount: String(r!.TotalAmount),
      EffectiveDate: String(r!.EffectiveDate),
      Status: 'Activated',
      LastModifiedDate: String(r!.LastModifiedDate),
    });
    const ids = [randomId('04l'), randomId('04l'), randomId('04l')];
    const xml = outboundMessage({
      orgId: sf.orgId,
      actionId: randomId('04k'),
      ...callbackUrls(sf.instanceUrl, sf.orgId),
      notifications: [
        { id: ids[0]!, sObject: 'Order', fields: fieldsOf(good) },
        { id: ids[1]!, sObject: 'Order', fields: { ...fieldsOf(bad), TotalAmount: 'twelve' } },
        { id: ids[2]!, sObject: 'Order', fields: { ...fieldsOf(good), Id: draftId, Status: 'Draft' } },
      ],
    });
    const answer = await post(xml);
    expect(answer.statusCode).toBe(200);
    expect(isAck(String(answer.body))).toBe(true);

    const orders = await storedOrders();
    expect(orders.some((o) => o.orderId === `Order:${good!.Id}`)).toBe(true);
    expect(orders.some((o) => o.orderId === `Order:${bad!.Id}`)).toBe(false);
    // A draft never stored is not a purchase: nothing is stored for it.
    expect(orders.some((o) => o.orderId === `Order:${draftId}`)).toBe(false);
    expect(queued).toHaveLength(1);
    expect(warn).toHaveBeenCalledWith(
      'outbound notification rejected',
      expect.objectContaining({
        notificationId: ids[1],
        recordId: bad!.Id,
        error: 'SalesforceRecordError',
        reason: expect.stringMatching(/TotalAmount.*decimal amount/),
      }),
    );
    // All three are recorded: the bad one is not retried, and the message's retry changes nothing.
    const events = (await workspaceItems()).filter((i) =>
      ids.some((id) => String(i.pk).endsWith(`salesforce:${id}`)),
    );
    expect(events).toHaveLength(3);
    const before = await workspaceItems();
    expect(isAck(String((await post(xml)).body))).toBe(true);
    expect(await workspaceItems()).toEqual(before);
  });

  it('an activated order set back to Draft in Salesforce is stored as cancelled and its customer rescored', async () => {
    const record = purchases()[5]!;
    await sendOrders([record.Id]);
    expect((await storedOrders()).find((o) => o.orderId === `Order:${record.Id}`)).toMatchObject({
      cancelled: false,
    });
    queued = [];
    sf.org.now = () => Date.parse('2024-07-01T12:00:00.000Z');
    sf.org.commitUpdate('Order', record.Id, { Status: 'Draft' });
    const [delivery] = await sendOrders([record.Id]);
    expect(delivery).toMatchObject({ status: 200, acked: true });
    const stored = (await storedOrders()).find((o) => o.orderId === `Order:${record.Id}`);
    expect(stored).toMatchObject({ cancelled: true, value: 0, version: '2024-07-01T12:00:00.000Z' });
    expect(queued.map((m) => m.customerId)).toEqual([stored!.customerId]);
  });

  it('refuses XXE and billion laughs with a 400 SOAP fault, and a body over the limit with 413, storing nothing', async () => {
    const before = await workspaceItems();
    const envelope = (extra: string) =>
      outboundMessage({
        orgId: sf.orgId,
        actionId: randomId('04k'),
        enterpriseUrl: 'e',
        partnerUrl: 'p',
        notifications: [
          {
            id: randomId('04l'),
            sObject: 'Order',
            fields: { Id: purchases()[6]!.Id, Description: 'PLACEHOLDER' },
          },
        ],
      }).replace(
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        `<?xml version="1.0" encoding="UTF-8"?>\n${extra}`,
      );
    const xxe = envelope('<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n').replace(
      'PLACEHOLDER',
      '&xxe;',
    );
    const laughs = envelope(
      `<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${'b'.repeat(i + 1)} "${`&${i === 0 ? 'a' : 'b'.repeat(i)};`.repeat(10)}">`).join('')}]>\n`,
    ).replace('PLACEHOLDER', '&bbbbbbbbb;');
    for (const body of [xxe, laughs]) {
      const answer = await post(body);
      expect(answer.statusCode).toBe(400);
      expect(String(answer.body)).toContain('<faultcode>soapenv:Client</faultcode>');
      expect(String(answer.body)).toContain('DOCTYPE');
      expect(isAck(String(answer.body))).toBe(false);
    }
    const huge = envelope('').replace('PLACEHOLDER', 'x'.repeat(MAX_OUTBOUND_BYTES));
    expect((await post(huge)).statusCode).toBe(413);
    expect(await workspaceItems()).toEqual(before);
    expect(queued).toEqual([]);
  });

  it('sends StatusCode, so an order in a custom Activated status ("Shipped") is stored; without it, it is rejected by name', async () => {
    expect(ORDER_FIELDS).toEqual(
      expect.arrayContaining(['Status', 'StatusCode', 'TotalAmount', 'BillToContactId']),
    );
    sf.org.addOrderStatus('Shipped', 'Activated');
    const contact = history.contacts[0]!;
    const make = () =>
      sf.org.insert('Order', {
        AccountId: contact.AccountId ?? null,
        BillToContactId: contact.Id,
        TotalAmount: 340,
        EffectiveDate: '2024-06-20',
        Status: 'Shipped',
      });
    const shipped = make();
    const [delivery] = await sendOrders([shipped.Id]);
    expect(delivery).toMatchObject({ status: 200, acked: true });
    expect(delivery!.envelope).toContain('<sf:StatusCode>Activated</sf:StatusCode>');
    expect((await storedOrders()).find((o) => o.orderId === `Order:${shipped.Id}`)).toMatchObject({
      value: 340,
      cancelled: false,
    });

    // An outbound message deployed before StatusCode was in its field list: the custom status cannot be read,
    // and the notification is rejected with the reason (logged and counted), not stored as something else.
    const warn = vi.spyOn(logger, 'warn');
    const old = make();
    await sendOrders(
      [old.Id],
      ORDER_FIELDS.filter((f) => f !== 'StatusCode'),
    );
    expect((await storedOrders()).some((o) => o.orderId === `Order:${old.Id}`)).toBe(false);
    expect(warn).toHaveBeenCalledWith(
      'outbound notification rejected',
      expect.objectContaining({ reason: expect.stringMatching(/"Shipped".*add StatusCode/) }),
    );
  });
});
