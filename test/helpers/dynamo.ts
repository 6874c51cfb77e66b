import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { batchGet } from '../../shared/store/batch.ts';
import type { Store } from '../../shared/store/store.ts';
import { storeFromEnv } from '../../shared/store/store.ts';
import type { StoredScore } from '../../shared/store/scores.ts';
import { scorePages } from '../../shared/store/scores.ts';

/** This test file's table in the run's DynamoDB Local (test/setup/dynamodb.ts, test/setup/table-per-file.ts). */
export function testStore(): Store {
  if (!process.env.CLV_DYNAMODB_ENDPOINT)
    throw new Error(
      'CLV_DYNAMODB_ENDPOINT is not set: run through vitest (globalSetup starts DynamoDB Local)',
    );
  return storeFromEnv();
}

/** Every item in the table, by a full scan: what "nothing left behind" is checked against. */
export async function scanAll(store: Store): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await store.doc.send(new ScanCommand({ TableName: store.table, ExclusiveStartKey: start }));
    items.push(...((out.Items ?? []) as Record<string, unknown>[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/**
 * Every item of one tenant, read strongly consistent: the tenant's keys from
 * gsi1 (gsi1pk = T#tenant), then the items themselves. A full scan costs the
 * whole table: the file's own (test/setup/table-per-file.ts), which for the
 * replay file holds tens of thousands of items.
 */
export async function tenantItems(store: Store, tenantId: string): Promise<Record<string, unknown>[]> {
  const keys: { pk: string; sk: string }[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await store.doc.send(
      new QueryCommand({
        TableName: store.table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :t',
        ExpressionAttributeValues: { ':t': `T#${tenantId}` },
        ProjectionExpression: 'pk, sk',
        ExclusiveStartKey: start,
      }),
    );
    for (const i of out.Items ?? []) keys.push({ pk: String(i.pk), sk: String(i.sk) });
    start = out.LastEvaluatedKey;
  } while (start);
  return batchGet(store, keys);
}

export async function scoresOf(store: Store, tenantId: string): Promise<Map<string, StoredScore>> {
  const all = new Map<string, StoredScore>();
  for await (const page of scorePages(store, tenantId)) for (const s of page) all.set(s.customerId, s);
  return all;
}

/** A unique tenant id per test, so tests sharing the table never collide. */
export const tenantName = (label: string) => `${label}-${Math.random().toString(36).slice(2, 8)}`;

/**
 * A tenant's items and the routes naming it, sorted: what "nothing was
 * written" is checked against. Other test files write to the same table at
 * the same time, so a whole-table snapshot would see their writes.
 */
export async function tenantSnapshot(store: Store, tenantId: string): Promise<string> {
  const items = await tenantItems(store, tenantId);
  return JSON.stringify(items.map((i) => JSON.stringify(i)).sort());
}
