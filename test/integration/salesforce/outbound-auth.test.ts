/**
 * POST /salesforce/outbound authenticates before it reads the body (issue 15, items 7, 8 and 15): the
 * workspace is found by the token's hash, so a body without a working token is refused whatever it holds
 * and whatever org it names; the body's size and shape are bounded; workspaces linked before token routes
 * are migrated on first use. DynamoDB Local, the production handler, the Salesforce sandbox's envelopes.
 */
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import {
  MAX_CALLBACK_URL_LENGTH,
  MAX_OUTBOUND_BYTES,
  createSalesforceOutboundHandler,
} from '../../../functions/salesforce-outbound.ts';
import { issueOutboundToken } from '../../../integrations/salesforce/outbound-token.ts';
import type { ScoreMessage } from '../../../shared/pipeline/messages.ts';
import { keys } from '../../../shared/store/keys.ts';
import { putTenant } from '../../../shared/store/tenants.ts';
import { scanAll, tenantName } from '../../helpers/dynamo.ts';
import {
  callbackUrls,
  deliverOutbound,
  randomSalesforceId,
  useSalesforceWorld,
  store,
  testLogger,
} from '../../worlds/salesforce.ts';
import { largestOutboundMessage, namespaceFloodBody } from '../../helpers/outbound-bodies.ts';
import type { SalesforceSandbox } from '../../../sandbox/salesforce/index.ts';
import { isAck, outboundMessage } from '../../../sandbox/salesforce/index.ts';

const logger = testLogger();
let queued: ScoreMessage[];
const handler = createSalesforceOutboundHandler({ store, logger, enqueue: async (m) => void queued.push(m) });

let sf: SalesforceSandbox;
let tenantId: string;
let outbound: { token: string; hash: string };

const randomId = randomSalesforceId;

const post = (body: string, query: string, to = handler) => deliverOutbound(to, body, query);

/** A one-notification message from `orgId` for a new Activated order. */
function message(orgId: string, urls?: { enterpriseUrl: string; partnerUrl: string }): string {
  return outboundMessage({
    orgId,
    actionId: randomId('04k'),
    ...(urls ?? callbackUrls(sf.instanceUrl, orgId)),
    notifications: [
      {
        id: randomId('04l'),
        sObject: 'Order',
        fields: {
          Id: randomId('801'),
          BillToContactId: randomId('003'),
          TotalAmount: '42.00',
          EffectiveDate: '2024-05-01',
          Status: 'Activated',
          LastModifiedDate: '2024-05-01T10:00:00.000Z',
        },
      },
    ],
  });
}

const workspaceItems = async (id = tenantId) =>
  (await scanAll(store)).filter((i) => i.gsi1pk === `T#${id}` || String(i.pk).startsWith(`T#${id}#`));
const storedOrders = async (id = tenantId) => (await workspaceItems(id)).filter((i) => i.kind === 'order');

useSalesforceWorld(
  {
    label: 'sf-outbound-auth',
    clientId: tenantName('clv-outbound-auth'),
    connectedApp: false,
    outboundToken: true,
  },
  {
    started: (world) => {
      ({ sf, tenantId } = world);
      outbound = world.outboundToken!;
    },
    reset: () => void (queued = []),
  },
);

