/**
 * BatchWriteItem and BatchGetItem at their limits (25 writes, 100 reads a
 * call), resending what DynamoDB leaves unprocessed with exponential backoff,
 * as AWS asks of every batch caller.
 */
import { TransientError } from '../errors.ts';
import { BatchGetCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Key } from './keys.ts';
import type { Store } from './store.ts';

export class UnprocessedItemsError extends TransientError {
  override name = 'UnprocessedItemsError';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Key } };

/** Batches in flight at once: DynamoDB serves them in parallel; one at a time leaves it idle. */
const CONCURRENCY = 8;

async function writeBatch(store: Store, batch: WriteRequest[]): Promise<void> {
  let pending = batch;
  for (let attempt = 0; pending.length; attempt++) {
    if (attempt === 8)
      throw new UnprocessedItemsError(`${pending.length} writes still unprocessed after 8 attempts`);
    if (attempt) await sleep(Math.min(2000, 25 * 2 ** attempt));
    const out = await store.doc.send(new BatchWriteCommand({ RequestItems: { [store.table]: pending } }));
    pending = (out.UnprocessedItems?.[store.table] ?? []) as WriteRequest[];
  }
}

/** Runs `work` on `items` in slices of `size`, CONCURRENCY slices in flight. */
async function inSlices<T>(
  items: readonly T[],
  size: number,
  work: (slice: T[]) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const slice = items.slice(next, next + size);
      next += size;
      await work(slice);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

export const batchWrite = (store: Store, requests: readonly WriteRequest[]): Promise<void> =>
  inSlices(requests, 25, (batch) => writeBatch(store, batch));

export const putAll = (store: Store, items: readonly Record<string, unknown>[]) =>
  batchWrite(
    store,
    items.map((Item) => ({ PutRequest: { Item } })),
  );

export const deleteAll = (store: Store, keysToDelete: readonly Key[]) =>
  batchWrite(
    store,
    keysToDelete.map(({ pk, sk }) => ({ DeleteRequest: { Key: { pk, sk } } })),
  );

async function getBatch(store: Store, batch: Key[], consistent: boolean): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  let pending = batch.map(({ pk, sk }) => ({ pk, sk }));
  for (let attempt = 0; pending.length; attempt++) {
    if (attempt === 8)
      throw new UnprocessedItemsError(`${pending.length} reads still unprocessed after 8 attempts`);
    if (attempt) await sleep(Math.min(2000, 25 * 2 ** attempt));
    const out = await store.doc.send(
      new BatchGetCommand({
        RequestItems: { [store.table]: { Keys: pending, ConsistentRead: consistent } },
      }),
    );
    found.push(...((out.Responses?.[store.table] ?? []) as Record<string, unknown>[]));
    pending = (out.UnprocessedKeys?.[store.table]?.Keys ?? []) as Key[];
  }
  return found;
}

/** The items found among `wanted` (in no particular order), 100 keys a call, several calls in flight. */
export async function batchGet(
  store: Store,
  wanted: readonly Key[],
  consistent = true,
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  await inSlices(wanted, 100, async (batch) => {
    found.push(...(await getBatch(store, batch, consistent)));
  });
  return found;
}
