/** What a change event's handling is given, and what it reports per record and per event. */
import type { Connection } from 'jsforce';
import type { IntakeContext } from './ingest-reading.ts';
import type { SalesforceOrderObject } from './order-from-salesforce.ts';

export interface ChangeEventContext extends IntakeContext {
  /** The tenant's org connection; asked for only when records must be read, once per event. */
  connect: () => Promise<Connection>;
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

/** Records ingested at once unless the context says otherwise. */
export const concurrencyOf = (ctx: ChangeEventContext) => ctx.concurrency ?? 8;