describe('POST /salesforce/outbound: the token before the body', () => {
  it('refuses a wrong token with 403 whatever the body holds (garbage, cut off, 1,000 namespaces over 20,000 elements), without reading it', async () => {
    const warn = vi.spyOn(logger, 'warn');
    const before = await workspaceItems();
    const flood = namespaceFloodBody(sf.orgId);
    expect(flood.length).toBeGreaterThan(90_000);
    expect(flood.length).toBeLessThan(MAX_OUTBOUND_BYTES);
    const wrong = `token=${issueOutboundToken().token}`;
    for (const body of ['not xml at all', message(sf.orgId).slice(0, 200), flood]) {
      const answer = await post(body, wrong);
      expect(answer.statusCode).toBe(403);
      expect(isAck(String(answer.body))).toBe(false);
      expect(String(answer.body)).not.toContain(sf.orgId.slice(0, 15));
    }
    // Nothing from the body reached the log: it was never parsed.
    for (const [, fields] of warn.mock.calls) expect(fields).not.toHaveProperty('organizationId');
    expect(warn).toHaveBeenCalledWith('outbound message rejected', { reason: 'wrong token' });
    expect(await workspaceItems()).toEqual(before);
    expect(queued).toEqual([]);
  });

  it('answers a token that does not authenticate the same whether the body names a linked org or not (no oracle)', async () => {
    const linked = message(sf.orgId);
    const unlinked = message(randomId('00D'));
    for (const query of ['', 'token=', `token=${issueOutboundToken().token}`, `token=${outbound.hash}`]) {
      const a = await post(linked, query);
      const b = await post(unlinked, query);
      expect(a.statusCode, query).toBeGreaterThanOrEqual(400);
      expect({ status: b.statusCode, body: b.body }, query).toEqual({ status: a.statusCode, body: a.body });
    }
    expect(queued).toEqual([]);
  });

  it('with the right token, a body naming another org is still refused (403), and nothing is stored', async () => {
    const other = randomId('00D');
    const before = await workspaceItems();
    const answer = await post(message(other), `token=${outbound.token}`);
    expect(answer.statusCode).toBe(403);
    expect(String(answer.body)).toContain(`organization ${other} is not linked`);
    expect(await workspaceItems()).toEqual(before);
  });

  it(`refuses a callback URL over ${MAX_CALLBACK_URL_LENGTH} characters as malformed (400), even one ending in the org's id`, async () => {
    const org15 = sf.orgId.slice(0, 15);
    const long = `${sf.instanceUrl}/services/Soap/c/62.0/${'x/'.repeat(MAX_CALLBACK_URL_LENGTH)}${org15}`;
    const before = await storedOrders();
    const answer = await post(
      message(sf.orgId, { enterpriseUrl: long, partnerUrl: long }),
      `token=${outbound.token}`,
    );
    expect(answer.statusCode).toBe(400);
    expect(String(answer.body)).toContain(`callback URL over ${MAX_CALLBACK_URL_LENGTH} characters`);
    expect(await storedOrders()).toEqual(before);
    // One just under the cap, ending in the org's id, is read as before.
    const fits = `${sf.instanceUrl}/${'x/'.repeat(900)}${org15}`;
    expect(fits.length).toBeLessThanOrEqual(MAX_CALLBACK_URL_LENGTH);
    const ok = await post(
      message(sf.orgId, { enterpriseUrl: fits, partnerUrl: fits }),
      `token=${outbound.token}`,
    );
    expect(ok.statusCode).toBe(200);
  });

  it('takes the largest message the deployed action sends (100 notifications, 188 KB) and refuses a body over the limit with 413', async () => {
    const largest = largestOutboundMessage(sf.orgId, { escaped: true });
    expect(largest.length).toBeGreaterThan(180_000);
    expect(largest.length).toBeLessThanOrEqual(MAX_OUTBOUND_BYTES);
    const answer = await post(largest, `token=${outbound.token}`);
    expect(answer.statusCode).toBe(200);
    expect(isAck(String(answer.body))).toBe(true);

    // 300 KB: more than any message of that action, refused before the token is even looked at.
    const over = largestOutboundMessage(sf.orgId).replace(
      '<soapenv:Body>',
      `<!--${'x'.repeat(300_000)}--><soapenv:Body>`,
    );
    expect(over.length).toBeLessThan(2 * 1024 * 1024);
    for (const query of [`token=${outbound.token}`, ''])
      expect((await post(over, query)).statusCode).toBe(413);
  });
});

describe('token routes', () => {
  it('a workspace linked before token routes (hash on the tenant, no route) is migrated on its first message, and then served', async () => {
    const legacy = tenantName('sf-outbound-legacy');
    const orgId = randomId('00D');
    const token = issueOutboundToken();
    await putTenant(store, {
      tenantId: legacy,
      salesforceOrgId: orgId,
      currency: 'USD',
      salesforceOutboundTokenHash: token.hash,
    });
    // As an earlier version left it: no token route, and no record that the migration ran.
    const route = keys.outboundTokenRouteKey(token.hash);
    await store.doc.send(new DeleteCommand({ TableName: store.table, Key: route }));
    await store.doc.send(
      new DeleteCommand({ TableName: store.table, Key: { pk: 'ROUTE#salesforce-token', sk: 'MIGRATED#1' } }),
    );
    const fresh = createSalesforceOutboundHandler({
      store,
      logger,
      enqueue: async (m) => void queued.push(m),
    });
    const body = message(orgId, {
      enterpriseUrl: `https://legacy.my.salesforce.com/services/Soap/c/62.0/${orgId.slice(0, 15)}`,
      partnerUrl: `https://legacy.my.salesforce.com/services/Soap/u/62.0/${orgId.slice(0, 15)}`,
    });
    const answer = await post(body, `token=${token.token}`, fresh);
    expect(answer.statusCode).toBe(200);
    expect(await storedOrders(legacy)).toHaveLength(1);
    const written = await store.doc.send(
      new GetCommand({ TableName: store.table, Key: route, ConsistentRead: true }),
    );
    expect(written.Item).toMatchObject({ tenantId: legacy });
  });

  it('a rotated token no longer opens the workspace though its route is left behind; the new one does', async () => {
    const rotating = tenantName('sf-outbound-rotate');
    const orgId = randomId('00D');
    const first = issueOutboundToken();
    const next = issueOutboundToken();
    const settings = { tenantId: rotating, salesforceOrgId: orgId, currency: 'USD' };
    await putTenant(store, { ...settings, salesforceOutboundTokenHash: first.hash });
    await putTenant(store, { ...settings, salesforceOutboundTokenHash: next.hash });
    const urls = {
      enterpriseUrl: `https://rotate.my.salesforce.com/services/Soap/c/62.0/${orgId.slice(0, 15)}`,
      partnerUrl: `https://rotate.my.salesforce.com/services/Soap/u/62.0/${orgId.slice(0, 15)}`,
    };
    expect((await post(message(orgId, urls), `token=${first.token}`)).statusCode).toBe(403);
    expect(await storedOrders(rotating)).toEqual([]);
    expect((await post(message(orgId, urls), `token=${next.token}`)).statusCode).toBe(200);
    expect(await storedOrders(rotating)).toHaveLength(1);
  });
});
