/**
 * The SOQL a change event's records are read again with: by id, in batches of
 * SOQL_ID_BATCH, with the backfill's fields and what tells a return apart.
 */
import type { Connection } from 'jsforce';
import { OPPORTUNITY_SELECT, ORDER_SELECT, queryRecords } from './backfill.ts';

/** Ids per SOQL `IN (…)`: Salesforce's own batches are 200 records, and the query stays short. */
export const SOQL_ID_BATCH = 200;

const union = (...lists: (readonly string[])[]) => [...new Set(lists.flat())];

/**
 * What a changed record is read with: the backfill's fields (the Opportunity's primary contact role
 * subquery included), SystemModstamp (a version moves with it too), and for Orders what tells a return
 * apart.
 */
export const ORDER_FIELDS = union(ORDER_SELECT, ['SystemModstamp', 'IsReductionOrder', 'OriginalOrderId']);
export const OPPORTUNITY_FIELDS = union(OPPORTUNITY_SELECT, ['SystemModstamp', 'StageName']);

/** The reduction orders against some orders: activated ones (by StatusCode) are netted, every one's version counts. */
export const RETURNS_FIELDS = [
  'Id',
  'OriginalOrderId',
  'TotalAmount',
  'StatusCode',
  'LastModifiedDate',
  'SystemModstamp',
];

const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** `SELECT <fields> FROM <sObject> WHERE <extra><field> IN ('<id>', …)`, for one batch of checked ids. */
export function selectWhereInSoql(
  sObject: string,
  fields: readonly string[],
  field: string,
  ids: readonly string[],
  extra = '',
): string {
  // Ids are checked to be 18 letters and digits before they get here: nothing to escape.
  return `SELECT ${fields.join(', ')} FROM ${sObject} WHERE ${extra}${field} IN (${ids.map((id) => `'${id}'`).join(', ')})`;
}

/** The filter of the returns query: reduction orders only. */
export const RETURNS_FILTER = 'IsReductionOrder = true AND ';

/** Records by id, `SELECT … WHERE <field> IN (…)` in batches of SOQL_ID_BATCH. */
export async function selectWhereIn(
  conn: Connection,
  sObject: string,
  fields: readonly string[],
  field: string,
  ids: readonly string[],
  extra = '',
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  const stats = { pages: 0 };
  for (const batch of chunks(ids, SOQL_ID_BATCH)) {
    const soql = selectWhereInSoql(sObject, fields, field, batch, extra);
    for await (const record of queryRecords(conn, soql, stats)) out.push(record);
  }
  return out;
}

/** The later of LastModifiedDate and SystemModstamp, epoch ms, or NaN. */
export function versionMs(record: Record<string, unknown>): number {
  const stamps = [record.LastModifiedDate, record.SystemModstamp]
    .filter((v): v is string => typeof v === 'string' && v !== '')
    .map((v) => Date.parse(v))
    .filter(Number.isFinite);
  return stamps.length ? Math.max(...stamps) : NaN;
}
