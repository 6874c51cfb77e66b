/**
 * The order history import after install: a bulk query over every order,
 * waited for (or resumed from the stored operation id after a cut-off), its
 * JSONL streamed into the store, then scoring and a refit. Constant memory in
 * the number of orders; resumable at the last checkpoint.
 */
import type { ImportProgress } from '../../shared/pipeline/import-history.ts';
import { importOrders, scoreAndRefit } from '../../shared/pipeline/import-history.ts';
import type { RefitReport } from '../../shared/pipeline/refit-tenant.ts';
import type { BackfillState } from '../../shared/store/backfills.ts';
import { getBackfill, putBackfill } from '../../shared/store/backfills.ts';
import type { Store } from '../../shared/store/store.ts';
import type { TenantSettings } from '../../shared/store/tenants.ts';
import type { AdminClient } from './admin-client.ts';
import type { PollOptions } from './bulk-operations.ts';
import {
  BulkOperationFailedError,
  jsonlLines,
  startBulkQuery,
  waitForBulkOperation,
} from './bulk-operations.ts';
import { ORDERS_BULK_QUERY } from './operations.ts';
import { ordersFromBulkJsonl } from './order-from-bulk.ts';

export interface ShopifyBackfillReport {
  operationId: string;
  resumed: boolean;
  objectCount: number;
  progress: ImportProgress;
  customers: number;
  refit: RefitReport;
}

export interface BackfillOptions {
  poll?: PollOptions;
  /** Start a new bulk query even when an earlier backfill finished. */
  restart?: boolean;
  /** Orders between checkpoints (importOrders' default when absent). */
  checkpointEvery?: number;
  now?: () => number;
  log?: (message: string, detail: Record<string, unknown>) => void;
}

export async function backfillShopifyOrders(
  store: Store,
  client: AdminClient,
  tenant: TenantSettings,
  options: BackfillOptions = {},
): Promise<ShopifyBackfillReport | null> {
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const previous = await getBackfill(store, tenant.tenantId, 'shopify');
  // A reinstall asks again; the history is already here and webhooks keep it current.
  if (previous?.status === 'done' && !options.restart) return null;
  let state: BackfillState = previous ?? {
    source: 'shopify',
    status: 'running',
    operationId: null,
    ordersRecorded: 0,
    customers: 0,
    startedAt: new Date(now()).toISOString(),
    updatedAt: new Date(now()).toISOString(),
  };
  const save = async (patch: Partial<BackfillState>): Promise<void> => {
    state = { ...state, ...patch, updatedAt: new Date(now()).toISOString() };
    await putBackfill(store, tenant.tenantId, state);
  };

  const resumable = previous && !options.restart && previous.operationId && previous.status !== 'failed';
  let operationId = resumable ? previous.operationId! : null;
  let skip = resumable ? previous.ordersRecorded : 0;
  let operation = operationId ? await waitForBulkOperation(client, operationId, options.poll) : null;
  if (!operation || operation.status !== 'COMPLETED') {
    // No usable earlier run (none, or it failed, expired or was canceled): start over.
    if (operation)
      log('earlier bulk operation unusable, starting again', { operationId, status: operation.status });
    const started = await startBulkQuery(client, ORDERS_BULK_QUERY);
    operationId = started.id;
    skip = 0;
    await save({
      status: 'running',
      operationId,
      ordersRecorded: 0,
      startedAt: new Date(now()).toISOString(),
    });
    operation = await waitForBulkOperation(client, operationId, options.poll);
  }
  if (operation.status !== 'COMPLETED') {
    await save({
      status: 'failed',
      error: `bulk operation ${operation.status} (${operation.errorCode ?? 'no code'})`,
    });
    throw new BulkOperationFailedError(
      operation.errorCode === 'ACCESS_DENIED'
        ? `the order export of ${tenant.shopifyShop} was denied (ACCESS_DENIED): the shop has not granted an access scope ` +
            "the export needs (see shopify.app.toml); approve the app's updated access in the Shopify admin, then run the backfill again"
        : `the order export of ${tenant.shopifyShop} ended ${operation.status} (${operation.errorCode ?? 'no code'}); run the backfill again`,
    );
  }
  await save({ status: 'importing', operationId });
  const lines = operation.url ? jsonlLines(operation.url) : emptyLines();
  const { progress, customers } = await importOrders(
    store,
    tenant,
    ordersFromBulkJsonl(lines, tenant.currency, {
      onSkip: (reason, orderId) => log('order skipped', { orderId, reason }),
    }),
    {
      skip,
      now: now(),
      ...(options.checkpointEvery ? { checkpointEvery: options.checkpointEvery } : {}),
      onCheckpoint: (p) => save({ ordersRecorded: p.consumed }),
      onRejected: (order, reason) => log('order rejected', { orderId: order.orderId, reason }),
    },
  );
  await save({ status: 'scoring', customers: customers.size });
  const refit = await scoreAndRefit(store, tenant, customers, now());
  await save({ status: 'done', finishedAt: new Date(now()).toISOString() });
  return {
    operationId: operationId!,
    resumed: skip > 0,
    objectCount: Number(operation.objectCount ?? 0),
    progress,
    customers: customers.size,
    refit,
  };
}

async function* emptyLines(): AsyncGenerator<string> {}
