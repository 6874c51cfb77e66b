/**
 * Data-request exports: what we hold on a customer, kept for the merchant to
 * download. Shopify does not forward a webhook's response to anyone, so the
 * answer to `customers/data_request` has to reach the merchant another way;
 * Shopify asks the app to provide the data to the store owner, who must
 * answer the customer within 30 days
 * (https://shopify.dev/docs/apps/build/privacy-law-compliance). The export
 * lives in the tenant's own partition and expires with DynamoDB's TTL
 * (`expiresAt`) when that deadline passes.
 *
 * The JSON is gzipped and split into parts under DynamoDB's 400 KB item
 * limit, written before the header that lists the export: a listed export is
 * always complete. Writing it again under the same id (Shopify's retry of the
 * same request) replaces it.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { TransientError } from '../errors.ts';
import { deleteAll, putAll } from './batch.ts';
import { keys } from './keys.ts';
import { queryAll } from './query.ts';
import type { Store } from './store.ts';

/** Shopify's deadline for answering the customer, counted from the request. */
export const DATA_EXPORT_RETENTION_SECONDS = 30 * 24 * 3600;
/** Well under the 400 KB item limit, leaving room for the keys and attribute names. */
const PART_BYTES = 300 * 1024;

export interface DataExportSummary {
  exportId: string;
  /** What the request came as, e.g. `customers/data_request`. */
  kind: string;
  requestedAt: string;
  expiresAt: string;
  customers: number;
  orders: number;
  bytes: number;
}

export interface DataExportContent {
  summary: Omit<DataExportSummary, 'exportId' | 'requestedAt' | 'expiresAt' | 'bytes'>;
  /** Our ids of the customers in it, so a later customers/redact can delete it. */
  customerIds: string[];
  /** The JSON document the merchant downloads. */
  document: unknown;
}

export async function putDataExport(
  store: Store,
  tenantId: string,
  exportId: string,
  content: DataExportContent,
  now: number,
): Promise<DataExportSummary> {
  const json = Buffer.from(JSON.stringify(content.document, null, 2), 'utf8');
  const zipped = gzipSync(json);
  const expiresAt = Math.floor(now / 1000) + DATA_EXPORT_RETENTION_SECONDS;
  const parts: Record<string, unknown>[] = [];
  for (let offset = 0, n = 0; offset < zipped.length || n === 0; offset += PART_BYTES, n++)
    parts.push({
      ...keys.dataExportPart(tenantId, exportId, n),
      data: zipped.subarray(offset, offset + PART_BYTES),
      expiresAt,
    });
  await putAll(store, parts);
  const summary: DataExportSummary = {
    exportId,
    ...content.summary,
    requestedAt: new Date(now).toISOString(),
    expiresAt: new Date(expiresAt * 1000).toISOString(),
    bytes: json.length,
  };
  await store.doc.send(
    new PutCommand({
      TableName: store.table,
      Item: {
        ...keys.dataExport(tenantId, exportId),
        ...summary,
        customerIds: content.customerIds,
        parts: parts.length,
        expiresAt,
      },
    }),
  );
  return summary;
}

/** TTL deletes within days of expiry, not at it: an expired export is hidden at once. */
const live = (item: Record<string, unknown>, now: number) => Number(item.expiresAt) * 1000 > now;

const summaryOf = (item: Record<string, unknown>): DataExportSummary => ({
  exportId: String(item.exportId),
  kind: String(item.kind),
  requestedAt: String(item.requestedAt),
  expiresAt: new Date(Number(item.expiresAt) * 1000).toISOString(),
  customers: Number(item.customers),
  orders: Number(item.orders),
  bytes: Number(item.bytes),
});

/** The tenant's exports not yet expired, newest first. */
export async function listDataExports(
  store: Store,
  tenantId: string,
  now: number,
): Promise<DataExportSummary[]> {
  const items = await queryAll(store, {
    KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
    ExpressionAttributeValues: { ':p': keys.dataExportPartition(tenantId), ':s': 'EXPORT#' },
    ConsistentRead: true,
  });
  return items
    .filter((i) => live(i, now))
    .map(summaryOf)
    .sort((a, b) => b.requestedAt.localeCompare(a.requestedAt));
}

/** The export's JSON text, or null when the tenant has no such export (or it expired). */
export async function getDataExport(
  store: Store,
  tenantId: string,
  exportId: string,
  now: number,
): Promise<{ summary: DataExportSummary; json: string } | null> {
  const { pk, sk } = keys.dataExport(tenantId, exportId);
  const out = await store.doc.send(
    new GetCommand({ TableName: store.table, Key: { pk, sk }, ConsistentRead: true }),
  );
  if (!out.Item || !live(out.Item, now)) return null;
  const parts = await queryAll(store, {
    KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
    ExpressionAttributeValues: { ':p': pk, ':s': `PART#${exportId}#` },
    ConsistentRead: true,
  });
  const wanted = Number(out.Item.parts);
  const chunks = parts
    .sort((a, b) => String(a.sk).localeCompare(String(b.sk)))
    .slice(0, wanted)
    .map((p) => Buffer.from(p.data as Uint8Array));
  if (chunks.length !== wanted)
    throw new TransientError(`data export ${exportId} has ${chunks.length} of its ${wanted} parts`);
  return { summary: summaryOf(out.Item), json: gunzipSync(Buffer.concat(chunks)).toString('utf8') };
}

/**
 * A customers/redact erases the customer from every export that holds them
 * too: the export is deleted whole (its other customers, if any, were asked
 * for in the same request, which the merchant can no longer answer in part).
 */
export async function deleteDataExportsOf(
  store: Store,
  tenantId: string,
  customerIds: readonly string[],
): Promise<number> {
  if (!customerIds.length) return 0;
  const partition = keys.dataExportPartition(tenantId);
  const items = await queryAll(store, {
    KeyConditionExpression: 'pk = :p',
    ExpressionAttributeValues: { ':p': partition },
    ConsistentRead: true,
    ProjectionExpression: 'pk, sk, exportId, customerIds',
  });
  const doomed = new Set(
    items
      .filter((i) => String(i.sk).startsWith('EXPORT#'))
      .filter((i) => ((i.customerIds as string[] | undefined) ?? []).some((c) => customerIds.includes(c)))
      .map((i) => String(i.exportId)),
  );
  const keysOf = items
    .filter((i) => {
      const sk = String(i.sk);
      return [...doomed].some((id) => sk === `EXPORT#${id}` || sk.startsWith(`PART#${id}#`));
    })
    .map((i) => ({ pk: String(i.pk), sk: String(i.sk) }));
  await deleteAll(store, keysOf);
  return doomed.size;
}
