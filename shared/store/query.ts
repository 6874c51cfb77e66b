/** Query, page by page: the one pagination loop every repository uses; and the one consistent read of an item. */
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Key } from './keys.ts';
import { keyOf } from './keys.ts';
import type { Store } from './store.ts';

/** Items come back as stored; `T` names what the caller's key condition selects. */
export async function* queryPages<T = Record<string, unknown>>(
  store: Store,
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
): AsyncGenerator<T[]> {
  let start: Record<string, unknown> | undefined;
  do {
    const out = await store.doc.send(
      new QueryCommand({ ...input, TableName: store.table, ExclusiveStartKey: start }),
    );
    yield (out.Items ?? []) as T[];
    start = out.LastEvaluatedKey;
  } while (start);
}

export async function queryAll(
  store: Store,
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of queryPages(store, input)) items.push(...page);
  return items;
}

/** One item by its primary key, strongly consistent (a check that decides a write must see the last one). */
export async function getItem<T = Record<string, unknown>>(store: Store, key: Key): Promise<T | undefined> {
  const out = await store.doc.send(
    new GetCommand({ TableName: store.table, Key: keyOf(key), ConsistentRead: true }),
  );
  return out.Item as T | undefined;
}
