/**
 * Whether a SOQL statement is one a real org would run: parsed with
 * Salesforce's grammar as @jetstreamapp/soql-parser-js implements it, then
 * every object, field path, parent relationship and child relationship it
 * names (select list, subqueries, WHERE, semi-joins, ORDER BY, GROUP BY)
 * checked against the org's schema, which is the real field lists plus the
 * custom fields deployed (schema.ts). The refusals are Salesforce's REST
 * error answers (SOAP API Developer Guide, "API Fault Element"; their text as
 * orgs print it: the query, a caret, "ERROR at Row:1:Column:n"):
 *
 *   MALFORMED_QUERY  not SOQL
 *   INVALID_TYPE     sObject type 'X' is not supported / Didn't understand relationship 'X' in FROM part of query call
 *   INVALID_FIELD    No such column 'X' on entity 'Y' / Didn't understand relationship 'X' in field path
 *
 * Used by the sandbox's REST query and Bulk API 2.0 query resources, and by
 * the contract suite on every statement clv-sync builds.
 */
import type { FieldType as AstField, Query, WhereClause } from '@jetstreamapp/soql-parser-js';
import { parseQuery } from '@jetstreamapp/soql-parser-js';
import type { OrgSchema, SObjectDef } from './schema.ts';
import { soqlMessage } from './reply.ts';
import { SoqlSyntaxError, parseSoql } from './soql.ts';

export interface SoqlProblem {
  errorCode: 'MALFORMED_QUERY' | 'INVALID_TYPE' | 'INVALID_FIELD';
  /** Salesforce's message: the query, a caret under the column, then the text. */
  message: string;
  /** The text alone. */
  detail: string;
}

/** A name the statement uses, with the object it is read on. */
export interface SoqlPath {
  /** Where the path starts: the FROM object or a child relationship's object. */
  object: string;
  /** `BillToContact.Email` → ['BillToContact', 'Email']. */
  path: string[];
}

const CUSTOM_RELATIONSHIP_HINT =
  "If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.";
const CUSTOM_FIELD_HINT =
  "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.";
const CUSTOM_OBJECT_HINT =
  "If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.";

/** Parsed by Salesforce's grammar, or the MALFORMED_QUERY detail. */
export function parseStrict(soql: string): { ast: Query } | { detail: string } {
  try {
    return { ast: parseQuery(soql) };
  } catch (error) {
    return { detail: (error as Error).message.replace(/\s+/g, ' ').trim() };
  }
}

/** The 1-based column of a name in the statement (its first whole-word occurrence), for the caret. */
function columnOf(soql: string, name: string, after = 0): number {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`(?<![\\w.])${escaped}(?![\\w])`, 'gi');
  re.lastIndex = after;
  const m = re.exec(soql);
  return m ? m.index + 1 : 1;
}

class Refusal extends Error {
  readonly problem: SoqlProblem;
  constructor(problem: SoqlProblem) {
    super(problem.message);
    this.problem = problem;
  }
}

const lists = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** What the sandbox cannot check, where the statement itself may be fine: a limit of ours, not a refusal. */
export class SoqlCheckUnsupported extends Error {}

class Checker {
  readonly paths: SoqlPath[] = [];
  private readonly schema: OrgSchema;
  private readonly soql: string;
  constructor(schema: OrgSchema, soql: string) {
    this.schema = schema;
    this.soql = soql;
  }

  refuse(errorCode: SoqlProblem['errorCode'], column: number, detail: string): never {
    throw new Refusal({ errorCode, detail, message: soqlMessage(this.soql, column, detail) });
  }

  query(ast: Query): void {
    const name = ast.sObject ?? '';
    const object = this.schema.object(name);
    if (!object)
      this.refuse(
        'INVALID_TYPE',
        columnOf(this.soql, name),
        `sObject type '${name}' is not supported. ${CUSTOM_OBJECT_HINT}`,
      );
    this.body(object, ast);
  }

  body(object: SObjectDef, q: Query | NonNullable<Extract<AstField, { type: 'FieldSubquery' }>['subquery']>) {
    for (const f of q.fields ?? []) this.field(object, f);
    this.where(object, q.where);
    for (const o of lists(q.orderBy)) if ('field' in o && o.field) this.path(object, o.field);
    for (const g of lists(q.groupBy)) if ('field' in g && g.field) this.path(object, g.field);
  }

