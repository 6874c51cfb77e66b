/**
 * The one loop that empties a tenant's outbox into a CRM, on the model of
 * Powertools' processPartialResponse: the loop reads the entries a page at a
 * time, skips dead letters, hands the rest to the CRM's batch writer a chunk
 * at a time, and settles each entry by what the writer reports for it. A
 * written entry is removed only if no newer score replaced it meanwhile; a
 * failed one keeps its entry, with the reason, for the next flush. The
 * writer only writes: it never touches the outbox, so every CRM settles the
 * same way.
 */
import { logCustomerId } from '../log-ids.ts';
import type { PendingWrite } from '../store/outbox.ts';
import { SETTLE_CONCURRENCY, isDeadLetter } from '../store/outbox.ts';
import type { CrmTarget } from '../store/scores.ts';
import type { TenantStore } from '../store/tenant-store.ts';
import { mapLimited } from './map-limited.ts';

/** An entry and where it goes in the CRM (a record id, the inputs of a call). */
export interface Addressed<A> {
  entry: PendingWrite;
  address: A;
}

/** What became of one entry's write: null when it was written, else the reason a person can act on. */
export interface WriteResult<A> {
  item: Addressed<A>;
  failure: string | null;
}

export type Settle<A> = (results: readonly WriteResult<A>[]) => Promise<void>;

export interface BatchWriter<A> {
  /** Where the entry goes; undefined when the customer has no record there (it is settled unwritten). */
  address(entry: PendingWrite): A | undefined;
  /** Entries written per round: bounds memory. */
  chunkSize: number;
  /** Writes a chunk, calling `settle` with each part's results as soon as they are known. */
  write(chunk: readonly Addressed<A>[], settle: Settle<A>): Promise<void>;
  /** Told of each entry written and settled (for the CRM's own counts). */
  written?(item: Addressed<A>): void;
}

export interface FlushCounts {
  /** Entries written and settled. */
  written: number;
  /** Entries whose write failed this time (kept, with the reason, for the next flush). */
  failed: number;
  /** Entries given up on after repeated failures: kept in the table with their reason, not sent again. */
  deadLetters: number;
  /** Entries replaced by a newer score while being written: left for the next flush. */
  superseded: number;
}

export type FlushLog = (message: string, detail: Record<string, unknown>) => void;

export async function flushOutbox<A>(
  ts: TenantStore,
  target: CrmTarget,
  writeBatch: BatchWriter<A>,
  log: FlushLog = () => {},
): Promise<FlushCounts> {
  const counts: FlushCounts = { written: 0, failed: 0, deadLetters: 0, superseded: 0 };
  const settle: Settle<A> = (results) =>
    mapLimited(results, SETTLE_CONCURRENCY, async ({ item, failure }) => {
      if (failure !== null) {
        counts.failed++;
        log('write-back failed', {
          tenantId: ts.tenantId,
          customer: logCustomerId(item.entry.customerId),
          reason: failure,
        });
        await ts.outbox.recordFailure(item.entry, failure);
      } else if (await ts.outbox.settle(item.entry)) {
        counts.written++;
        writeBatch.written?.(item);
      } else counts.superseded++;
    }).then(() => undefined);

  let chunk: Addressed<A>[] = [];
  for await (const page of ts.outbox.pages(target)) {
    for (const entry of page) {
      if (isDeadLetter(entry)) {
        counts.deadLetters++;
        continue;
      }
      const address = writeBatch.address(entry);
      if (address === undefined) {
        // No record of this customer in the CRM (any more, after a merge): nothing to write there.
        await ts.outbox.settle(entry);
        continue;
      }
      chunk.push({ entry, address });
      if (chunk.length === writeBatch.chunkSize) {
        await writeBatch.write(chunk, settle);
        chunk = [];
      }
    }
  }
  if (chunk.length) await writeBatch.write(chunk, settle);
  return counts;
}
