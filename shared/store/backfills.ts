/**
 * Progress of a tenant's history import from one source: the bulk operation
 * it waits on and how many orders of its result are recorded, so a backfill
 * cut off by a Lambda timeout or a crash resumes where it stopped.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.ts';
import type { Store } from './store.ts';

export interface BackfillState {
  source: 'shopify' | 'salesforce';
  status: 'running' | 'importing' | 'scoring' | 'done' | 'failed';
  /** The source's job id: a Shopify bulk operation, a Salesforce Bulk 2.0 job. */
  operationId: string | null;
  /** Orders of the result already recorded: a resume skips them. */
  ordersRecorded: number;
  customers: number;
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
  error?: string;
}

export async function getBackfill(
  store: Store,
  tenantId: string,
  source: BackfillState['source'],
): Promise<BackfillState | null> {
  const { pk, sk } = keys.backfill(tenantId, source);
  const out = await store.doc.send(
    new GetCommand({ TableName: store.table, Key: { pk, sk }, ConsistentRead: true }),
  );
  return out.Item ? (out.Item.state as BackfillState) : null;
}

export async function putBackfill(store: Store, tenantId: string, state: BackfillState): Promise<void> {
  await store.doc.send(
    new PutCommand({
      TableName: store.table,
      Item: { ...keys.backfill(tenantId, state.source), kind: 'backfill', state },
    }),
  );
}