  field(object: SObjectDef, f: AstField): void {
    switch (f.type) {
      case 'Field':
        return this.path(object, f.field);
      case 'FieldRelationship':
        return this.path(object, [...f.relationships, f.field].join('.'));
      case 'FieldFunctionExpression':
        for (const p of f.parameters) if (typeof p === 'string') this.path(object, p);
        return;
      case 'FieldSubquery': {
        const sub = f.subquery;
        const child = this.schema.childRelationship(object, sub.relationshipName);
        if (!child)
          this.refuse(
            'INVALID_TYPE',
            columnOf(this.soql, sub.relationshipName),
            `Didn't understand relationship '${sub.relationshipName}' in FROM part of query call. ${CUSTOM_RELATIONSHIP_HINT}`,
          );
        const childObject = child.object ? this.schema.object(child.object) : undefined;
        if (!childObject)
          throw new SoqlCheckUnsupported(
            `The sandbox does not model ${object.name}.${child.name}'s object; add it to schema.ts and the reference`,
          );
        return this.body(childObject, sub);
      }
      default:
        throw new SoqlCheckUnsupported(`The sandbox does not check TYPEOF (${f.field})`);
    }
  }

  where(object: SObjectDef, w: WhereClause | undefined): void {
    if (!w) return;
    const left = w.left as Record<string, unknown> | null;
    if (left && typeof left.field === 'string') this.path(object, left.field);
    if (left && left.valueQuery) this.query(left.valueQuery as Query);
    if ('right' in w && w.right) this.where(object, w.right);
  }

  /** A dotted path from `object`: each step a parent relationship, the last a field. */
  path(object: SObjectDef, dotted: string): void {
    const parts = dotted.split('.');
    this.paths.push({ object: object.name, path: parts });
    const column = columnOf(this.soql, dotted);
    let current = object;
    for (const part of parts.slice(0, -1)) {
      const lookup = this.schema.relationship(current, part);
      const target = lookup?.referenceTo ? this.schema.object(lookup.referenceTo) : undefined;
      if (lookup?.relationshipName && !target)
        throw new SoqlCheckUnsupported(
          `The sandbox does not model ${current.name}.${part}'s object (${lookup.referenceTo}); add it to schema.ts`,
        );
      if (!lookup || !target)
        this.refuse(
          'INVALID_FIELD',
          column,
          `Didn't understand relationship '${part}' in field path. ${CUSTOM_RELATIONSHIP_HINT}`,
        );
      current = target;
    }
    const last = parts[parts.length - 1]!;
    if (!this.schema.field(current, last))
      this.refuse(
        'INVALID_FIELD',
        column,
        `No such column '${last}' on entity '${current.name}'. ${CUSTOM_FIELD_HINT}`,
      );
  }
}

/** The first reason a real org would refuse the statement, or undefined when it would run it. */
export function soqlProblem(schema: OrgSchema, soql: string): SoqlProblem | undefined {
  return checkSoql(schema, soql).problem;
}

/** The problem, if any, and every path the statement names (as far as the check got). */
export function checkSoql(schema: OrgSchema, soql: string): { problem?: SoqlProblem; paths: SoqlPath[] } {
  const parsed = parseStrict(soql);
  if ('detail' in parsed) {
    // The grammar's verdict; the column, where the sandbox's own parser can point at it.
    let column = 1;
    let detail = `unexpected token: ${parsed.detail}`;
    try {
      parseSoql(soql);
    } catch (error) {
      if (!(error instanceof SoqlSyntaxError)) throw error;
      column = error.column;
      if (error.detail.startsWith('unexpected token')) detail = error.detail;
    }
    return {
      problem: { errorCode: 'MALFORMED_QUERY', detail, message: soqlMessage(soql, column, detail) },
      paths: [],
    };
  }
  const checker = new Checker(schema, soql);
  try {
    checker.query(parsed.ast);
  } catch (error) {
    if (error instanceof Refusal) return { problem: error.problem, paths: checker.paths };
    throw error;
  }
  return { paths: checker.paths };
}
