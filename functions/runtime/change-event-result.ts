/**
 * What the Salesforce change event function answers and logs for one relayed event: its status, the counts
 * by record outcome and each record's outcome, with a log line for each record not stored as it came.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { ChangeEventOutcome, ChangeRecordOutcome } from '../../integrations/salesforce/change-events.ts';

export interface SalesforceEventResult {
  /**
   * processed: its records were handled; duplicate: handled before, nothing done; ignored: nothing to do
   * (another object, no record ids); rejected: not a change event clv-sync reads, or from an org linked to
   * no workspace, nothing read or stored.
   */
  status: ChangeEventOutcome['status'] | 'rejected';
  reason?: string;
  tenantId?: string;
  /** Orders stored: new, or a newer version. */
  stored: number;
  /** Stored orders replaced as cancelled (deleted, deactivated, reopened). */
  cancelled: number;
  /** Records whose version (or a newer one) was already stored. */
  unchanged: number;
  /** Records not stored: not a purchase, a return, not found, or rejected. */
  skipped: number;
  records: ChangeRecordOutcome[];
}

export function eventResult(
  status: SalesforceEventResult['status'],
  extra: Partial<SalesforceEventResult> = {},
): SalesforceEventResult {
  const records = extra.records ?? [];
  const count = (...actions: ChangeRecordOutcome['action'][]) =>
    records.filter((r) => actions.includes(r.action)).length;
  return {
    status,
    ...extra,
    stored: count('stored'),
    cancelled: count('cancelled'),
    unchanged: count('unchanged'),
    skipped: count('ignored', 'missing', 'rejected'),
    records,
  };
}

/** What can be said of an event that failed to parse, for the log line. */
export function envelopeOf(event: unknown): Record<string, unknown> {
  if (!event || typeof event !== 'object') return { eventType: typeof event };
  const e = event as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 200) : undefined);
  return { id: text(e.id), source: text(e.source), detailType: text(e['detail-type']) };
}

/** The event's log lines: one per record rejected, missing or ignored, then the event's own. */
export function logEventResult(
  logger: Logger,
  log: Record<string, unknown>,
  out: SalesforceEventResult,
): void {
  const { tenantId } = out;
  for (const r of out.records) {
    if (r.action === 'rejected')
      logger.warn('change event record rejected', {
        ...log,
        tenantId,
        sObjectType: r.sObjectType,
        recordId: r.recordId,
        error: r.error,
        reason: r.reason,
      });
    else if (r.action === 'missing' || r.action === 'ignored')
      logger.info(`change event record ${r.action}`, {
        ...log,
        tenantId,
        recordId: r.recordId,
        reason: r.reason,
      });
  }
  if (out.status === 'ignored') logger.warn('change event ignored', { ...log, tenantId, reason: out.reason });
  else
    logger.info('change event processed', {
      ...log,
      tenantId,
      status: out.status,
      stored: out.stored,
      cancelled: out.cancelled,
      unchanged: out.unchanged,
      skipped: out.skipped,
    });
}
