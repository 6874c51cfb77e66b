/**
 * Bulk operations. `bulkOperationRunQuery` checks the inner query the way
 * Shopify does (valid against the schema, one top-level connection, at most
 * five connections nested at most two deep, a nested connection's parent
 * selecting `id`), and reports CREATED, then RUNNING for
 * `bulkPollsUntilDone` polls (`node(id:)`, `bulkOperation(id:)`,
 * `bulkOperations`, `currentBulkOperation`), then COMPLETED with a `url` to
 * the JSONL result (null when there are no objects). The query runs without
 * page sizes when it completes, with the access of the token that started
 * it: a field the token may not read fails the operation with errorCode
 * ACCESS_DENIED ("The provided operation `query` returned access denied due
 * to missing access scopes", BulkOperationErrorCode in Shopify's
 * introspection), not a userError at submission.
 *
 * How many may run at once is the API version's: "In API versions 2026-01
 * and higher, you can run up to five bulk query operations at a time per
 * shop" (and five bulk mutation operations); before, one of each type
 * (https://shopify.dev/docs/api/usage/bulk-operations/queries, …/imports).
 * Past the limit Shopify answers LIMIT_REACHED, "Bulk operations limit
 * reached. Please try again later." (BulkOperationUserErrorCode,
 * BulkMutationErrorCode); before 2026-01, OPERATION_IN_PROGRESS.
 *
 * The JSONL is Shopify's: one line per node of the top-level connection,
 * non-connection objects inline, each node of a nested connection on its own
 * line with `__parentId`. With `groupObjects: true` children follow their
 * parent directly; without it (the default from API 2026-01) Shopify
 * promises no grouping, and the sandbox writes every parent before any child
 * so a reader that relies on grouping fails here as it would there.
 *
 * `bulkOperationRunMutation` runs the mutation once per line of the staged
 * JSONL variables file; each result line is `{"data": …, "__lineNumber": n}`
 * (or `errors`), and metafield writes are recorded with via 'bulk'.
 */
import type { GraphQLCompositeType, GraphQLObjectType, SelectionSetNode } from 'graphql';
import { getNamedType, isListType, isNonNullType, isObjectType, Kind } from 'graphql';
import type { ExecContext } from './context.ts';
import { isoNow } from './context.ts';
import type { Prepared } from './executor.ts';
import { prepare, run } from './executor.ts';
import { gid } from './gid.ts';
import type { SelectionContext } from './selections.ts';
import { fieldsOn, isConnection } from './selections.ts';

export interface BulkOperationRecord {
  id: string;
  type: 'QUERY' | 'MUTATION';
  status: 'CREATED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELED' | 'CANCELING' | 'EXPIRED';
  errorCode: 'ACCESS_DENIED' | 'INTERNAL_SERVER_ERROR' | 'TIMEOUT' | null;
  createdAt: string;
  completedAt: string | null;
  objectCount: number;
  rootObjectCount: number;
  fileSize: number | null;
  url: string | null;
  /** The query, or the mutation run per line. */
  query: string;
  groupObjects: boolean;
  stagedUploadPath: string | null;
  /** Times it was read while not finished. */
  polls: number;
  /** The JSONL result, served at `url`. */
  result: string | null;
  scopes: string[];
}

const MAX_CONNECTIONS = 5;
const MAX_DEPTH = 2;

const running = (op: BulkOperationRecord) => op.status === 'CREATED' || op.status === 'RUNNING';

const concurrentLimit = (apiVersion: string) => (apiVersion >= '2026-01' ? 5 : 1);

/** The refusal of one more operation of a type, when as many as the version allows are running. */
function atLimit(
  ctx: ExecContext,
  type: BulkOperationRecord['type'],
): { message: string; code: 'LIMIT_REACHED' | 'OPERATION_IN_PROGRESS' } | null {
  const runningOps = [...ctx.shop.bulkOperations.values()].filter((op) => op.type === type && running(op));
  const limit = concurrentLimit(ctx.runtime.apiVersion);
  if (runningOps.length < limit) return null;
  if (limit > 1)
    return { message: 'Bulk operations limit reached. Please try again later.', code: 'LIMIT_REACHED' };
  return {
    message: `A bulk ${type.toLowerCase()} operation for this app and shop is already in progress: ${runningOps[0]!.id}.`,
    code: 'OPERATION_IN_PROGRESS',
  };
}

