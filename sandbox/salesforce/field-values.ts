/**
 * Field values on their way in: JSON values from REST writes and CSV cells
 * from Bulk API 2.0, checked against the field's type the way Salesforce
 * checks them. The two paths fail differently in Salesforce and so here:
 *
 * - REST: the JSON body is deserialised against the sObject's types before
 *   anything is saved, so text in a Currency field or a malformed date fails
 *   the whole request with 400 JSON_PARSER_ERROR ("Cannot deserialize instance
 *   of currency from VALUE_STRING value …"). Values that deserialise but break
 *   a rule (a restricted picklist, a number too large for its precision) fail
 *   only their record.
 * - Bulk: every cell is text, so a bad cell fails its row with
 *   INVALID_TYPE_ON_FIELD_IN_RECORD; an empty cell leaves the field unchanged
 *   and `#N/A` sets it to null.
 */
import type { FieldDef } from './schema.ts';

export type StoredValue = string | number | boolean | null;

/** One entry of a record's `errors`, as in a SaveResult. */
export interface RecordError {
  statusCode: string;
  message: string;
  fields: string[];
}

export type Coerced = { ok: true; value: StoredValue } | { ok: false; error: RecordError };

/** Thrown for a JSON value Salesforce's deserialiser rejects (the whole request fails). */
export class JsonTypeError extends Error {
  readonly sfType: string;
  readonly token: string;
  readonly raw: string;
  constructor(sfType: string, token: string, raw: string) {
    super(
      `Cannot deserialize instance of ${sfType} from ${token} value ${raw} or request may be missing a required field`,
    );
    this.name = 'JsonTypeError';
    this.sfType = sfType;
    this.token = token;
    this.raw = raw;
  }
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// Salesforce accepts ISO-8601 with Z or an offset; its own output uses `.000+0000`.
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?(Z|[+-]\d{2}:\d{2}|[+-]\d{4})$/;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function validDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** `YYYY-MM-DD` if it names a real calendar day. */
export function parseDate(text: string): string | undefined {
  const m = DATE.exec(text);
  return m && validDate(+m[1]!, +m[2]!, +m[3]!) ? text : undefined;
}

/** An ISO date-time, normalised to `toISOString()` (UTC, milliseconds). */
export function parseDateTime(text: string): string | undefined {
  const m = DATETIME.exec(text);
  if (!m || !validDate(+m[1]!, +m[2]!, +m[3]!)) return undefined;
  const offset = m[8]!.length === 5 ? `${m[8]!.slice(0, 3)}:${m[8]!.slice(3)}` : m[8]!;
  const t = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ''}${offset}`);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

const JSON_TYPE_NAME: Partial<Record<FieldDef['type'], string>> = {
  currency: 'currency',
  double: 'double',
  percent: 'percent',
  int: 'int',
  boolean: 'boolean',
  date: 'date',
  datetime: 'datetime',
};

function token(raw: unknown): string {
  if (typeof raw === 'string') return 'VALUE_STRING';
  if (typeof raw === 'boolean') return raw ? 'VALUE_TRUE' : 'VALUE_FALSE';
  if (typeof raw === 'number') return Number.isInteger(raw) ? 'VALUE_NUMBER_INT' : 'VALUE_NUMBER_FLOAT';
  return Array.isArray(raw) ? 'START_ARRAY' : 'START_OBJECT';
}

function reject(def: FieldDef, raw: unknown): never {
  const shown = typeof raw === 'object' ? (Array.isArray(raw) ? '[' : '{') : String(raw);
  throw new JsonTypeError(JSON_TYPE_NAME[def.type] ?? 'string', token(raw), shown);
}

/**
 * A JSON value for a field, deserialised as Salesforce does (lenient where
 * Jackson is: numeric strings into numbers, scalars into text).
 * Throws `JsonTypeError` when the request as a whole must fail.
 */
export function coerceJson(def: FieldDef, raw: unknown): Coerced {
  if (raw === null) return checkRules(def, null);
  switch (def.type) {
    case 'currency':
    case 'double':
    case 'percent':
    case 'int': {
      if (typeof raw === 'number' && Number.isFinite(raw)) return checkRules(def, raw);
      if (typeof raw === 'string' && raw === '') return checkRules(def, null);
      if (typeof raw === 'string' && NUMBER.test(raw)) return checkRules(def, Number(raw));
      return reject(def, raw);
    }
    case 'boolean':
      if (typeof raw === 'boolean') return checkRules(def, raw);
      if (raw === 'true' || raw === 'false') return checkRules(def, raw === 'true');
      return reject(def, raw);
    case 'date': {
      const d = typeof raw === 'string' ? parseDate(raw) : undefined;
      return d ? checkRules(def, d) : reject(def, raw);
    }
    case 'datetime': {
      const d = typeof raw === 'string' ? parseDateTime(raw) : undefined;
      return d ? checkRules(def, d) : reject(def, raw);
    }
    default:
      if (typeof raw === 'object') return reject(def, raw);
      return checkRules(def, String(raw));
  }
}

/** A Bulk API CSV cell. `undefined` means "leave the field as it is" (an empty cell). */
export function coerceCsv(def: FieldDef, cell: string): Coerced | undefined {
  if (cell === '') return undefined;
  if (cell === '#N/A') return checkRules(def, null);
  const wrongType = (): Coerced => ({
    ok: false,
    error: {
      statusCode: 'INVALID_TYPE_ON_FIELD_IN_RECORD',
      message: `${def.label}: value not of required type: ${cell}`,
      fields: [def.name],
    },
  });
  switch (def.type) {
    case 'currency':
    case 'double':
    case 'percent':
    case 'int':
      return NUMBER.test(cell) ? checkRules(def, Number(cell)) : wrongType();
    case 'boolean': {
      const b = cell.toLowerCase();
      if (b === 'true' || b === '1') return checkRules(def, true);
      if (b === 'false' || b === '0') return checkRules(def, false);
      return wrongType();
    }
    case 'date': {
      const d = parseDate(cell) ?? parseDateTime(cell)?.slice(0, 10);
      return d ? checkRules(def, d) : wrongType();
    }
    case 'datetime': {
      const d = parseDateTime(cell) ?? (parseDate(cell) ? `${cell}T00:00:00.000Z` : undefined);
      return d ? checkRules(def, d) : wrongType();
    }
    default:
      return checkRules(def, cell);
  }
}

/** The rules a deserialised value must still meet; they fail only the record. */
function checkRules(def: FieldDef, value: StoredValue): Coerced {
  const fail = (statusCode: string, message: string): Coerced => ({
    ok: false,
    error: { statusCode, message, fields: [def.name] },
  });
  if (value === null) {
    if (def.type === 'picklist' && def.restricted && !def.nillable) {
      return fail(
        'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        `${def.label}: bad value for restricted picklist field: null`,
      );
    }
    if (!def.nillable) return fail('REQUIRED_FIELD_MISSING', `Required fields are missing: [${def.name}]`);
    return { ok: true, value: null };
  }
  if (typeof value === 'number') {
    const precision = def.precision ?? 18;
    const scale = def.scale ?? 0;
    const rounded = Math.round(value * 10 ** scale) / 10 ** scale;
    if (Math.abs(rounded) >= 10 ** (precision - scale)) {
      return fail(
        'NUMBER_OUTSIDE_VALID_RANGE',
        `${def.label}: value outside of valid range on numeric field: ${value}`,
      );
    }
    return { ok: true, value: rounded };
  }
  if (typeof value === 'string') {
    if (def.type === 'picklist' && def.restricted && !def.picklistValues?.includes(value)) {
      return fail(
        'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        `${def.label}: bad value for restricted picklist field: ${value}`,
      );
    }
    if (def.length !== undefined && value.length > def.length) {
      return fail(
        'STRING_TOO_LONG',
        `${def.label}: data value too large: ${value} (max length=${def.length})`,
      );
    }
    if (def.type === 'email' && !EMAIL.test(value)) {
      return fail('INVALID_EMAIL_ADDRESS', `${def.label}: invalid email address: ${value}`);
    }
  }
  return { ok: true, value };
}
