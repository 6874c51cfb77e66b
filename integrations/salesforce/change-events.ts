/**
 * Salesforce Change Data Capture events for Order and Opportunity, relayed to
 * Amazon EventBridge by Salesforce Event Relay: the push-based intake path
 * beside outbound messages. A relayed event is an EventBridge envelope:
 *
 *   { "id": "…", "source": "aws.partner/salesforce.com/<orgId>/<channelId>",
 *     "detail-type": "OrderChangeEvent",
 *     "detail": {
 *       "payload": { "ChangeEventHeader": { entityName, recordIds, changeType, changedFields,
 *                    commitTimestamp, commitNumber, transactionKey, sequenceNumber, … },
 *                    …the new or changed field values },
 *       "schemaId": "…", "event": { "replayId": …, "EventUuid": "…" } } }
 *
 * An UPDATE carries only the fields that changed (and a field set to null only
 * in nulledFields), so the payload is never read as a record: the records the
 * header names are read again by SOQL, with the fields the backfill reads,
 * and go through the same mapping (readSalesforceRecord) and ingestion
 * (ingestOrder) as every other source. What each change type does:
 *
 * - CREATE, UPDATE, UNDELETE and the gap events GAP_CREATE, GAP_UPDATE,
 *   GAP_UNDELETE (changes Salesforce could not describe): the records are
 *   re-read. A purchase is stored; a stored order that stopped being one (set
 *   back to Draft, a deal reopened) is stored again as cancelled. An Order is
 *   netted of its activated reduction orders, as the backfill nets it, and a
 *   reduction order re-reads its original order so the return is netted there;
 *   the original's version then moves to its latest return's, or the netted
 *   value would lose to the version already stored.
 * - DELETE and GAP_DELETE: nothing is left to read, so the stored orders of
 *   those ids are replaced by a cancelled version (value 0) newer than the
 *   stored one, and their customers are rescored. An undelete re-reads the
 *   record and stores it at no older than the undelete's commit time.
 * - GAP_OVERFLOW (over 100,000 changes in one transaction) and wildcard ids
 *   (`801*`, a field type conversion) name no records: they are reported as
 *   ignored, for a backfill to catch up.
 *
 * Each event is deduplicated on its EventUuid (else its replay id on the
 * relay's channel), recorded after the work: an event that failed midway is
 * done again on its retry, and the store's versions keep that idempotent.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Connection } from 'jsforce';
import { ingestOrder } from '../../shared/pipeline/ingest.ts';
import { mapLimited } from '../../shared/pipeline/map-limited.ts';
import type { Enqueue } from '../../shared/pipeline/messages.ts';
import { hasEvent, recordEvent } from '../../shared/store/events.ts';
import { keys } from '../../shared/store/keys.ts';
import type { Order } from '../../shared/store/order.ts';
import { OrderSchema } from '../../shared/store/order.ts';
import type { Store } from '../../shared/store/store.ts';
import type { TenantSettings } from '../../shared/store/tenants.ts';
import { OPPORTUNITY_SELECT, ORDER_SELECT, queryRecords } from './backfill.ts';
import type { SalesforceOrderObject } from './order-from-salesforce.ts';
import { readSalesforceRecord, salesforceOrderId } from './order-from-salesforce.ts';
import { isPermanentRecordError } from './outbound-notifications.ts';
import { salesforceId18 } from './salesforce-ids.ts';

/** The relayed event is not a Change Data Capture event clv-sync reads; nothing in it is used. */
import type { ChangeEvent, ChangeType } from './change-event-schema.ts';

export {
  ChangeEventError,
  CHANGE_TYPES,
  ChangeEventHeaderSchema,
  RelayedChangeEventSchema,
  orgIdFromSource,
  parseChangeEvent,
} from './change-event-schema.ts';
export type { ChangeEvent, ChangeType } from './change-event-schema.ts';

export interface ChangeEventContext {
  store: Store;
  tenant: TenantSettings;
  enqueue: Enqueue;
  /** The tenant's org connection; asked for only when records must be read, once per event. */
  connect: () => Promise<Connection>;
  now: number;
  /** Records ingested at once (each is a few DynamoDB calls). */
  concurrency?: number;
}

