/**
 * BatchWriteItem and BatchGetItem at their limits (25 writes, 100 reads a
 * call), resending what DynamoDB leaves unprocessed with exponential backoff,
 * as AWS asks of every batch caller.
 */
import { BatchGetCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Key } from './keys.ts';
import type { Store } from './store.ts';

export class UnprocessedItemsError extends Error {
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

export async function batchWrite(store: Store, requests: readonly WriteRequest[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < requests.length) {
      const batch = requests.slice(next, next + 25);
      next += 25;
      await writeBatch(store, batch);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

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
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < wanted.length) {
      const batch = wanted.slice(next, next + 100);
      next += 100;
      found.push(...(await getBatch(store, batch, consistent)));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return found;
}