function create(
  ctx: ExecContext,
  type: BulkOperationRecord['type'],
  query: string,
  extra: Partial<BulkOperationRecord>,
) {
  const op: BulkOperationRecord = {
    id: gid('BulkOperation', ctx.runtime.nextId()),
    type,
    status: 'CREATED',
    errorCode: null,
    createdAt: isoNow(ctx),
    completedAt: null,
    objectCount: 0,
    rootObjectCount: 0,
    fileSize: null,
    url: null,
    query,
    groupObjects: false,
    stagedUploadPath: null,
    polls: 0,
    result: null,
    scopes: [...ctx.scopes],
    ...extra,
  };
  ctx.shop.bulkOperations.set(op.id, op);
  return op;
}

/** Why a query cannot run in bulk, or its prepared form. */
function checkBulkQuery(ctx: ExecContext, query: string): { prepared: Prepared } | { message: string } {
  const schema = ctx.runtime.schema;
  const prepared = prepare(ctx.runtime, query);
  if ('errors' in prepared) return { message: `Invalid bulk query: ${prepared.errors[0]!.message}` };
  const { operation, fragments } = prepared.prepared;
  if (operation.operation !== 'query')
    return { message: 'Invalid bulk query: bulk queries must be queries.' };
  if (operation.variableDefinitions?.length)
    return { message: 'Invalid bulk query: bulk queries cannot use variables.' };
  const sel: SelectionContext = { schema, fragments: new Map(fragments.map((f) => [f.name.value, f])) };
  const roots = fieldsOn(sel, operation.selectionSet, schema.getQueryType()!);
  const rootDef = roots.length === 1 ? schema.getQueryType()!.getFields()[roots[0]!.name.value] : undefined;
  if (!rootDef || !isConnection(getNamedType(rootDef.type)))
    return { message: 'Bulk queries must contain at least one connection, as their single top-level field.' };
  let connections = 0;
  const problems: string[] = [];
  // Walk the selection: count connections and their depth, and require the parent of a nested one to select `id`.
  const walk = (set: SelectionSetNode, type: GraphQLCompositeType, depth: number, inList: boolean) => {
    if (!isObjectType(type)) return;
    const fields = fieldsOn(sel, set, type);
    for (const f of fields) {
      const def = type.getFields()[f.name.value];
      if (!def || !f.selectionSet) continue;
      const named = getNamedType(def.type) as GraphQLCompositeType;
      if (isConnection(named)) {
        connections++;
        if (depth + 1 > MAX_DEPTH)
          problems.push('Bulk queries cannot contain connections with a nesting depth greater than 2.');
        if (inList)
          problems.push(
            'Queries that contain a connection field within a list field are not currently supported.',
          );
        if (depth >= 1 && !fields.some((x) => x.name.value === 'id' && !x.alias))
          problems.push(
            `The parent '${type.name}' field for a nested connection must select the 'id' field without an alias and must be of type 'ID!'. Connection fields without 'id': ${f.name.value}.`,
          );
        const conn = named as GraphQLObjectType;
        for (const part of fieldsOn(sel, f.selectionSet, conn)) {
          if (!part.selectionSet) continue;
          if (part.name.value === 'nodes')
            walk(
              part.selectionSet,
              getNamedType(conn.getFields().nodes!.type) as GraphQLCompositeType,
              depth + 1,
              false,
            );
          if (part.name.value === 'edges') {
            const edge = getNamedType(conn.getFields().edges!.type) as GraphQLObjectType;
            for (const n of fieldsOn(sel, part.selectionSet, edge))
              if (n.name.value === 'node' && n.selectionSet)
                walk(
                  n.selectionSet,
                  getNamedType(edge.getFields().node!.type) as GraphQLCompositeType,
                  depth + 1,
                  false,
                );
          }
        }
      } else {
        let t = def.type;
        if (isNonNullType(t)) t = t.ofType;
        walk(f.selectionSet, named, depth, inList || isListType(t));
      }
    }
  };
  walk(operation.selectionSet, schema.getQueryType()!, 0, false);
  if (connections > MAX_CONNECTIONS) problems.unshift('Bulk queries cannot contain more than 5 connections.');
  return problems.length ? { message: problems[0]! } : prepared;
}

