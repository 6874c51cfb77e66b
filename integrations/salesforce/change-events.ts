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
import type { Connection } from 'jsforce';
import { isPermanent } from '../../shared/errors.ts';
import { mapLimited } from '../../shared/pipeline/map-limited.ts';
import { tenantStore } from '../../shared/store/tenant-store.ts';
import { cancelDeleted } from './change-delete.ts';
import type { ChangeEvent, ChangeType } from './change-event-schema.ts';
import type { ChangeEventContext, ChangeEventOutcome, ChangeRecordOutcome } from './change-event-types.ts';
import { concurrencyOf } from './change-event-types.ts';
import { rereadOpportunities, rereadOrders } from './change-reread.ts';
import type { SalesforceOrderObject } from './order-from-salesforce.ts';
import { salesforceId18 } from './salesforce-ids.ts';

export {
  ChangeEventError,
  CHANGE_TYPES,
  ChangeEventHeaderSchema,
  RelayedChangeEventSchema,
  orgIdFromSource,
  parseChangeEvent,
} from './change-event-schema.ts';
export type { ChangeEvent, ChangeType } from './change-event-schema.ts';
export type { ChangeEventContext, ChangeEventOutcome, ChangeRecordOutcome } from './change-event-types.ts';

/** The delivery key of a change event in the store. */
export const changeEventKey = (event: ChangeEvent) => `salesforce-cdc:${event.eventId}`;

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
  const events = tenantStore(ctx.store, ctx.tenant.tenantId).events;
  if (await events.has(key)) return { status: 'duplicate', records: [] };

  const records: ChangeRecordOutcome[] = [];
  const unique = new Set<string>();
  for (const id of event.recordIds) {
    try {
      unique.add(salesforceId18(id, 'recordIds', sObject));
    } catch (error) {
      if (!isPermanent(error)) throw error;
      const { message, name } = error as Error;
      records.push({ sObjectType: sObject, recordId: id, action: 'rejected', reason: message, error: name });
    }
  }

  const ids = [...unique];
  if (DELETED.has(event.changeType)) {
    records.push(
      ...(await mapLimited(ids, concurrencyOf(ctx), (id) =>
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
  await events.record(key, ctx.now);
  return { status: 'processed', records };
}
