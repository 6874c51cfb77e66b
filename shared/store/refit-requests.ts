/**
 * Refit requests, coalesced per tenant: a marker on the tenant item
 * (`refitRequestId`, `refitRequestedAt`) says a refit message is queued and
 * its refit has not started. A request (a settings save, the nightly
 * schedule) sends a message only when it sets the marker; while one stands,
 * requests send nothing, since the queued refit will read the settings as they
 * are when it starts. The refit claims its request when it starts, before it
 * reads the tenant: a save landing after that claim (during the refit) finds
 * no marker, so it queues a refit of its own, which runs after this one (one
 * message group per tenant on the FIFO refit queue) and sees the new settings.
 */
import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { conditionally } from './conditional.ts';
import { getItem } from './query.ts';
import type { Store } from './store.ts';
import { tenantKey } from './tenants.ts';

/**
 * A marker older than this is taken for a request whose message never left (a send that failed, and
 * whose withdrawal failed too): a new request replaces it, so settings are never stranded for more
 * than this and the next request. Its message, should it arrive late, finds the marker replaced and is
 * skipped, so replacing costs at most one cheap read.
 */
export const STALE_REFIT_REQUEST_MS = 60 * 60 * 1000;

/** Sets the marker: the request id to send, or null when a request is pending already (or no such tenant). */
export async function markRefitRequested(
  store: Store,
  tenantId: string,
  now: number,
): Promise<string | null> {
  const requestId = randomUUID();
  const marked = await updateTenantItem(store, tenantId, {
    UpdateExpression: 'SET refitRequestId = :id, refitRequestedAt = :now',
    ConditionExpression:
      'attribute_exists(settings) AND (attribute_not_exists(refitRequestedAt) OR refitRequestedAt < :stale)',
    ExpressionAttributeValues: { ':id': requestId, ':now': now, ':stale': now - STALE_REFIT_REQUEST_MS },
  });
  return marked ? requestId : null;
}

/** Removes the marker this request set, when its message could not be sent (best effort: it also goes stale). */
export async function withdrawRefitRequest(store: Store, tenantId: string, requestId: string): Promise<void> {
  await updateTenantItem(store, tenantId, {
    UpdateExpression: 'REMOVE refitRequestId, refitRequestedAt',
    ConditionExpression: 'refitRequestId = :id',
    ExpressionAttributeValues: { ':id': requestId },
  });
}

/**
 * What a refit message does when it starts:
 * - 'run': its request is claimed (the marker removed), or it has none to claim (a retry after its
 *   own claim, a message without an id); the refit runs and reads the tenant after this.
 * - 'superseded': a newer request stands; its own message refits after this one, with settings at
 *   least as new, so this one is skipped.
 * - 'gone': the tenant no longer exists (a shop redact): nothing to refit.
 */
export async function claimRefitRequest(
  store: Store,
  tenantId: string,
  requestId: string | undefined,
): Promise<'run' | 'superseded' | 'gone'> {
  const claimed = await updateTenantItem(store, tenantId, {
    UpdateExpression: 'REMOVE refitRequestId, refitRequestedAt',
    ConditionExpression:
      requestId === undefined
        ? 'attribute_exists(settings)'
        : 'attribute_exists(settings) AND (attribute_not_exists(refitRequestId) OR refitRequestId = :id)',
    ...(requestId === undefined ? {} : { ExpressionAttributeValues: { ':id': requestId } }),
  });
  if (claimed) return 'run';
  return (await getItem(store, tenantKey(tenantId)))?.settings ? 'superseded' : 'gone';
}

/** The pending request's marker, or null: for tests and the operator's view. */
export async function pendingRefitRequest(
  store: Store,
  tenantId: string,
): Promise<{ requestId: string; requestedAt: number } | null> {
  const item = await getItem(store, tenantKey(tenantId));
  if (!item || typeof item.refitRequestId !== 'string') return null;
  return { requestId: item.refitRequestId, requestedAt: Number(item.refitRequestedAt) };
}

/** A conditional update of the tenant item; false when the condition refused it. */
const updateTenantItem = (
  store: Store,
  tenantId: string,
  update: Pick<UpdateCommandInput, 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeValues'>,
) =>
  conditionally(() =>
    store.doc.send(new UpdateCommand({ TableName: store.table, Key: tenantKey(tenantId), ...update })),
  );
