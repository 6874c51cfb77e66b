/**
 * A Salesforce Change Data Capture event as Event Relay delivers it to
 * EventBridge, validated and reduced to what the intake needs: the org and
 * channel from the source, the change header, and the delivery key. The shape
 * is described in change-events.ts, which acts on it.
 */
import { BadRequestError } from '../../shared/errors.ts';
import * as z from 'zod';
import { salesforceId18 } from './salesforce-ids.ts';

export class ChangeEventError extends BadRequestError {
  override name = 'ChangeEventError';
}

export const CHANGE_TYPES = [
  'CREATE',
  'UPDATE',
  'DELETE',
  'UNDELETE',
  'GAP_CREATE',
  'GAP_UPDATE',
  'GAP_DELETE',
  'GAP_UNDELETE',
  'GAP_OVERFLOW',
] as const;

export type ChangeType = (typeof CHANGE_TYPES)[number];

/** A record id, or the wildcard of a field type conversion (`801*`: every record of the object). */
const RECORD_ID = /^(?:[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?|[0-9A-Za-z]{3}\*)$/;
const SOURCE = /^aws\.partner\/salesforce\.com\/([^/]+)\/([^/]+)$/;
const CHANNEL_ID = /^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$/;

/** Epoch milliseconds: a number (Avro long), digits, or an ISO date-time. */
const epochMs = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .regex(/^\d{1,15}$/)
    .transform(Number),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);

export const ChangeEventHeaderSchema = z.looseObject({
  entityName: z.string().min(1),
  /** Empty for GAP_OVERFLOW, which names no records. */
  recordIds: z.array(z.string().regex(RECORD_ID, 'expected Salesforce record ids')).default([]),
  changeType: z.enum(CHANGE_TYPES),
  changedFields: z.array(z.string()).default([]),
  nulledFields: z.array(z.string()).optional(),
  diffFields: z.array(z.string()).optional(),
  changeOrigin: z.string().optional(),
  transactionKey: z.string().optional(),
  sequenceNumber: z.number().int().optional(),
  commitTimestamp: epochMs,
  commitNumber: z.union([z.number(), z.string()]).optional(),
  commitUser: z.string().optional(),
});

/** The EventBridge envelope of a change event relayed by Salesforce Event Relay. */
export const RelayedChangeEventSchema = z.looseObject({
  version: z.string().optional(),
  /** EventBridge's id for this delivery: the same on EventBridge's retries, new on a relay's resend. */
  id: z.string().min(1),
  'detail-type': z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'expected a change event channel name'),
  source: z.string().regex(SOURCE, 'expected aws.partner/salesforce.com/<orgId>/<channelId>'),
  account: z.string().optional(),
  time: z.string().optional(),
  region: z.string().optional(),
  resources: z.array(z.string()).optional(),
  detail: z.looseObject({
    payload: z.looseObject({
      ChangeEventHeader: ChangeEventHeaderSchema,
      EventUuid: z.string().optional(),
    }),
    schemaId: z.string().optional(),
    event: z
      .looseObject({
        replayId: z
          .union([z.string(), z.number().int().nonnegative().transform(String)])
          .pipe(z.string().regex(/^[0-9A-Za-z+/=_-]{1,200}$/, 'expected a replay id'))
          .optional(),
        EventUuid: z
          .string()
          .regex(/^[0-9A-Za-z-]{1,100}$/, 'expected a UUID')
          .optional(),
      })
      .optional(),
  }),
});

/** A change event as clv-sync uses it. */
export interface ChangeEvent {
  /** The org that published it, from `source`, as 18 characters. */
  orgId: string;
  /** The relay's channel (the second id in `source`). */
  channelId: string;
  /** `detail-type`: the change event's name, e.g. OrderChangeEvent. */
  channel: string;
  entityName: string;
  changeType: ChangeType;
  /** As sent: 15 or 18 characters, or a wildcard. */
  recordIds: string[];
  changedFields: string[];
  /** When the change was committed, epoch milliseconds. */
  commitTimestamp: number;
  transactionKey?: string;
  sequenceNumber?: number;
  /** The delivery key this event is deduplicated on. */
  eventId: string;
  eventUuid?: string;
  replayId?: string;
}

/** The org id in a relayed event's source (`aws.partner/salesforce.com/<orgId>/<channelId>`), as 18 characters. */
export function orgIdFromSource(source: string): string {
  const m = SOURCE.exec(source);
  if (!m)
    throw new ChangeEventError(`source ${JSON.stringify(source)} is not a Salesforce Event Relay source`);
  try {
    return salesforceId18(m[1]!, 'source org id', 'Organization');
  } catch (error) {
    throw new ChangeEventError(`source ${JSON.stringify(source)}: ${(error as Error).message}`);
  }
}

/** A relayed event as a ChangeEvent, or ChangeEventError naming what is wrong with it. */
export function parseChangeEvent(event: unknown): ChangeEvent {
  const parsed = RelayedChangeEventSchema.safeParse(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map(String).join('.') || 'the event';
    const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more)` : '';
    throw new ChangeEventError(`not a relayed change event: ${path}: ${issue?.message ?? 'invalid'}${more}`);
  }
  const e = parsed.data;
  const orgId = orgIdFromSource(e.source);
  const channelId = SOURCE.exec(e.source)![2]!;
  if (!CHANNEL_ID.test(channelId))
    throw new ChangeEventError(`source ${JSON.stringify(e.source)}: ${channelId} is not a channel id`);
  const header = e.detail.payload.ChangeEventHeader;
  const uuid = e.detail.event?.EventUuid ?? e.detail.payload.EventUuid;
  const eventUuid = uuid && /^[0-9A-Za-z-]{1,100}$/.test(uuid) ? uuid : undefined;
  const replayId = e.detail.event?.replayId;
  return {
    orgId,
    channelId,
    channel: e['detail-type'],
    entityName: header.entityName,
    changeType: header.changeType,
    recordIds: header.recordIds,
    changedFields: header.changedFields,
    commitTimestamp: header.commitTimestamp,
    transactionKey: header.transactionKey,
    sequenceNumber: header.sequenceNumber,
    eventId: eventUuid
      ? `uuid:${eventUuid}`
      : replayId
        ? `replay:${channelId}:${replayId}`
        : `eventbridge:${e.id}`,
    eventUuid,
    replayId,
  };
}

// --- ingestion ----------------------------------------------------------------------------------------
