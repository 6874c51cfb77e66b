/**
 * Flushes a tenant's Salesforce outbox: each pending customer's CLV fields
 * on its Contact (B2C) or Account (B2B), through sObject Collections — at
 * most 200 records a call, allOrNone false, so one bad record (a deleted
 * Contact) does not block the other 199. A failed record keeps its outbox
 * entry with the reason and is tried again on the next flush, until it is a
 * dead letter. Stops before the org's daily API limit runs out.
 */
import type { Connection } from 'jsforce';
import type { PendingWrite } from '../../shared/store/outbox.ts';
import {
  isDeadLetter,
  outboxPages,
  recordWriteFailure,
  settleOutboxEntry,
} from '../../shared/store/outbox.ts';
import type { Store } from '../../shared/store/store.ts';
import type { TenantSettings } from '../../shared/store/tenants.ts';
import { salesforceFields } from './fields.ts';

/** sObject Collections' limit of records a call. */
export const RECORDS_PER_CALL = 200;

/** Leave this share of the org's daily API calls to everything else the org runs. */
export const API_RESERVE = 0.1;

export class ApiLimitReachedError extends Error {
  override name = 'ApiLimitReachedError';
}

export interface SalesforceWritebackReport {
  records: number;
  collectionCalls: number;
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
  options: { log?: (message: string, detail: Record<string, unknown>) => void } = {},
): Promise<SalesforceWritebackReport> {
  const log = options.log ?? (() => {});
  const grain = tenant.salesforceGrain;
  const prefix = grain === 'account' ? 'sfaccount:' : 'sfcontact:';
  const sobject = grain === 'account' ? 'Account' : 'Contact';
  const report: SalesforceWritebackReport = {
    records: 0,
    collectionCalls: 0,
    failed: 0,
    deadLetters: 0,
    superseded: 0,
  };
  const batch: { entry: PendingWrite; id: string }[] = [];

  const send = async () => {
    if (!batch.length) return;
    checkLimit(conn);
    const records = batch.map(({ entry, id }) => ({
      Id: id,
      ...salesforceFields(entry.fields, entry.scoredAt),
    }));
    report.collectionCalls++;
    const results = (await conn
      .sobject(sobject)
      .update(records, { allOrNone: false })) as unknown as SaveResult[];
    // Results come in request order; a failed record carries no id.
    for (const [i, { entry }] of batch.entries()) {
      const result = results[i];
      if (result?.success) {
        if (await settleOutboxEntry(store, tenant.tenantId, entry)) report.records++;
        else report.superseded++;
      } else {
        report.failed++;
        const reason = (result?.errors ?? [])
          .map((e) => `${e.statusCode ?? e.errorCode ?? 'ERROR'}: ${e.message}`)
          .join('; ');
        log('write-back failed', { tenantId: tenant.tenantId, customerId: entry.customerId, reason });
        await recordWriteFailure(
          store,
          tenant.tenantId,
          entry,
          `sObject Collections: ${reason || 'no result'}`,
        );
      }
    }
    batch.length = 0;
  };

  for await (const page of outboxPages(store, tenant.tenantId, 'salesforce')) {
    for (const entry of page) {
      if (isDeadLetter(entry)) {
        report.deadLetters++;
        continue;
      }
      const id = entry.identities.find((k) => k.startsWith(prefix))?.slice(prefix.length);
      if (!id) {
        // No record of this grain to write to (a Shopify-only customer): nothing to do in Salesforce.
        await settleOutboxEntry(store, tenant.tenantId, entry);
        continue;
      }
      batch.push({ entry, id });
      if (batch.length === RECORDS_PER_CALL) await send();
    }
  }
  await send();
  return report;
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
