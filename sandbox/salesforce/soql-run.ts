/**
 * Runs a SOQL query against the org. First soql-check.ts decides, with
 * Salesforce's grammar and the real field lists, whether an org would run it
 * at all (MALFORMED_QUERY, INVALID_TYPE, INVALID_FIELD); then this binds
 * names to the schema (INVALID_QUERY_FILTER_OPERATOR for a literal of the
 * wrong type), filters, orders, limits, and shapes each row as the REST API
 * does: `attributes {type, url}` first, parent fields as nested objects
 * (`BillToContact: { attributes, Email }`, or `null` when the lookup is
 * empty), and each parent-to-child subquery as a nested query result
 * (`OpportunityContactRoles: { totalSize, done, records }`, or `null` when
 * there are no child rows, as the REST API answers it).
 * Shared by the REST query resource and Bulk API 2.0 query jobs.
 */
import type { StoredValue } from './field-values.ts';
import { isWellFormedId, to18 } from './ids.ts';
import type { OrgState, SfRecord } from './org-state.ts';
import { restError, sfDateTime, soqlMessage } from './reply.ts';
import type { FieldDef, SObjectDef } from './schema.ts';
import { SoqlCheckUnsupported, soqlProblem } from './soql-check.ts';
import type { Condition, Literal, PathRef, SoqlQuery } from './soql.ts';
import { SoqlSyntaxError, parseSoql } from './soql.ts';

/** A field reached from the queried object: the lookups walked, then the field. */
interface BoundPath {
  ref: PathRef;
  /** Canonical names, e.g. ['BillToContact', 'Email']. */
  names: string[];
  lookups: FieldDef[];
  field: FieldDef;
}

export interface BoundQuery {
  query: SoqlQuery;
  object: SObjectDef;
  fields: BoundPath[];
  /** Parent-to-child subqueries: the relationship's name, the child's lookup to the parent, the bound subquery. */
  children: { name: string; lookup: string; bound: BoundQuery }[];
}

export interface QueryRun {
  object: SObjectDef;
  fields: BoundPath[];
  children: BoundQuery['children'];
  /** Matching records after ORDER BY, OFFSET and LIMIT. */
  records: SfRecord[];
  /** For COUNT(): the number of matches. */
  count: boolean;
}

const NO_COLUMN_HINT =
  "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.";

