/**
 * The records a change event names, read again by SOQL and ingested: an
 * Order netted of its activated reduction orders (as the backfill nets it),
 * a reduction order standing for its original order, re-read with its
 * returns, at the version of its latest return when that is newer.
 */
import type { Connection } from 'jsforce';
import { isPermanent } from '../../shared/errors.ts';
import { mapLimited } from '../../shared/pipeline/map-limited.ts';
import type { Order } from '../../shared/store/order.ts';
import {
  OPPORTUNITY_FIELDS,
  ORDER_FIELDS,
  RETURNS_FIELDS,
  RETURNS_FILTER,
  selectWhereIn,
  versionMs,
} from './change-event-soql.ts';
import type { ChangeEventContext, ChangeRecordOutcome } from './change-event-types.ts';
import { concurrencyOf } from './change-event-types.ts';
import { ingestReading } from './ingest-reading.ts';
import type { SalesforceOrderObject } from './order-from-salesforce.ts';
import { readSalesforceRecord, salesforceOrderId } from './order-from-salesforce.ts';
import { salesforceId18 } from './salesforce-ids.ts';

/** A record re-read, to ingest: at no older a version than `floorMs`, and with its returns netted. */
interface Reread {
  sObject: SalesforceOrderObject;
  id: string;
  record: Record<string, unknown>;
  refunded?: number;
  floorMs: number;
}

/** What both re-reads are given: the event's context, the org's connection, the record ids, the version floor. */
type RereadArgs = [
  ctx: ChangeEventContext,
  connection: () => Promise<Connection>,
  ids: string[],
  floorMs: number,
];

export async function rereadOpportunities(
  ...[ctx, connection, ids, floorMs]: RereadArgs
): Promise<ChangeRecordOutcome[]> {
  const found = await selectWhereIn(await connection(), 'Opportunity', OPPORTUNITY_FIELDS, 'Id', ids);
  const byId = new Map(found.map((r) => [salesforceId18(String(r.Id), 'Id'), r]));
  return mapLimited(ids, concurrencyOf(ctx), async (id): Promise<ChangeRecordOutcome> => {
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
export async function rereadOrders(
  ...[ctx, connection, ids, floorMs]: RereadArgs
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
    ...(await mapLimited([...purchases], concurrencyOf(ctx), ([id, { record, floorMs: floor }]) =>
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
    return { ...base, ...(await ingestReading(ctx, reading, (order) => atLeast(order, r.floorMs))) };
  } catch (error) {
    if (!isPermanent(error)) throw error;
    const { message, name } = error as Error;
    return { ...base, action: 'rejected', reason: message, error: name };
  }
}
