/**
 * The Salesforce paths, on one sandbox org: outbound messages
 * (createSalesforceOutboundHandler), change events relayed by EventBridge
 * (functions/salesforce-events.ts) and the write-back to Contacts
 * (functions/writeback.ts). Each case is a workspace of its own, linked to
 * an org id of its own (an org routes to one workspace), whose connected app
 * logs in to the sandbox.
 *
 * Redelivery as the senders do it: Salesforce resends an outbound message
 * that was not acknowledged, whole ("Setting Up Outbound Messaging": retried
 * for up to 24 hours); Lambda retries a failed asynchronous invocation twice,
 * then hands the event to the on-failure destination ("Asynchronous
 * invocation"); SQS redelivers a failed flush request, then dead-letters it.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSalesforceEventsHandler } from '../../../functions/salesforce-events.ts';
import { createSalesforceOutboundHandler } from '../../../functions/salesforce-outbound.ts';
import { createWritebackHandler } from '../../../functions/writeback.ts';
import { backfillSalesforceOrders } from '../../../integrations/salesforce/backfill.ts';
import { salesforceConnection } from '../../../integrations/salesforce/connection.ts';
import { CLV_FIELDS } from '../../../integrations/salesforce/fields.ts';
import { deploySalesforceSetup } from '../../../integrations/salesforce/setup.ts';
import { issueOutboundToken } from '../../../integrations/salesforce/outbound-token.ts';
import { createShopifyApp } from '../../../integrations/shopify/shopify-app.ts';
import { isDeadLetter } from '../../../shared/store/outbox.ts';
import type { PendingWrite } from '../../../shared/store/outbox.ts';
import type { OutboxEntry } from '../../../shared/store/scores.ts';
import { outboxEntries, outboxItem } from '../../../shared/store/scores.ts';
import type { TenantSettings } from '../../../shared/store/tenants.ts';
import { putTenant } from '../../../shared/store/tenants.ts';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { apiEvent } from '../../helpers/api-event.ts';
import { tenantName } from '../../helpers/dynamo.ts';
import type { OrgHistory, SalesforceSandbox } from '../../../sandbox/salesforce/index.ts';
import {
  generateOrgHistory,
  isAck,
  outboundMessage,
  startSalesforceSandbox,
  to18,
} from '../../../sandbox/salesforce/index.ts';
import { notificationsFromOrg } from '../../../sandbox/salesforce/outbound-sender.ts';
import type { Injector } from './faults.ts';
import type { AcceptedOrders } from './invariant.ts';
import { lostItems, tenantItems } from './invariant.ts';
import type { CaseResult, MatrixPath } from './world.ts';
import { drainScores, faultyConsumer, logger, NOW, sqsQueue, store } from './world.ts';

const CLIENT_ID = 'fault-matrix-connected-app';
const CLIENT_SECRET = 'fault-matrix-secret-not-real';
const secrets = async () => ({ clientSecret: CLIENT_SECRET });
const noWait = async () => {};

interface SalesforceWorld {
  sf: SalesforceSandbox;
  history: OrgHistory;
}
let world: Promise<SalesforceWorld> | undefined;

/** The one sandbox org of the run: a few Contacts and their Orders. */
export function salesforceWorld(): Promise<SalesforceWorld> {
  world ??= (async () => {
    const sf = await startSalesforceSandbox({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    const history = generateOrgHistory({
      orders: 10,
      contacts: 4,
      accounts: 2,
      seed: 151,
      currency: 'USD',
      start: '2025-06-01',
      end: '2026-05-01',
    });
    sf.org.load(history);
    return { sf, history };
  })();
  return world;
}

export async function stopSalesforceWorld(): Promise<void> {
  if (world) await (await world).sf.stop();
}

const randomOrgId = () =>
  to18(
    '00D' +
      Array.from(
        { length: 12 },
        () => '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'[Math.floor(Math.random() * 36)],
      ).join(''),
  );

/** A workspace linked to an org of its own whose connected app logs in to the sandbox. */
async function orgTenant(label: string, extra: Partial<TenantSettings> = {}) {
  const { sf } = await salesforceWorld();
  const orgId = randomOrgId();
  const tenant = await putTenant(store, {
    tenantId: tenantName(label),
    salesforceOrgId: orgId,
    salesforceGrain: 'contact',
    currency: 'USD',
    salesforce: {
      loginUrl: sf.loginUrl,
      clientId: CLIENT_ID,
      flow: 'client-credentials',
      apiVersion: sf.apiVersion,
    },
    ...extra,
  });
  return { tenant, orgId };
}

/** Activated purchases no return was made against: what is stored as it is. */
function purchases(history: OrgHistory, n: number): string[] {
  return history.orders
    .filter(
      (o) =>
        !o.IsReductionOrder && o.BillToContactId && !history.orders.some((r) => r.OriginalOrderId === o.Id),
    )
    .slice(0, n)
    .map((o) => String(o.Id));
}

/** What a clean run stored: the newest versions every case must end with. */
async function storedVersions(tenantId: string): Promise<AcceptedOrders> {
  const t = await tenantItems(store, tenantId);
  return new Map(t.orders.map((o) => [`${String(o.source)}:${String(o.orderId)}`, String(o.version)]));
}

/** The fields the deployed outbound message sends: its field list in our metadata. */
const OUTBOUND_FIELDS = [
  ...readFileSync(
    new URL('../../../integrations/salesforce/metadata/workflows/Order.workflow', import.meta.url),
    'utf8',
  ).matchAll(/<fields>([^<]+)<\/fields>/g),
].map((m) => m[1]!);
const SALESFORCE_RESENDS = 5;

function outboundPathFor(): MatrixPath {
  let expected: AcceptedOrders | undefined;
  return {
    name: 'outbound',
    async run(injector: Injector, label: string): Promise<CaseResult> {
      const { sf, history } = await salesforceWorld();
      const token = issueOutboundToken();
      const { tenant, orgId } = await orgTenant(label, { salesforceOutboundTokenHash: token.hash });
      const org15 = orgId.slice(0, 15);
      const envelope = outboundMessage({
        orgId,
        actionId: to18('04k5g000000AbCd'),
        enterpriseUrl: `${sf.instanceUrl}/services/Soap/c/${sf.apiVersion}/${org15}`,
        partnerUrl: `${sf.instanceUrl}/services/Soap/u/${sf.apiVersion}/${org15}`,
        notifications: notificationsFromOrg(sf.org, 'Order', purchases(history, 3), OUTBOUND_FIELDS),
      });
      const queue = sqsQueue(`score-${tenant.tenantId}`);
      const handler = createSalesforceOutboundHandler({
        store: injector.store(store),
        logger,
        enqueue: injector.sender('score', (m) => queue.send(m)),
        now: () => Date.now(),
      });
      const post = () =>
        handler(
          apiEvent({
            method: 'POST',
            path: '/salesforce/outbound',
            query: `token=${token.token}`,
            headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
            body: envelope,
          }),
        );
      let acked = false;
      for (let attempt = 0; attempt <= SALESFORCE_RESENDS && !acked; attempt++) {
        const out = await injector.invoke(post);
        acked = out.ok && out.value?.statusCode === 200 && isAck(String(out.value.body));
        await drainScores(queue);
      }
      if (!acked) return { lost: [], visible: ['outbound message never acknowledged'] };
      expected ??= await storedVersions(tenant.tenantId);
      return { lost: await lostItems({ store, tenantId: tenant.tenantId, now: NOW, accepted: expected }) };
    },
  };
}
export const outboundPath = outboundPathFor();

const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/salesforce/order-change-event.json', import.meta.url), 'utf8'),
) as EventBridgeEvent<'OrderChangeEvent', { payload: Record<string, unknown> }>;
let replayId = 5000;

/** An UPDATE of Orders as Event Relay puts it on the partner event bus. */
function relayed(
  orgId: string,
  recordIds: string[],
  commitTimestamp: number,
): EventBridgeEvent<string, unknown> {
  const event = structuredClone(fixture) as EventBridgeEvent<string, Record<string, unknown>>;
  event.id = randomUUID();
  event.source = `aws.partner/salesforce.com/${orgId}/${to18('0YL5g000000CaGm')}`;
  event['detail-type'] = 'OrderChangeEvent';
  event.time = new Date(commitTimestamp).toISOString().replace(/\.\d{3}Z$/, 'Z');
  event.detail = {
    ...event.detail,
    payload: {
      ChangeEventHeader: {
        ...((event.detail.payload as Record<string, unknown>).ChangeEventHeader as object),
        entityName: 'Order',
        recordIds,
        changeType: 'UPDATE',
        changedFields: ['Status', 'LastModifiedDate'],
        commitTimestamp,
        transactionKey: randomUUID(),
      },
    },
    event: { replayId: String(++replayId), EventUuid: randomUUID() },
  };
  return event;
}
/** Lambda's retries of a failed asynchronous invocation. */
const LAMBDA_ASYNC_RETRIES = 2;

function changeEventPathFor(): MatrixPath {
  let expected: AcceptedOrders | undefined;
  return {
    name: 'change-event',
    async run(injector, label): Promise<CaseResult> {
      const { sf, history } = await salesforceWorld();
      const { tenant, orgId } = await orgTenant(label);
      const queue = sqsQueue(`score-${tenant.tenantId}`);
      const handler = createSalesforceEventsHandler({
        store: injector.store(store),
        logger,
        enqueue: injector.sender('score', (m) => queue.send(m)),
        secrets,
        now: () => Date.now(),
      });
      const event = relayed(orgId, purchases(history, 2), sf.org.now());
      let ok = false;
      for (let attempt = 0; attempt <= LAMBDA_ASYNC_RETRIES && !ok; attempt++) {
        ok = (await injector.invoke(() => handler(event))).ok;
        await drainScores(queue);
      }
      if (!ok) return { lost: [], visible: [`event ${event.id} sent to the on-failure destination`] };
      expected ??= await storedVersions(tenant.tenantId);
      return { lost: await lostItems({ store, tenantId: tenant.tenantId, now: NOW, accepted: expected }) };
    },
  };
}
export const changeEventPath = changeEventPathFor();

const contactOf = (e: { identities: string[] }) =>
  e.identities.find((k) => k.startsWith('sfcontact:'))?.slice('sfcontact:'.length);

let template: Promise<OutboxEntry[]> | undefined;
/** The outbox a backfill of the org leaves: what every write-back case starts from. */
function pendingWrites(): Promise<OutboxEntry[]> {
  template ??= (async () => {
    const { tenant } = await orgTenant('fm-writeback-template');
    const { conn } = await salesforceConnection(tenant, secrets);
    // The CLV fields on Contact, as `clv salesforce setup` deploys them.
    await deploySalesforceSetup(conn, {
      outboundEndpoint: 'https://app.clv-sync.test/salesforce/outbound?token=t',
      pollIntervalMs: 5,
    });
    await backfillSalesforceOrders(store, conn, tenant, { now: NOW });
    const entries = await outboxEntries(store, tenant.tenantId, 'salesforce');
    // As entries, without the template workspace's keys.
    return entries
      .filter((e) => contactOf(e))
      .map(({ target, customerId, identities, fields, changed, scoredAt }) => ({
        target,
        customerId,
        identities,
        fields,
        changed,
        scoredAt,
      }));
  })();
  return template;
}

export const writebackPath: MatrixPath = {
  name: 'writeback',
  // The cases write the same Contacts: one at a time, so each counts its own writes.
  parallel: 1,
  async run(injector, label): Promise<CaseResult> {
    const { sf } = await salesforceWorld();
    const entries = await pendingWrites();
    const { tenant } = await orgTenant(label);
    for (const e of entries)
      await store.doc.send(new PutCommand({ TableName: store.table, Item: outboxItem(tenant.tenantId, e) }));
    const writesBefore = sf.writes.length;
    const queue = sqsQueue(`writeback-${tenant.tenantId}`, 5, 10);
    const handler = createWritebackHandler({
      store: injector.store(store),
      shopify: createShopifyApp({ apiKey: 'unused', apiSecret: 'unused', appUrl: 'https://x.test' }),
      logger,
      salesforceSecrets: secrets,
      salesforceOptions: { recordsPerCall: 2, retry: { sleep: noWait, maxAttempts: 3 } },
    });
    await queue.send({ tenantId: tenant.tenantId, target: 'salesforce' }, `${tenant.tenantId}#salesforce`);
    await queue.drain(faultyConsumer(injector, handler));
    const writes = sf.writes.slice(writesBefore).filter((w) => w.sobject === 'Contact');
    const left = (await outboxEntries(store, tenant.tenantId, 'salesforce')) as PendingWrite[];
    const lost: string[] = [];
    const visible = queue.deadLetters.map((m) => `flush request ${m.body} dead-lettered`);
    let rewritten = 0;
    for (const e of entries) {
      const id = contactOf(e)!;
      const pending = left.find((l) => l.customerId === e.customerId);
      if (pending && isDeadLetter(pending)) {
        visible.push(`${id}: ${String(pending.lastError)}`);
        continue;
      }
      for (const f of CLV_FIELDS) {
        const n = writes.filter((w) => w.id === id && w.field === f).length;
        if (n > 1) rewritten += n - 1;
        if (n === 0 && !visible.length)
          lost.push(
            `Contact ${id} ${f} never written${pending ? ` (entry pending after ${pending.attempts ?? 0} attempts, no flush queued: ${String(pending.lastError ?? 'no error')})` : ''}`,
          );
      }
    }
    return { lost, visible, rewritten };
  },
};
