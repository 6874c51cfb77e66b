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
import { createSalesforceEventsHandler } from '../../../functions/salesforce-events.ts';
import { createSalesforceOutboundHandler } from '../../../functions/salesforce-outbound.ts';
import { CLV_FIELDS } from '../../../integrations/salesforce/fields.ts';
import { issueOutboundToken } from '../../../integrations/salesforce/outbound-token.ts';
import { isDeadLetter } from '../../../shared/store/outbox.ts';
import type { PendingWrite } from '../../../shared/store/outbox.ts';
import type { OutboxEntry } from '../../../shared/store/scores.ts';
import { outboxEntries, outboxItem } from '../../../shared/store/scores.ts';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { TenantSettings } from '../../../shared/store/tenants.ts';
import type { OrgHistory } from '../../../sandbox/salesforce/index.ts';
import { isAck, outboundMessage, to18 } from '../../../sandbox/salesforce/index.ts';
import { notificationsFromOrg } from '../../../sandbox/salesforce/outbound-sender.ts';
import type { SalesforceWorld } from '../../worlds/salesforce.ts';
import {
  callbackUrls,
  changeEvent,
  contactOf,
  deliverOutbound,
  OUTBOUND_FIELDS,
  salesforceWriteback,
  startSalesforceWorld,
} from '../../worlds/salesforce.ts';
import type { Injector } from './faults.ts';
import type { AcceptedOrders } from './invariant.ts';
import { lostItems, tenantItems } from './invariant.ts';
import type { CaseResult, MatrixPath } from './world.ts';
import { drainScores, faultyConsumer, logger, NOW, sqsQueue, store } from './world.ts';

const noWait = async () => {};

let world: Promise<SalesforceWorld> | undefined;

/**
 * The one sandbox org of the run (a few Contacts and their Orders), its own workspace the template
 * the write-back cases start from; every case links a workspace of its own to an org id of its own.
 */
export function salesforceWorld(): Promise<SalesforceWorld> {
  world ??= startSalesforceWorld({
    label: 'fm-writeback-template',
    clientId: 'fault-matrix-connected-app',
    clientSecret: 'fault-matrix-secret-not-real',
    history: { orders: 10, contacts: 4, accounts: 2, seed: 151, start: '2025-06-01', end: '2026-05-01' },
    tenant: { salesforceGrain: 'contact' },
  });
  return world;
}

export async function stopSalesforceWorld(): Promise<void> {
  if (world) await (await world).stop();
}

/** A workspace linked to an org of its own whose connected app logs in to the sandbox. */
async function orgTenant(label: string, extra: Partial<TenantSettings> = {}) {
  return (await salesforceWorld()).linkTenant(label, { salesforceGrain: 'contact', ...extra });
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

const SALESFORCE_RESENDS = 5;

function outboundPathFor(): MatrixPath {
  let expected: AcceptedOrders | undefined;
  return {
    name: 'outbound',
    async run(injector: Injector, label: string): Promise<CaseResult> {
      const { sf, history } = await salesforceWorld();
      const token = issueOutboundToken();
      const { tenant, orgId } = await orgTenant(label, { salesforceOutboundTokenHash: token.hash });
      const envelope = outboundMessage({
        orgId,
        actionId: to18('04k5g000000AbCd'),
        ...callbackUrls(sf.instanceUrl, orgId, sf.apiVersion),
        notifications: notificationsFromOrg(sf.org, 'Order', purchases(history!, 3), OUTBOUND_FIELDS),
      });
      const queue = sqsQueue(`score-${tenant.tenantId}`);
      const handler = createSalesforceOutboundHandler({
        store: injector.store(store),
        logger,
        enqueue: injector.sender('score', (m) => queue.send(m)),
        now: () => Date.now(),
      });
      const post = () => deliverOutbound(handler, envelope, `token=${token.token}`);
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

/** Lambda's retries of a failed asynchronous invocation. */
const LAMBDA_ASYNC_RETRIES = 2;

function changeEventPathFor(): MatrixPath {
  let expected: AcceptedOrders | undefined;
  return {
    name: 'change-event',
    async run(injector, label): Promise<CaseResult> {
      const { sf, history, secrets } = await salesforceWorld();
      const { tenant, orgId } = await orgTenant(label);
      const queue = sqsQueue(`score-${tenant.tenantId}`);
      const handler = createSalesforceEventsHandler({
        store: injector.store(store),
        logger,
        enqueue: injector.sender('score', (m) => queue.send(m)),
        secrets,
        now: () => Date.now(),
      });
      // An UPDATE of Orders as Event Relay puts it on the partner event bus.
      const event = changeEvent({
        orgId,
        changeType: 'UPDATE',
        recordIds: purchases(history!, 2),
        changedFields: ['Status', 'LastModifiedDate'],
        commitTimestamp: sf.org.now(),
      });
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

let template: Promise<OutboxEntry[]> | undefined;
/** The outbox a backfill of the org leaves: what every write-back case starts from. */
function pendingWrites(): Promise<OutboxEntry[]> {
  template ??= (async () => {
    const { tenant, importHistory } = await salesforceWorld();
    // The CLV fields on Contact, as `clv salesforce setup` deploys them, then the org's orders.
    await importHistory(NOW);
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
    const { sf, secrets } = await salesforceWorld();
    const entries = await pendingWrites();
    const { tenant } = await orgTenant(label);
    for (const e of entries)
      await store.doc.send(new PutCommand({ TableName: store.table, Item: outboxItem(tenant.tenantId, e) }));
    const writesBefore = sf.writes.length;
    const queue = sqsQueue(`writeback-${tenant.tenantId}`, 5, 10);
    const handler = salesforceWriteback({
      store: injector.store(store),
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