export function runBulkQuery(ctx: ExecContext, args: { query: string; groupObjects: boolean }) {
  const checked = checkBulkQuery(ctx, args.query);
  if ('message' in checked)
    return {
      bulkOperation: null,
      userErrors: [{ field: ['query'], message: checked.message, code: 'INVALID' }],
    };
  const full = atLimit(ctx, 'QUERY');
  if (full) return { bulkOperation: null, userErrors: [{ field: null, ...full }] };
  return {
    bulkOperation: create(ctx, 'QUERY', args.query, { groupObjects: args.groupObjects }),
    userErrors: [],
  };
}

export function runBulkMutation(ctx: ExecContext, args: { mutation: string; stagedUploadPath: string }) {
  const refuse = (code: string, message: string, field: string[] | null) => ({
    bulkOperation: null,
    userErrors: [{ field, message, code }],
  });
  const prepared = prepare(ctx.runtime, args.mutation);
  if ('errors' in prepared)
    return refuse('INVALID_MUTATION', `Invalid bulk mutation: ${prepared.errors[0]!.message}`, ['mutation']);
  const op = prepared.prepared.operation;
  const fields = op.selectionSet.selections.filter((s) => s.kind === Kind.FIELD);
  if (op.operation !== 'mutation' || fields.length !== 1)
    return refuse(
      'INVALID_MUTATION',
      'Invalid bulk mutation: the document must be one mutation with one top-level field.',
      ['mutation'],
    );
  if (/^(bulkOperation|stagedUploads)/.test(fields[0]!.name.value))
    return refuse(
      'INVALID_MUTATION',
      `Invalid bulk mutation: ${fields[0]!.name.value} cannot run in a bulk operation.`,
      ['mutation'],
    );
  const file = ctx.runtime.uploads.file(args.stagedUploadPath, ctx.shop.id);
  if (file === undefined)
    return refuse(
      'NO_SUCH_FILE',
      "The JSONL file could not be found. Try uploading the file again, and check that you've entered the URL correctly for the stagedUploadPath mutation argument.",
      ['stagedUploadPath'],
    );
  const bad = file.split('\n').findIndex((line) => {
    if (!line.trim()) return false;
    try {
      const value: unknown = JSON.parse(line);
      return value === null || typeof value !== 'object' || Array.isArray(value);
    } catch {
      return true;
    }
  });
  if (bad >= 0)
    return refuse(
      'INVALID_STAGED_UPLOAD_FILE',
      `The staged upload file is not JSONL of variables: line ${bad + 1}.`,
      ['stagedUploadPath'],
    );
  const full = atLimit(ctx, 'MUTATION');
  if (full) return refuse(full.code, full.message, null);
  return {
    bulkOperation: create(ctx, 'MUTATION', args.mutation, { stagedUploadPath: args.stagedUploadPath }),
    userErrors: [],
  };
}

const completions = new WeakMap<BulkOperationRecord, Promise<void>>();

/**
 * A status read of an operation: it advances one step, and runs when it
 * completes. Reads that arrive while it runs wait for that one run, so a
 * bulk mutation never writes twice.
 */
export async function poll(ctx: ExecContext, op: BulkOperationRecord): Promise<void> {
  const completing = completions.get(op);
  if (completing) return completing;
  if (!running(op)) return;
  op.polls++;
  if (op.polls <= ctx.runtime.bulkPollsUntilDone) {
    op.status = 'RUNNING';
    return;
  }
  const done = complete(ctx, op);
  completions.set(op, done);
  return done;
}

async function complete(ctx: ExecContext, op: BulkOperationRecord): Promise<void> {
  const inner: ExecContext = { ...ctx, bulk: true, scopes: new Set(op.scopes) };
  const outcome = op.type === 'QUERY' ? await executeQuery(inner, op) : await executeMutation(inner, op);
  op.completedAt = isoNow(ctx);
  if ('errorCode' in outcome) {
    op.status = 'FAILED';
    op.errorCode = outcome.errorCode;
    return;
  }
  op.status = 'COMPLETED';
  op.objectCount = outcome.lines.length;
  op.rootObjectCount = outcome.roots;
  op.result = outcome.lines.map((l) => JSON.stringify(l)).join('\n') + (outcome.lines.length ? '\n' : '');
  op.fileSize = outcome.lines.length ? Buffer.byteLength(op.result) : null;
  op.url = outcome.lines.length ? `${ctx.runtime.origin}/bulk-results/${op.id.split('/').pop()}.jsonl` : null;
}

type Outcome =
  | { lines: Record<string, unknown>[]; roots: number }
  | { errorCode: 'ACCESS_DENIED' | 'INTERNAL_SERVER_ERROR' };