export interface ChangeRecordOutcome {
  sObjectType: SalesforceOrderObject;
  recordId: string;
  /**
   * stored: a new or newer version; unchanged: this version or a newer one was already stored;
   * cancelled: a stored order stopped being a purchase or was deleted; ignored: not a purchase and never
   * stored, or a reduction order (its original order is re-read); missing: not found when re-read
   * (deleted since, or not visible to the integration user); rejected: unusable, see reason.
   */
  action: 'stored' | 'unchanged' | 'cancelled' | 'ignored' | 'missing' | 'rejected';
  customerId?: string;
  reason?: string;
  /** The error's name, for rejections. */
  error?: string;
}

export interface ChangeEventOutcome {
  /** processed: the records were handled (see records); duplicate: seen before; ignored: nothing to do. */
  status: 'processed' | 'duplicate' | 'ignored';
  reason?: string;
  records: ChangeRecordOutcome[];
}

/** The delivery key of a change event in the store. */
export const changeEventKey = (event: ChangeEvent) => `salesforce-cdc:${event.eventId}`;

/** Ids per SOQL `IN (…)`: Salesforce's own batches are 200 records, and the query stays short. */
export const SOQL_ID_BATCH = 200;

const READ_OBJECTS: readonly string[] = ['Order', 'Opportunity'] satisfies SalesforceOrderObject[];
const REREAD: ReadonlySet<ChangeType> = new Set([
  'CREATE',
  'UPDATE',
  'UNDELETE',
  'GAP_CREATE',
  'GAP_UPDATE',
  'GAP_UNDELETE',
]);
const DELETED: ReadonlySet<ChangeType> = new Set(['DELETE', 'GAP_DELETE']);
const UNDELETED: ReadonlySet<ChangeType> = new Set(['UNDELETE', 'GAP_UNDELETE']);

const union = (...lists: (readonly string[])[]) => [...new Set(lists.flat())];

/**
 * What a changed record is read with: the backfill's fields (the Opportunity's primary contact role
 * subquery included), SystemModstamp (a version moves with it too), and for Orders what tells a return
 * apart.
 */
export const ORDER_FIELDS = union(ORDER_SELECT, ['SystemModstamp', 'IsReductionOrder', 'OriginalOrderId']);
export const OPPORTUNITY_FIELDS = union(OPPORTUNITY_SELECT, ['SystemModstamp', 'StageName']);

/** The reduction orders against some orders: activated ones (by StatusCode) are netted, every one's version counts. */
export const RETURNS_FIELDS = [
  'Id',
  'OriginalOrderId',
  'TotalAmount',
  'StatusCode',
  'LastModifiedDate',
  'SystemModstamp',
];

const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** `SELECT <fields> FROM <sObject> WHERE <extra><field> IN ('<id>', …)`, for one batch of checked ids. */
export function selectWhereInSoql(
  sObject: string,
  fields: readonly string[],
  field: string,
  ids: readonly string[],
  extra = '',
): string {
  // Ids are checked to be 18 letters and digits before they get here: nothing to escape.
  return `SELECT ${fields.join(', ')} FROM ${sObject} WHERE ${extra}${field} IN (${ids.map((id) => `'${id}'`).join(', ')})`;
}

/** The filter of the returns query: reduction orders only. */
export const RETURNS_FILTER = 'IsReductionOrder = true AND ';

/** Records by id, `SELECT … WHERE <field> IN (…)` in batches of SOQL_ID_BATCH. */
async function selectWhereIn(
  conn: Connection,
  sObject: string,
  fields: readonly string[],
  field: string,
  ids: readonly string[],
  extra = '',
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  const stats = { pages: 0 };
  for (const batch of chunks(ids, SOQL_ID_BATCH)) {
    const soql = selectWhereInSoql(sObject, fields, field, batch, extra);
    for await (const record of queryRecords(conn, soql, stats)) out.push(record);
  }
  return out;
}

