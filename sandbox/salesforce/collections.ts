/**
 * sObject Collections update: `PATCH /services/data/vXX.X/composite/sobjects`
 * with `{ allOrNone, records: [{ attributes: { type }, id, …fields }] }`, what
 * jsforce's `sobject(type).update([…])` sends from API 42.0 on.
 *
 * Salesforce's rules, kept: at most 200 records (else 400 EXCEEDED_ID_LIMIT);
 * a JSON value that cannot be deserialised into its field fails the whole
 * request (400 JSON_PARSER_ERROR); every other problem fails its record, and
 * the answer is one SaveResult per record, in order: `{ id, success: true,
 * errors: [] }` or `{ success: false, errors: [{ statusCode, message, fields }] }`
 * (no id: a SaveResult has one only when the save happened). With allOrNone,
 * one failure rolls everything back and the valid records answer
 * ALL_OR_NONE_OPERATION_ROLLED_BACK.
 */
import type { ApiRequest, SandboxContext } from './context.ts';
import { readJson } from './context.ts';
import type { RecordError, StoredValue } from './field-values.ts';
import { JsonTypeError } from './field-values.ts';
import type { CheckedUpdate } from './record-writes.ts';
import {
  MAX_DUPLICATE_UPDATES,
  ROLLED_BACK,
  checkFields,
  checkId,
  duplicateUpdateError,
} from './record-writes.ts';
import type { Reply } from './reply.ts';
import { json, restError } from './reply.ts';

export const MAX_COLLECTION_RECORDS = 200;

interface SaveResult {
  id?: string;
  success: boolean;
  errors: RecordError[];
}

export function handleCollectionsUpdate(ctx: SandboxContext, req: ApiRequest): Reply {
  const text = req.body.toString('utf8');
  const body = readJson(req) as { allOrNone?: unknown; records?: unknown } | null;
  if (!body || typeof body !== 'object' || !Array.isArray(body.records)) {
    throw restError(
      400,
      'JSON_PARSER_ERROR',
      'Cannot deserialize instance of list from START_OBJECT: records must be an array',
    );
  }
  const records = body.records as unknown[];
  if (records.length > MAX_COLLECTION_RECORDS) {
    const err = restError(
      400,
      'EXCEEDED_ID_LIMIT',
      `record limit reached. cannot submit more than ${MAX_COLLECTION_RECORDS} records into this call`,
    );
    err.reply.records = records.length;
    throw err;
  }
  const allOrNone = body.allOrNone === true || body.allOrNone === 'true';
  const checked = records.map((raw) => checkRecord(ctx, raw, text));
  const seen = new Map<string, number>();
  for (const c of checked) {
    if (!c.id) continue;
    const n = (seen.get(c.id) ?? 0) + 1;
    seen.set(c.id, n);
    if (n > MAX_DUPLICATE_UPDATES) c.errors.push(duplicateUpdateError(c.id));
  }
  const anyFailed = checked.some((c) => c.errors.length > 0);
  const results: SaveResult[] = checked.map((c) => {
    if (c.errors.length > 0) return { success: false, errors: c.errors };
    if (allOrNone && anyFailed) return { success: false, errors: [ROLLED_BACK] };
    ctx.org.commitUpdate(c.object!.name, c.id!, c.changes);
    return { id: c.id!, success: true, errors: [] };
  });
  return json(200, results, { records: records.length });
}

function checkRecord(ctx: SandboxContext, raw: unknown, text: string): CheckedUpdate {
  const fail = (error: RecordError): CheckedUpdate => ({ changes: {}, errors: [error] });
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    return fail({ statusCode: 'INVALID_TYPE', message: 'Must send a concrete entity type.', fields: [] });
  }
  const { attributes, id, Id, ...values } = raw as Record<string, unknown>;
  const type = (attributes as { type?: unknown } | undefined)?.type;
  if (typeof type !== 'string' || !type) {
    return fail({ statusCode: 'INVALID_TYPE', message: 'Must send a concrete entity type.', fields: [] });
  }
  const object = ctx.org.schema.object(type);
  if (!object)
    return fail({
      statusCode: 'INVALID_TYPE',
      message: `sObject type '${type}' is not supported.`,
      fields: [],
    });
  let checkedFields: { changes: Record<string, StoredValue>; errors: RecordError[] };
  try {
    checkedFields = checkFields(ctx.org, object, values, 'json');
  } catch (err) {
    if (err instanceof JsonTypeError) {
      const at = text.indexOf(err.raw);
      throw restError(400, 'JSON_PARSER_ERROR', `${err.message} at [line:1, column:${at >= 0 ? at + 1 : 1}]`);
    }
    throw err;
  }
  const idCheck = checkId(ctx.org, object, id ?? Id);
  const errors = idCheck.error ? [idCheck.error, ...checkedFields.errors] : checkedFields.errors;
  return { id: idCheck.id, object, changes: checkedFields.changes, errors };
}