async function executeQuery(ctx: ExecContext, op: BulkOperationRecord): Promise<Outcome> {
  const schema = ctx.runtime.schema;
  const checked = checkBulkQuery(ctx, op.query);
  if ('message' in checked) return { errorCode: 'INTERNAL_SERVER_ERROR' };
  const { prepared } = checked;
  const result = await run(ctx.runtime, prepared, {}, ctx);
  if (result.errors?.some((e) => e.extensions?.code === 'ACCESS_DENIED'))
    return { errorCode: 'ACCESS_DENIED' };
  if (result.errors?.length || !result.data) return { errorCode: 'INTERNAL_SERVER_ERROR' };
  const sel: SelectionContext = {
    schema,
    fragments: new Map(prepared.fragments.map((f) => [f.name.value, f])),
  };
  const lines: Record<string, unknown>[] = [];
  const later: (() => void)[] = [];
  let roots = 0;

  const emitConnection = (
    set: SelectionSetNode,
    conn: GraphQLObjectType,
    value: unknown,
    parentId: string | undefined,
  ) => {
    if (!value || typeof value !== 'object') return;
    const v = value as Record<string, unknown>;
    const nodeType = getNamedType(conn.getFields().nodes!.type) as GraphQLCompositeType;
    for (const part of fieldsOn(sel, set, conn)) {
      const list = v[part.alias?.value ?? part.name.value];
      if (!Array.isArray(list) || !part.selectionSet) continue;
      if (part.name.value === 'nodes')
        for (const n of list) emitNode(part.selectionSet, nodeType, n, parentId);
      if (part.name.value === 'edges') {
        const edge = getNamedType(conn.getFields().edges!.type) as GraphQLObjectType;
        for (const nodeField of fieldsOn(sel, part.selectionSet, edge))
          if (nodeField.name.value === 'node' && nodeField.selectionSet)
            for (const e of list)
              emitNode(
                nodeField.selectionSet,
                nodeType,
                (e as Record<string, unknown>)[nodeField.alias?.value ?? 'node'],
                parentId,
              );
      }
    }
  };
  const emitNode = (
    set: SelectionSetNode,
    type: GraphQLCompositeType,
    value: unknown,
    parentId: string | undefined,
  ) => {
    if (!value || typeof value !== 'object' || !isObjectType(type)) return;
    const v = value as Record<string, unknown>;
    const line: Record<string, unknown> = {};
    const children: (() => void)[] = [];
    for (const f of fieldsOn(sel, set, type)) {
      const key = f.alias?.value ?? f.name.value;
      const def = type.getFields()[f.name.value];
      const named = def ? getNamedType(def.type) : undefined;
      if (named && isConnection(named) && f.selectionSet) {
        const childSet = f.selectionSet;
        children.push(() => emitConnection(childSet, named as GraphQLObjectType, v[key], v.id as string));
      } else line[key] = v[key];
    }
    if (parentId) line.__parentId = parentId;
    else roots++;
    lines.push(line);
    if (op.groupObjects) children.forEach((c) => c());
    else later.push(...children);
  };

  const root = fieldsOn(sel, prepared.operation.selectionSet, schema.getQueryType()!)[0]!;
  const rootType = getNamedType(
    schema.getQueryType()!.getFields()[root.name.value]!.type,
  ) as GraphQLObjectType;
  emitConnection(root.selectionSet!, rootType, result.data[root.alias?.value ?? root.name.value], undefined);
  while (later.length) later.shift()!();
  return { lines, roots };
}

async function executeMutation(ctx: ExecContext, op: BulkOperationRecord): Promise<Outcome> {
  const file = ctx.runtime.uploads.file(op.stagedUploadPath!, ctx.shop.id) ?? '';
  const prepared = prepare(ctx.runtime, op.query);
  if ('errors' in prepared) return { errorCode: 'INTERNAL_SERVER_ERROR' };
  const lines: Record<string, unknown>[] = [];
  const inputs = file.split('\n').filter((l) => l.trim());
  for (const [index, text] of inputs.entries()) {
    const outcome = await run(
      ctx.runtime,
      prepared.prepared,
      JSON.parse(text) as Record<string, unknown>,
      ctx,
    );
    lines.push({
      ...(outcome.errors?.length ? { errors: outcome.errors } : {}),
      ...(outcome.data ? { data: outcome.data } : {}),
      __lineNumber: index,
    });
  }
  return { lines, roots: inputs.length };
}