/** The later of LastModifiedDate and SystemModstamp, epoch ms, or NaN. */
function versionMs(record: Record<string, unknown>): number {
  const stamps = [record.LastModifiedDate, record.SystemModstamp]
    .filter((v): v is string => typeof v === 'string' && v !== '')
    .map((v) => Date.parse(v))
    .filter(Number.isFinite);
  return stamps.length ? Math.max(...stamps) : NaN;
}

/**
 * Does what a change event says for the tenant's orders, once per event:
 * a duplicate is recognised without reading anything. Failures of our own or
 * of Salesforce (DynamoDB, a 5xx, the network) are thrown before the event is
 * recorded, so its retry does the work again.
 */
export async function ingestChangeEvent(
  ctx: ChangeEventContext,
  event: ChangeEvent,
): Promise<ChangeEventOutcome> {
  if (!READ_OBJECTS.includes(event.entityName))
    return {
      status: 'ignored',
      reason: `a change to ${event.entityName}: clv-sync reads Order and Opportunity change events only; remove ${event.channel} from the relay's channel`,
      records: [],
    };
  const sObject = event.entityName as SalesforceOrderObject;
  if (event.changeType === 'GAP_OVERFLOW' || event.recordIds.some((id) => id.endsWith('*')))
    return {
      status: 'ignored',
      reason:
        `${event.changeType} on ${sObject} names no records (${event.recordIds.join(', ') || 'none'}): ` +
        'the changes are not in the event; run a Salesforce backfill to catch up',
      records: [],
    };

  const key = changeEventKey(event);
  if (await hasEvent(ctx.store, ctx.tenant.tenantId, key)) return { status: 'duplicate', records: [] };

  const records: ChangeRecordOutcome[] = [];
  const unique = new Set<string>();
  for (const id of event.recordIds) {
    try {
      unique.add(salesforceId18(id, 'recordIds', sObject));
    } catch (error) {
      if (!isPermanentRecordError(error)) throw error;
      records.push({
        sObjectType: sObject,
        recordId: id,
        action: 'rejected',
        reason: error.message,
        error: error.name,
      });
    }
  }

  const ids = [...unique];
  if (DELETED.has(event.changeType)) {
    records.push(
      ...(await mapLimited(ids, ctx.concurrency ?? 8, (id) =>
        cancelDeleted(ctx, sObject, id, event.commitTimestamp),
      )),
    );
  } else if (REREAD.has(event.changeType) && ids.length) {
    let conn: Promise<Connection> | undefined;
    const connection = () => (conn ??= ctx.connect());
    const floor = UNDELETED.has(event.changeType) ? event.commitTimestamp : 0;
    records.push(
      ...(sObject === 'Order'
        ? await rereadOrders(ctx, connection, ids, floor)
        : await rereadOpportunities(ctx, connection, ids, floor)),
    );
  }

  // Recorded after the work: an event that failed midway is handled again on its retry.
  await recordEvent(ctx.store, ctx.tenant.tenantId, key, ctx.now);
  return { status: 'processed', records };
}

/** A record re-read, to ingest: at no older a version than `floorMs`, and with its returns netted. */
interface Reread {
  sObject: SalesforceOrderObject;
  id: string;
  record: Record<string, unknown>;
  refunded?: number;
  floorMs: number;
}

async function rereadOpportunities(
  ctx: ChangeEventContext,
  connection: () => Promise<Connection>,
  ids: string[],
  floorMs: number,
): Promise<ChangeRecordOutcome[]> {
  const found = await selectWhereIn(await connection(), 'Opportunity', OPPORTUNITY_FIELDS, 'Id', ids);
  const byId = new Map(found.map((r) => [salesforceId18(String(r.Id), 'Id'), r]));
  return mapLimited(ids, ctx.concurrency ?? 8, async (id): Promise<ChangeRecordOutcome> => {
    const record = byId.get(id);
    if (!record) return missingRecord('Opportunity', id);
    return ingestReread(ctx, { sObject: 'Opportunity', id, record, floorMs });
  });
}

