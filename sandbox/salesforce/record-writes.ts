/**
 * Checking one record update against the org, shared by sObject Collections,
 * the single-record PATCH and Bulk API 2.0 ingest. Each check answers with the
 * status code Salesforce uses for it:
 *
 * - no Id → MISSING_ARGUMENT "Id not specified in an update call"
 * - an Id that is not an id, or of another object → MALFORMED_ID
 * - a well-formed Id of no record → INVALID_CROSS_REFERENCE_KEY
 * - an unknown field (a custom field before it is deployed) → INVALID_FIELD
 * - a system or formula field → INVALID_FIELD_FOR_INSERT_UPDATE
 * - a value breaking its field's rules → the rule's code (see field-values.ts)
 *
 * Nothing is written here: callers commit with `org.commitUpdate` once they
 * know the whole call succeeds (allOrNone) or record by record.
 */
import type { RecordError, StoredValue } from './field-values.ts';
import { coerceCsv, coerceJson } from './field-values.ts';
import { isWellFormedId, to18 } from './ids.ts';
import type { OrgState } from './org-state.ts';
import type { SObjectDef } from './schema.ts';

export interface CheckedUpdate {
  /** The record's 18-character id when it names an existing record. */
  id?: string;
  object?: SObjectDef;
  changes: Record<string, StoredValue>;
  errors: RecordError[];
}

export const ROLLED_BACK: RecordError = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [],
};

/** Salesforce lets one call update the same record up to 12 times; the 13th is refused. */
export const MAX_DUPLICATE_UPDATES = 12;

export function duplicateUpdateError(id: string): RecordError {
  return {
    statusCode: 'DUPLICATE_VALUE',
    message: `Maximum number of duplicate updates in one batch (${MAX_DUPLICATE_UPDATES} allowed). Attempt to update Id more than once in this Api call: ${id.slice(0, 15)}`,
    fields: [],
  };
}

/** The Id check alone: which record an update names, or why it names none. */
export function checkId(
  org: OrgState,
  object: SObjectDef,
  rawId: unknown,
): { id: string; error?: undefined } | { id?: undefined; error: RecordError } {
  if (rawId === undefined || rawId === null || rawId === '') {
    return {
      error: { statusCode: 'MISSING_ARGUMENT', message: 'Id not specified in an update call', fields: [] },
    };
  }
  const text = String(rawId);
  if (!isWellFormedId(text) || text.slice(0, 3) !== object.keyPrefix) {
    return {
      error: {
        statusCode: 'MALFORMED_ID',
        message: `${object.label} ID: id value of incorrect type: ${text}`,
        fields: ['Id'],
      },
    };
  }
  const id = to18(text);
  if (!org.get(object.name, id)) {
    return {
      error: { statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id', fields: [] },
    };
  }
  return { id };
}

/**
 * Checks the fields of an update. `values` are JSON values (REST) or CSV cells
 * (Bulk). JSON values of the wrong type throw JsonTypeError (the whole request
 * fails); everything else lands in `errors`.
 */
export function checkFields(
  org: OrgState,
  object: SObjectDef,
  values: Record<string, unknown>,
  format: 'json' | 'csv',
): { changes: Record<string, StoredValue>; errors: RecordError[] } {
  const changes: Record<string, StoredValue> = {};
  const errors: RecordError[] = [];
  const readOnly: string[] = [];
  for (const [name, raw] of Object.entries(values)) {
    const def = org.schema.field(object, name);
    if (!def) {
      errors.push({
        statusCode: 'INVALID_FIELD',
        message: `No such column '${name}' on sobject of type ${object.name}`,
        fields: [],
      });
      continue;
    }
    if (def.name === 'Id') continue;
    if (!def.updateable) {
      readOnly.push(def.name);
      continue;
    }
    const coerced = format === 'json' ? coerceJson(def, raw) : coerceCsv(def, String(raw ?? ''));
    if (coerced === undefined) continue;
    if (!coerced.ok) errors.push(coerced.error);
    else if (def.type === 'reference' && typeof coerced.value === 'string') {
      const target = org.schema.object(def.referenceTo!);
      const ref = coerced.value;
      if (!target || !isWellFormedId(ref) || ref.slice(0, 3) !== target.keyPrefix) {
        errors.push({
          statusCode: 'MALFORMED_ID',
          message: `${def.label}: id value of incorrect type: ${ref}`,
          fields: [def.name],
        });
      } else if (!org.get(target.name, ref)) {
        errors.push({
          statusCode: 'INVALID_CROSS_REFERENCE_KEY',
          message: `${def.label}: id value of incorrect type: ${ref}`,
          fields: [def.name],
        });
      } else changes[def.name] = to18(ref);
    } else changes[def.name] = coerced.value;
  }
  if (readOnly.length > 0) {
    errors.push({
      statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
      message: `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      fields: readOnly,
    });
  }
  return { changes, errors };
}
