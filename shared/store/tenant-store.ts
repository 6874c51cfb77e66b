/**
 * One tenant's view of the table: every repository function with the store
 * and the tenant already given, grouped by what it is about. Integrations
 * reach the table through this and never through its keys or DynamoDB
 * commands (eslint.config.js enforces both), so a key layout or a condition
 * changes in shared/store/ alone.
 */
import type { DataExportContent } from './data-exports.ts';
import { deleteDataExportsOf, putDataExport } from './data-exports.ts';
import { deleteCustomer } from './deletion.ts';
import { hasEvent, recordEvent } from './events.ts';
import { customerRecord } from './customer-record.ts';
import { findCustomers, readIdentities, resolveCustomer } from './identities.ts';
import type { CustomerIdentity } from './order.ts';
import { orderOwner, storedOrder } from './order-owners.ts';
import {
  hasPendingWrites,
  outboxPages,
  pendingTargetsOf,
  recordWriteFailure,
  settleOutboxEntry,
} from './outbox.ts';
import type { RedactedPerson } from './referrer-redaction.ts';
import { redactReferrer } from './referrer-redaction.ts';
import type { CrmTarget, OutboxEntry, StoredScore } from './scores.ts';
import { outboxEntries, putScoreWithOutbox } from './scores.ts';
import type { SessionCondition } from './sessions.ts';
import { deleteSessionItem, getSessionItem, putSessionItem } from './sessions.ts';
import type { Store } from './store.ts';

export function tenantStore(store: Store, tenantId: string) {
  return {
    /** The table handle, for the pipeline functions that take it with the tenant's settings. */
    store,
    tenantId,
    orders: {
      owner: (source: string, orderId: string) => orderOwner(store, tenantId, source, orderId),
      get: (customerId: string, source: string, orderId: string) =>
        storedOrder(store, tenantId, customerId, source, orderId),
    },
    customers: {
      find: (identity: CustomerIdentity) => findCustomers(store, tenantId, identity),
      record: (customerId: string) => customerRecord(store, tenantId, customerId),
      delete: (customerId: string) => deleteCustomer(store, tenantId, customerId),
    },
    identities: {
      resolve: (identity: CustomerIdentity, now?: number) => resolveCustomer(store, tenantId, identity, now),
      of: (customerId: string) => readIdentities(store, tenantId, customerId),
    },
    scores: {
      putWithOutbox: (score: StoredScore, outbox: readonly OutboxEntry[]) =>
        putScoreWithOutbox(store, tenantId, score, outbox),
    },
    outbox: {
      pages: (target: CrmTarget, pageSize?: number) => outboxPages(store, tenantId, target, pageSize),
      entries: (target?: CrmTarget) => outboxEntries(store, tenantId, target),
      settle: (entry: OutboxEntry) => settleOutboxEntry(store, tenantId, entry),
      recordFailure: (entry: OutboxEntry, reason: string) =>
        recordWriteFailure(store, tenantId, entry, reason),
      hasPending: () => hasPendingWrites(store, tenantId),
      pendingTargetsOf: (customerId: string, targets: readonly CrmTarget[]) =>
        pendingTargetsOf(store, tenantId, customerId, targets),
    },
    events: {
      has: (eventId: string) => hasEvent(store, tenantId, eventId),
      record: (eventId: string, now?: number) => recordEvent(store, tenantId, eventId, now),
    },
    sessions: {
      put: (sessionId: string, fields: Record<string, unknown>, condition?: SessionCondition) =>
        putSessionItem(store, tenantId, sessionId, fields, condition),
      get: (sessionId: string) => getSessionItem(store, tenantId, sessionId),
      delete: (sessionId: string) => deleteSessionItem(store, tenantId, sessionId),
    },
    exports: {
      put: (exportId: string, content: DataExportContent, now: number) =>
        putDataExport(store, tenantId, exportId, content, now),
      deleteOf: (customerIds: readonly string[]) => deleteDataExportsOf(store, tenantId, customerIds),
    },
    referrers: {
      redact: (person: RedactedPerson) => redactReferrer(store, tenantId, person),
    },
  };
}

export type TenantStore = ReturnType<typeof tenantStore>;