/**
 * Orders re-read with their returns. A reduction order is not stored: its
 * original order is re-read instead, netted of every activated return, at
 * the version of its latest return when that is newer.
 */
async function rereadOrders(
  ctx: ChangeEventContext,
  connection: () => Promise<Connection>,
  ids: string[],
  floorMs: number,
): Promise<ChangeRecordOutcome[]> {
  const conn = await connection();
  const outcomes: ChangeRecordOutcome[] = [];
  const byId = new Map<string, Record<string, unknown>>();
  for (const r of await selectWhereIn(conn, 'Order', ORDER_FIELDS, 'Id', ids))
    byId.set(salesforceId18(String(r.Id), 'Id'), r);

  const purchases = new Map<string, { record: Record<string, unknown>; floorMs: number }>();
  const originals = new Set<string>();
  for (const id of ids) {
    const record = byId.get(id);
    if (!record) {
      outcomes.push(missingRecord('Order', id));
      continue;
    }
    if (record.IsReductionOrder !== true && record.IsReductionOrder !== 'true') {
      purchases.set(id, { record, floorMs });
      continue;
    }
    const original = typeof record.OriginalOrderId === 'string' ? record.OriginalOrderId : '';
    if (!original) {
      outcomes.push({
        sObjectType: 'Order',
        recordId: id,
        action: 'ignored',
        reason: 'a reduction order with no OriginalOrderId: there is no order to net it from',
      });
      continue;
    }
    const originalId = salesforceId18(original, 'OriginalOrderId', 'Order');
    originals.add(originalId);
    outcomes.push({
      sObjectType: 'Order',
      recordId: id,
      action: 'ignored',
      reason: `a reduction order (a return): ${salesforceOrderId('Order', originalId)} is re-read with its returns netted`,
    });
  }
  // The originals of returns that were not in the event themselves.
  const unread = [...originals].filter((id) => !purchases.has(id) && !ids.includes(id));
  const fetched = new Map<string, Record<string, unknown>>();
  for (const r of await selectWhereIn(conn, 'Order', ORDER_FIELDS, 'Id', unread))
    fetched.set(salesforceId18(String(r.Id), 'Id'), r);
  for (const id of unread) {
    const record = fetched.get(id);
    if (record) purchases.set(id, { record, floorMs: 0 });
    else outcomes.push(missingRecord('Order', id));
  }

  // Every return against the orders to store: activated ones are netted; any one's change moves the version.
  const returns = await selectWhereIn(
    conn,
    'Order',
    RETURNS_FIELDS,
    'OriginalOrderId',
    [...purchases.keys()],
    RETURNS_FILTER,
  );
  const refunded = new Map<string, number>();
  const latestReturn = new Map<string, number>();
  for (const r of returns) {
    const original = salesforceId18(String(r.OriginalOrderId), 'OriginalOrderId', 'Order');
    const at = versionMs(r);
    if (Number.isFinite(at)) latestReturn.set(original, Math.max(latestReturn.get(original) ?? 0, at));
    if (r.StatusCode === 'Activated')
      refunded.set(original, (refunded.get(original) ?? 0) + Math.abs(Number(r.TotalAmount) || 0));
  }

  outcomes.push(
    ...(await mapLimited([...purchases], ctx.concurrency ?? 8, ([id, { record, floorMs: floor }]) =>
      ingestReread(ctx, {
        sObject: 'Order',
        id,
        record,
        refunded: refunded.get(id),
        floorMs: Math.max(floor, latestReturn.get(id) ?? 0),
      }),
    )),
  );
  return outcomes;
}

const missingRecord = (sObjectType: SalesforceOrderObject, recordId: string): ChangeRecordOutcome => ({
  sObjectType,
  recordId,
  action: 'missing',
  reason:
    'not found when read again: deleted since (its delete event cancels it) or not visible to the integration user',
});

/** At least `floorMs` as its version: a change elsewhere (a return, an undelete) moved this order. */
function atLeast(order: Order, floorMs: number): Order {
  return floorMs > Date.parse(order.version) ? { ...order, version: new Date(floorMs).toISOString() } : order;
}

