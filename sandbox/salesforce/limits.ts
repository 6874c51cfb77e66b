/**
 * The org's daily API request allowance. Every authenticated API call counts
 * one; every answer carries `Sforce-Limit-Info: api-usage=N/LIMIT` (jsforce
 * reads it into `conn.limitInfo`); once the allowance is spent, calls answer
 * 403 REQUEST_LIMIT_EXCEEDED until the test raises the limit or resets usage.
 * `GET /limits` reports the same numbers as DailyApiRequests.
 */
import type { SandboxContext } from './context.ts';
import type { OrgState } from './org-state.ts';
import type { Reply } from './reply.ts';
import { json, requestLimitExceeded } from './reply.ts';

export function limitHeader(org: OrgState): Record<string, string> {
  return { 'Sforce-Limit-Info': `api-usage=${org.apiUsage.used}/${org.apiUsage.limit}` };
}

/** Counts one call, or throws REQUEST_LIMIT_EXCEEDED when none is left. */
export function spendApiCall(org: OrgState): void {
  if (org.apiUsage.used >= org.apiUsage.limit) throw requestLimitExceeded();
  org.apiUsage.used++;
}

export function handleLimits(ctx: SandboxContext): Reply {
  const { used, limit } = ctx.org.apiUsage;
  const allowance = (max: number, usedNow = 0) => ({ Max: max, Remaining: Math.max(0, max - usedNow) });
  return json(200, {
    DailyApiRequests: allowance(limit, used),
    DailyBulkV2QueryJobs: allowance(10_000),
    DailyBulkV2QueryFileStorageMB: allowance(976_562),
    DailyBulkApiBatches: allowance(15_000),
    DailyAsyncApexExecutions: allowance(250_000),
    DataStorageMB: allowance(5),
    FileStorageMB: allowance(20),
    HourlyODataCallout: allowance(10_000),
    HourlyTimeBasedWorkflow: allowance(1_000),
  });
}