/** Parses and binds; throws ApiError with Salesforce's 400 body on any fault. */
export function prepareQuery(org: OrgState, soql: string): BoundQuery {
  let problem;
  try {
    problem = soqlProblem(org.schema, soql);
  } catch (err) {
    if (err instanceof SoqlCheckUnsupported) throw restError(400, 'MALFORMED_QUERY', err.message);
    throw err;
  }
  if (problem) throw restError(400, problem.errorCode, problem.message);
  let query: SoqlQuery;
  try {
    query = parseSoql(soql);
  } catch (err) {
    if (err instanceof SoqlSyntaxError)
      throw restError(400, 'MALFORMED_QUERY', soqlMessage(soql, err.column, err.detail));
    throw err;
  }
  const object = org.schema.object(query.from.name);
  if (!object) {
    throw restError(
      400,
      'INVALID_TYPE',
      soqlMessage(
        soql,
        query.from.column,
        `sObject type '${query.from.name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
      ),
    );
  }
  return bindQuery(org, soql, object, query);
}

/** Binds a (sub)query's names on `object`. */
function bindQuery(org: OrgState, soql: string, object: SObjectDef, query: SoqlQuery): BoundQuery {
  const fields: BoundPath[] = [];
  const seen = new Set<string>();
  for (const ref of query.fields) {
    const bound = bindPath(org, soql, object, ref);
    const key = bound.names.join('.').toLowerCase();
    if (seen.has(key)) {
      throw restError(
        400,
        'MALFORMED_QUERY',
        soqlMessage(soql, ref.column, `duplicate field selected: ${bound.names.join('.')}`),
      );
    }
    seen.add(key);
    fields.push(bound);
  }
  if (query.where) checkCondition(org, soql, object, query.where);
  for (const term of query.orderBy) bindPath(org, soql, object, term.field);
  if (query.offset !== undefined && query.offset > 2000) {
    throw restError(400, 'NUMBER_OUTSIDE_VALID_RANGE', 'Maximum SOQL offset allowed is 2000');
  }
  const children: BoundQuery['children'] = [];
  for (const sub of query.subqueries) {
    // soql-check.ts has refused relationships the org does not have, and those the sandbox does not model.
    const rel = org.schema.childRelationship(object, sub.relationship.name)!;
    children.push({
      name: rel.name,
      lookup: rel.field!,
      bound: bindQuery(org, soql, org.schema.object(rel.object!)!, sub.query),
    });
  }
  return { query, object, fields, children };
}

/** Runs a bound query; `includeDeleted` is queryAll's view, with records in the recycle bin. */
export function runQuery(
  org: OrgState,
  bound: BoundQuery,
  includeDeleted = false,
  /** For a subquery: only the children of this parent, by this lookup field. */
  parent?: { lookup: string; id: string },
): QueryRun {
  const { query, object } = bound;
  const now = org.now();
  let rows = org.all(object.name).filter((r) => includeDeleted || !r.IsDeleted);
  if (parent)
    rows = rows.filter(
      (r) => typeof r[parent.lookup] === 'string' && to18(String(r[parent.lookup])) === parent.id,
    );
  if (query.where) rows = rows.filter(compile(org, object, query.where, now));
  if (query.orderBy.length > 0) {
    const terms = query.orderBy.map((t) => ({ ...t, bound: bindPath(org, query.text, object, t.field) }));
    rows = [...rows].sort((a, b) => {
      for (const t of terms) {
        const va = resolve(org, a, t.bound);
        const vb = resolve(org, b, t.bound);
        if (va === vb) continue;
        if (va === null || va === undefined) return t.nullsLast ? 1 : -1;
        if (vb === null || vb === undefined) return t.nullsLast ? -1 : 1;
        const c = compareValues(t.bound.field, va, vb);
        if (c !== 0) return t.descending ? -c : c;
      }
      return 0;
    });
  }
  const start = query.offset ?? 0;
  rows = rows.slice(start, query.limit !== undefined ? start + query.limit : undefined);
  return { object, fields: bound.fields, children: bound.children, records: rows, count: query.count };
}

/** One row in the REST shape. */
export function shapeRecord(
  org: OrgState,
  run: QueryRun,
  record: SfRecord,
  version: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: attributes(run.object.name, record.Id, version) };
  for (const f of run.fields) {
    let target: Record<string, unknown> = out;
    let current: SfRecord | undefined = record;
    let broken = false;
    for (const lookup of f.lookups) {
      const relName = lookup.relationshipName!;
      const parentId: StoredValue | undefined = current?.[lookup.name];
      const parent: SfRecord | undefined =
        typeof parentId === 'string' ? org.get(lookup.referenceTo!, parentId) : undefined;
      if (!parent) {
        target[relName] = null;
        broken = true;
        break;
      }
      let nested = target[relName] as Record<string, unknown> | null | undefined;
      if (!nested) {
        nested = { attributes: attributes(lookup.referenceTo!, parent.Id, version) };
        target[relName] = nested;
      }
      target = nested;
      current = parent;
    }
    if (!broken) target[f.field.name] = outputValue(f.field, current?.[f.field.name]);
  }
  for (const child of run.children) {
    const sub = runQuery(org, child.bound, false, { lookup: child.lookup, id: record.Id });
    out[child.name] = sub.records.length
      ? {
          totalSize: sub.records.length,
          done: true,
          records: sub.records.map((r) => shapeRecord(org, sub, r, version)),
        }
      : null;
  }
  return out;
}

/** A row flattened to CSV cells keyed by the dotted path, for Bulk API query results. */
export function flatRow(org: OrgState, run: QueryRun, record: SfRecord): string[] {
  return run.fields.map((f) => {
    const v = resolve(org, record, f);
    if (v === null || v === undefined) return '';
    if (f.field.type === 'datetime') return sfDateTime(String(v));
    return String(v);
  });
}

export function attributes(type: string, id: string, version: string) {
  return { type, url: `/services/data/v${version}/sobjects/${type}/${id}` };
}

/** JSON output of a stored value: date-times in Salesforce's `…000+0000` form. */
export function outputValue(def: FieldDef, value: StoredValue | undefined): StoredValue {
  if (value === undefined || value === null) return null;
  if (def.type === 'datetime') return sfDateTime(String(value));
  return value;
}

function bindPath(org: OrgState, soql: string, object: SObjectDef, ref: PathRef): BoundPath {
  const lookups: FieldDef[] = [];
  const names: string[] = [];
  let current = object;
  for (let i = 0; i < ref.path.length - 1; i++) {
    const part = ref.path[i]!;
    const lookup = org.schema.relationship(current, part);
    const target = lookup?.referenceTo ? org.schema.object(lookup.referenceTo) : undefined;
    if (!lookup || !target) {
      throw invalidField(
        soql,
        ref.column,
        `Didn't understand relationship '${part}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    }
    lookups.push(lookup);
    names.push(lookup.relationshipName!);
    current = target;
  }
  const last = ref.path[ref.path.length - 1]!;
  const field = org.schema.field(current, last);
  if (!field) {
    throw invalidField(
      soql,
      ref.column,
      `No such column '${last}' on entity '${current.name}'. ${NO_COLUMN_HINT}`,
    );
  }
  names.push(field.name);
  return { ref, names, lookups, field };
}

/** The 400 INVALID_FIELD answer, its message pointing at the column of the query it names. */
function invalidField(soql: string, column: number, text: string) {
  return restError(400, 'INVALID_FIELD', soqlMessage(soql, column, text));
}

function resolve(org: OrgState, record: SfRecord, path: BoundPath): StoredValue | undefined {
  let current: SfRecord | undefined = record;
  for (const lookup of path.lookups) {
    const id: StoredValue | undefined = current?.[lookup.name];
    current = typeof id === 'string' ? org.get(lookup.referenceTo!, id) : undefined;
    if (!current) return null;
  }
  return current[path.field.name] ?? null;
}

const TEXT_TYPES = new Set(['string', 'textarea', 'email', 'phone', 'url', 'picklist']);
const NUMBER_TYPES = new Set(['currency', 'double', 'percent', 'int']);

/** Type-checks every literal against its field, as Salesforce does before running anything. */
function checkCondition(org: OrgState, soql: string, object: SObjectDef, c: Condition): void {
  switch (c.kind) {
    case 'and':
    case 'or':
      checkCondition(org, soql, object, c.left);
      checkCondition(org, soql, object, c.right);
      return;
    case 'not':
      checkCondition(org, soql, object, c.condition);
      return;
    case 'compare': {
      const bound = bindPath(org, soql, object, c.field);
      if (c.op === 'LIKE' && !TEXT_TYPES.has(bound.field.type)) {
        throw restError(
          400,
          'INVALID_QUERY_FILTER_OPERATOR',
          soqlMessage(soql, c.field.column, `invalid operator on ${bound.field.type} field: LIKE`),
        );
      }
      checkLiteral(soql, bound.field, c.value);
      return;
    }
    case 'in': {
      const bound = bindPath(org, soql, object, c.field);
      for (const v of c.values) checkLiteral(soql, bound.field, v);
    }
  }
}

function checkLiteral(soql: string, def: FieldDef, lit: Literal): void {
  if (lit.kind === 'null') return;
  const fail = (text: string): never => {
    throw restError(400, 'INVALID_QUERY_FILTER_OPERATOR', soqlMessage(soql, lit.column, text));
  };
  const mustBe = (type: string, quoted: boolean) =>
    fail(
      `value of filter criterion for field '${def.name}' must be of type ${type} and ${quoted ? 'should be enclosed in quotes' : 'should not be enclosed in quotes'}`,
    );
  if (def.type === 'id' || def.type === 'reference') {
    if (lit.kind !== 'string') return mustBe('id', true);
    if (!isWellFormedId(lit.value)) return fail(`invalid ID field: ${lit.value}`);
    return;
  }
  if (TEXT_TYPES.has(def.type)) {
    if (lit.kind !== 'string') mustBe('string', true);
    return;
  }
  if (NUMBER_TYPES.has(def.type)) {
    if (lit.kind !== 'number')
      mustBe(def.type === 'int' ? 'int' : def.type === 'currency' ? 'currency' : 'double', false);
    return;
  }
  if (def.type === 'boolean') {
    if (lit.kind !== 'boolean') mustBe('boolean', false);
    return;
  }
  if (def.type === 'date') {
    if (lit.kind !== 'date' && lit.kind !== 'dateKeyword') mustBe('date', false);
    return;
  }
  if (def.type === 'datetime') {
    if (lit.kind !== 'datetime' && lit.kind !== 'dateKeyword') mustBe('dateTime', false);
  }
}

type Predicate = (record: SfRecord) => boolean;

/** Compiles a WHERE clause once, so each record costs only comparisons. */
function compile(org: OrgState, object: SObjectDef, c: Condition, now: number): Predicate {
  switch (c.kind) {
    case 'and': {
      const [l, r] = [compile(org, object, c.left, now), compile(org, object, c.right, now)];
      return (rec) => l(rec) && r(rec);
    }
    case 'or': {
      const [l, r] = [compile(org, object, c.left, now), compile(org, object, c.right, now)];
      return (rec) => l(rec) || r(rec);
    }
    case 'not': {
      const inner = compile(org, object, c.condition, now);
      return (rec) => !inner(rec);
    }
    case 'in': {
      const bound = bindPath(org, '', object, c.field);
      return (rec) => {
        const v = resolve(org, rec, bound);
        const hit = c.values.some((lit) => compareLiteral(bound.field, v, '=', lit, now));
        return c.negated ? !hit : hit;
      };
    }
    case 'compare': {
      const bound = bindPath(org, '', object, c.field);
      return (rec) => compareLiteral(bound.field, resolve(org, rec, bound), c.op, c.value, now);
    }
  }
}

const DAY = 86_400_000;

/** [start, end) of a date keyword, in UTC (the sandbox org's time zone). */
function keywordRange(lit: Extract<Literal, { kind: 'dateKeyword' }>, now: number): [number, number] {
  const today = Math.floor(now / DAY) * DAY;
  const n = lit.n ?? 0;
  switch (lit.name) {
    case 'TODAY':
      return [today, today + DAY];
    case 'YESTERDAY':
      return [today - DAY, today];
    case 'TOMORROW':
      return [today + DAY, today + 2 * DAY];
    case 'LAST_N_DAYS':
      return [today - (n - 1) * DAY, today + DAY];
    case 'NEXT_N_DAYS':
      return [today + DAY, today + (n + 1) * DAY];
    default: // N_DAYS_AGO
      return [today - n * DAY, today - (n - 1) * DAY];
  }
}

function compareLiteral(
  def: FieldDef,
  value: StoredValue | undefined,
  op: string,
  lit: Literal,
  now: number,
): boolean {
  const v = value ?? null;
  if (lit.kind === 'null') {
    if (op === '=') return v === null;
    if (op === '!=') return v !== null;
    return false;
  }
  if (lit.kind === 'dateKeyword') {
    if (v === null) return op === '!=';
    const t = def.type === 'date' ? Date.parse(`${String(v)}T00:00:00Z`) : Date.parse(String(v));
    const [start, end] = keywordRange(lit, now);
    switch (op) {
      case '=':
        return t >= start && t < end;
      case '!=':
        return t < start || t >= end;
      case '<':
        return t < start;
      case '<=':
        return t < end;
      case '>':
        return t >= end;
      default:
        return t >= start;
    }
  }
  if (v === null) return op === '!=';
  if (op === 'LIKE') {
    const pattern = String((lit as { value: unknown }).value)
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replace(/%/g, '.*')
      .replace(/_/g, '.');
    return new RegExp(`^${pattern}$`, 'is').test(String(v));
  }
  let literal: StoredValue = (lit as { value: string | number | boolean }).value;
  if (def.type === 'datetime') literal = new Date(String(literal)).toISOString();
  const c = compareValues(def, v, literal);
  switch (op) {
    case '=':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    default:
      return c >= 0;
  }
}

/** Orders two non-null values of a field: text case-insensitively, ids by their 18-character form. */
function compareValues(def: FieldDef, a: StoredValue, b: StoredValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (def.type === 'datetime') return Date.parse(String(a)) - Date.parse(String(b));
  if (def.type === 'id' || def.type === 'reference') {
    const x = to18(String(a));
    const y = to18(String(b));
    return x === y ? 0 : x < y ? -1 : 1;
  }
  const x = String(a).toLowerCase();
  const y = String(b).toLowerCase();
  return x === y ? 0 : x < y ? -1 : 1;
}