async function ingestReread(ctx: ChangeEventContext, r: Reread): Promise<ChangeRecordOutcome> {
  const base = { sObjectType: r.sObject, recordId: r.id };
  try {
    const reading = readSalesforceRecord(
      r.record,
      r.sObject,
      ctx.tenant,
      r.refunded ? { refunded: r.refunded } : {},
    );
    if (reading.kind === 'purchase') {
      const recorded = await ingestOrder(
        ctx.store,
        ctx.tenant,
        atLeast(reading.order, r.floorMs),
        ctx.enqueue,
        ctx.now,
      );
      return {
        ...base,
        action: recorded.status === 'stored' ? 'stored' : 'unchanged',
        customerId: recorded.customerId,
      };
    }
    if (reading.cancelled && (await storedOwner(ctx.store, ctx.tenant.tenantId, reading.cancelled.orderId))) {
      const recorded = await ingestOrder(
        ctx.store,
        ctx.tenant,
        atLeast(reading.cancelled, r.floorMs),
        ctx.enqueue,
        ctx.now,
      );
      return {
        ...base,
        action: recorded.status === 'stored' ? 'cancelled' : 'unchanged',
        customerId: recorded.customerId,
        reason: reading.reason,
      };
    }
    return { ...base, action: 'ignored', reason: reading.reason };
  } catch (error) {
    if (!isPermanentRecordError(error)) throw error;
    return { ...base, action: 'rejected', reason: error.message, error: error.name };
  }
}

/** The owner item of a stored order: who has it, at which version. */
async function storedOwner(
  store: Store,
  tenantId: string,
  orderId: string,
): Promise<{ customerId: string; versionMs: number } | undefined> {
  const { pk, sk } = keys.orderOwner(tenantId, 'salesforce', orderId);
  const out = await store.doc.send(
    new GetCommand({ TableName: store.table, Key: { pk, sk }, ConsistentRead: true }),
  );
  return out.Item as { customerId: string; versionMs: number } | undefined;
}

/**
 * A deleted record's stored order, replaced by a cancelled version: at the
 * delete's commit time, or a millisecond after the stored version if that is
 * later, so it always wins over what is stored.
 */
async function cancelDeleted(
  ctx: ChangeEventContext,
  sObject: SalesforceOrderObject,
  id: string,
  commitTimestamp: number,
): Promise<ChangeRecordOutcome> {
  const base = { sObjectType: sObject, recordId: id };
  const orderId = salesforceOrderId(sObject, id);
  const owner = await storedOwner(ctx.store, ctx.tenant.tenantId, orderId);
  if (!owner) return { ...base, action: 'ignored', reason: 'deleted, and never stored: nothing to cancel' };
  const { pk, sk } = keys.order(ctx.tenant.tenantId, owner.customerId, 'salesforce', orderId);
  const out = await ctx.store.doc.send(
    new GetCommand({ TableName: ctx.store.table, Key: { pk, sk }, ConsistentRead: true }),
  );
  const stored = out.Item;
  if (!stored) return { ...base, action: 'ignored', reason: 'deleted; its stored order moved meanwhile' };
  if (stored.cancelled === true)
    return {
      ...base,
      action: 'unchanged',
      customerId: owner.customerId,
      reason: 'deleted; already stored as cancelled',
    };
  const order = OrderSchema.parse({
    source: 'salesforce',
    orderId,
    version: new Date(Math.max(commitTimestamp, Number(owner.versionMs) + 1)).toISOString(),
    customer: stored.customer,
    placedAt: stored.placedAt,
    value: 0,
    refunded: 0,
    currency: stored.currency,
    margin: null,
    cancelled: true,
  });
  const recorded = await ingestOrder(ctx.store, ctx.tenant, order, ctx.enqueue, ctx.now);
  return {
    ...base,
    action: recorded.status === 'stored' ? 'cancelled' : 'unchanged',
    customerId: recorded.customerId,
    reason: 'deleted in Salesforce',
  };
}
