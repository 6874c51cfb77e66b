/**
 * Flushes a tenant's Salesforce outbox: each pending customer's CLV fields
 * on its Contact (B2C) or Account (B2B), through sObject Collections — at
 * most 200 records a call, allOrNone false, so one bad record (a deleted
 * Contact) does not block the other 199 — or, from 2,000 records, one Bulk
 * API 2.0 update job per 10,000. A failed record keeps its outbox
 * entry with the reason and is tried again on the next flush, until it is a
 * dead letter. Stops before the org's daily API limit runs out.
 */
import { TransientError } from '../../shared/errors.ts';
import type { Connection } from 'jsforce';
import type { Addressed, Settle } from '../../shared/pipeline/flush-outbox.ts';
import { flushOutbox } from '../../shared/pipeline/flush-outbox.ts';
import type { Store } from '../../shared/store/store.ts';
import { tenantStore } from '../../shared/store/tenant-store.ts';
import type { TenantSettings } from '../../shared/store/tenants.ts';
import { CLV_FIELDS, salesforceFields } from './fields.ts';
import type { TransientRetryOptions } from './transient-retry.ts';
import { withTransientRetry } from './transient-retry.ts';

/** sObject Collections' limit of records a call. */
export const RECORDS_PER_CALL = 200;

/** From this many records at once, one Bulk API 2.0 update job instead of collection calls. */
export const BULK_THRESHOLD = 2000;

/** Records read from the outbox and written per round: bounds memory. */
const CHUNK = 10_000;

/** An entry and the id of the Contact or Account it is written to. */
type Target = Addressed<string>;

/** Leave this share of the org's daily API calls to everything else the org runs. */
export const API_RESERVE = 0.1;

export class ApiLimitReachedError extends TransientError {
  override name = 'ApiLimitReachedError';
}

export interface SalesforceWritebackReport {
  records: number;
  collectionCalls: number;
  bulkJobs: number;
  failed: number;
  deadLetters: number;
  superseded: number;
}

interface SaveResult {
  id?: string;
  success: boolean;
  errors: { statusCode?: string; errorCode?: string; message: string; fields?: string[] }[];
}

export async function flushSalesforceOutbox(
  store: Store,
  conn: Connection,
  tenant: TenantSettings,
  options: {
    log?: (message: string, detail: Record<string, unknown>) => void;
    /** From this many records at once, a Bulk API 2.0 job (default BULK_THRESHOLD). */
    bulkThreshold?: number;
    bulkPollIntervalMs?: number;
    /** Records a collection call (default and at most 200): fewer for orgs whose triggers run out of CPU time. */
    recordsPerCall?: number;
    /** Retries of a collection call that failed transiently (503, 500, dropped, timed out). */
    retry?: TransientRetryOptions;
  } = {},
): Promise<SalesforceWritebackReport> {
  const grain = tenant.salesforceGrain;
  const prefix = grain === 'account' ? 'sfaccount:' : 'sfcontact:';
  const sobject = grain === 'account' ? 'Account' : 'Contact';
  const calls = { collectionCalls: 0, bulkJobs: 0 };

  const collections = async (batch: Target[], settle: Settle<string>) => {
    checkLimit(conn);
    const records = batch.map(({ entry, address }) => ({
      attributes: { type: sobject },
      Id: address,
      ...salesforceFields(entry.fields, entry.scoredAt),
    }));
    calls.collectionCalls++;
    // The PATCH jsforce's sobject().update sends, by conn.request so that each attempt gets a timeout.
    const results = await withTransientRetry(
      (timeout) =>
        conn.request<SaveResult[]>(
          {
            method: 'PATCH',
            url: '/composite/sobjects',
            body: JSON.stringify({ allOrNone: false, records }),
            headers: { 'content-type': 'application/json' },
          },
          { timeout },
        ),
      options.retry,
    );
    // Results come in request order; a failed record carries no id.
    await settle(
      batch.map((item, i) => {
        const result = results[i];
        const reason = (result?.errors ?? [])
          .map((e) => `${e.statusCode ?? e.errorCode ?? 'ERROR'}: ${e.message}`)
          .join('; ');
        return { item, failure: result?.success ? null : `sObject Collections: ${reason || 'no result'}` };
      }),
    );
  };

  const counts = await flushOutbox<string>(
    tenantStore(store, tenant.tenantId),
    'salesforce',
    {
      chunkSize: CHUNK,
      // No record of this grain to write to (a Shopify-only customer): nothing to do in Salesforce.
      address: (entry) => entry.identities.find((k) => k.startsWith(prefix))?.slice(prefix.length),
      write: async (chunk, settle) => {
        if (chunk.length >= (options.bulkThreshold ?? BULK_THRESHOLD)) {
          checkLimit(conn);
          calls.bulkJobs++;
          const failures = await bulkUpdate(conn, sobject, chunk, options.bulkPollIntervalMs);
          await settle(chunk.map((item) => ({ item, failure: failures.get(item.address) ?? null })));
          return;
        }
        const perCall = Math.min(RECORDS_PER_CALL, options.recordsPerCall ?? RECORDS_PER_CALL);
        for (let i = 0; i < chunk.length; i += perCall)
          await collections(chunk.slice(i, i + perCall), settle);
      },
    },
    options.log,
  );
  return {
    records: counts.written,
    ...calls,
    failed: counts.failed,
    deadLetters: counts.deadLetters,
    superseded: counts.superseded,
  };
}

/** From the Sforce-Limit-Info header jsforce keeps: stop while a reserve of the daily calls is left. */
function checkLimit(conn: Connection): void {
  const api = (conn as unknown as { limitInfo?: { apiUsage?: { used: number; limit: number } } }).limitInfo
    ?.apiUsage;
  if (api && api.limit > 0 && api.used >= api.limit * (1 - API_RESERVE))
    throw new ApiLimitReachedError(
      `the org has used ${api.used} of ${api.limit} daily API calls; write-back resumes when the limit resets`,
    );
}

/** A CSV cell as Bulk API 2.0 reads it: `#N/A` clears a field, text is quoted when it must be. */
function csvCell(value: string | number | null): string {
  if (value === null) return '#N/A';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * One Bulk API 2.0 update job for the chunk, waited for; the failed rows
 * (sf__Id, sf__Error) come back as record id → reason. Rows Salesforce never
 * processed count as failed, to be written on the next flush.
 */
async function bulkUpdate(
  conn: Connection,
  sobject: string,
  chunk: readonly Target[],
  pollIntervalMs = 2000,
): Promise<Map<string, string>> {
  const columns = ['Id', ...CLV_FIELDS] as const;
  const lines = [columns.join(',')];
  for (const { entry, address: id } of chunk) {
    const values = salesforceFields(entry.fields, entry.scoredAt);
    lines.push([id, ...CLV_FIELDS.map((f) => values[f])].map(csvCell).join(','));
  }
  const results = await conn.bulk2.loadAndWaitForResults({
    object: sobject,
    operation: 'update',
    input: `${lines.join('\n')}\n`,
    lineEnding: 'LF',
    pollInterval: pollIntervalMs,
    pollTimeout: 10 * 60_000,
  });
  const failures = new Map<string, string>();
  for (const row of results.failedResults as unknown as Record<string, string>[])
    failures.set(String(row.sf__Id || row.Id), `Bulk API 2.0: ${row.sf__Error}`);
  for (const row of results.unprocessedRecords as unknown as Record<string, string>[])
    failures.set(String(row.Id), 'Bulk API 2.0: not processed before the job ended');
  return failures;
}
