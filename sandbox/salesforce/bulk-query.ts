/**
 * Bulk API 2.0 query, the calls jsforce's `bulk2.query` makes:
 *
 *   POST   /jobs/query              {operation: 'query'|'queryAll', query, columnDelimiter?, lineEnding?}
 *   GET    /jobs/query/{id}         UploadComplete → InProgress → JobComplete, one step per poll
 *   GET    /jobs/query/{id}/results?locator=&maxRecords=
 *   PATCH  /jobs/query/{id}         {state: 'Aborted'}
 *   DELETE /jobs/query/{id}
 *
 * The SOQL is checked when the job is created (the same INVALID_FIELD /
 * MALFORMED_QUERY answers as the REST query resource) and run when the job
 * completes. Results are CSV, every value quoted, with the dotted path as the
 * header for parent fields (`BillToContact.Email`); each page carries
 * `Sforce-NumberOfRecords` and `Sforce-Locator`, which is the literal string
 * `null` on the last page. jsforce loops until it sees that `null`, so the
 * sandbox must send it exactly so.
 */
import type { ApiRequest, SandboxContext } from './context.ts';
import { readJson, store } from './context.ts';
import type { ColumnDelimiter, LineEnding } from './csv.ts';
import { DELIMITERS, toCsv } from './csv.ts';
import { KEY_PREFIX } from './ids.ts';
import type { Reply } from './reply.ts';
import { json, notFound, restError } from './reply.ts';
import { jobInfoCommon, routeBulkJobs } from './bulk-jobs.ts';
import type { BoundQuery } from './soql-run.ts';
import { flatRow, prepareQuery, runQuery } from './soql-run.ts';

type QueryState = 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

interface QueryJob {
  id: string;
  operation: 'query' | 'queryAll';
  bound: BoundQuery;
  lineEnding: LineEnding;
  columnDelimiter: ColumnDelimiter;
  state: QueryState;
  createdDate: number;
  modified: number;
  apiVersion: string;
  header?: string[];
  rows?: string[][];
}

const jobsOf = (ctx: SandboxContext) => store(ctx, 'bulk-query', () => new Map<string, QueryJob>());

function info(ctx: SandboxContext, job: QueryJob, full: boolean) {
  return {
    ...jobInfoCommon(ctx, job, job.bound.object.name, full ? { jobType: 'V2Query' } : {}),
    ...(full
      ? {
          numberRecordsProcessed: job.rows?.length ?? 0,
          retries: 0,
          totalProcessingTime: job.state === 'JobComplete' ? 42 : 0,
          isPkChunkingSupported: true,
        }
      : {}),
  };
}

export function handleBulkQuery(ctx: SandboxContext, req: ApiRequest): Reply {
  return routeBulkJobs(ctx, req, { jobs: jobsOf, create: createJob, info, advance, route: routeJob });
}

function routeJob(ctx: SandboxContext, req: ApiRequest, job: QueryJob, sub: string | undefined): Reply {
  if (!sub) {
    if (req.method === 'PATCH') {
      const { state } = (readJson(req) ?? {}) as { state?: string };
      if (state !== 'Aborted')
        throw restError(400, 'INVALIDJOB', `InvalidJob : Invalid state: ${String(state)}`);
      if (job.state === 'JobComplete')
        throw restError(409, 'INVALIDJOB', `Job ${job.id} is already JobComplete`);
      job.state = 'Aborted';
      job.modified = ctx.org.now();
      return json(200, info(ctx, job, false));
    }
    if (req.method === 'DELETE') {
      jobsOf(ctx).delete(job.id);
      return { status: 204 };
    }
    throw notFound();
  }
  if (sub === 'results' && req.method === 'GET') return results(ctx, job, req);
  throw notFound();
}

function createJob(ctx: SandboxContext, req: ApiRequest): Reply {
  const body = readJson(req) as Record<string, unknown>;
  const operation = body?.operation;
  if (operation !== 'query' && operation !== 'queryAll') {
    throw restError(400, 'INVALIDJOB', `InvalidJob : Invalid operation: ${String(operation)}`);
  }
  if (typeof body.query !== 'string' || !body.query.trim()) {
    throw restError(400, 'INVALIDJOB', 'InvalidJob : A query string has to be specified');
  }
  const bound = prepareQuery(ctx.org, body.query);
  if (bound.query.count)
    throw restError(400, 'INVALIDJOB', 'InvalidJob : COUNT() is not supported by Bulk API 2.0 query');
  if (bound.query.offset !== undefined)
    throw restError(400, 'INVALIDJOB', 'InvalidJob : OFFSET is not supported by Bulk API 2.0 query');
  // Bulk API 2.0 Developer Guide, "Understanding Bulk API 2.0 Query", Limits: no parent-to-child
  // relationship queries and no compound address fields (the wording of the refusal is ours).
  if (bound.children.length)
    throw restError(
      400,
      'INVALIDJOB',
      'InvalidJob : parent-to-child relationship queries are not supported by Bulk API 2.0 query',
    );
  const compound = bound.fields.find((f) => f.field.compound);
  if (compound)
    throw restError(
      400,
      'INVALIDJOB',
      `InvalidJob : compound field ${compound.names.join('.')} is not supported by Bulk API 2.0 query; query its components`,
    );
  const columnDelimiter = (body.columnDelimiter ?? 'COMMA') as ColumnDelimiter;
  if (!(columnDelimiter in DELIMITERS))
    throw restError(400, 'INVALIDJOB', `InvalidJob : Invalid column delimiter: ${String(columnDelimiter)}`);
  const lineEnding = (body.lineEnding ?? 'LF') as LineEnding;
  if (lineEnding !== 'LF' && lineEnding !== 'CRLF')
    throw restError(400, 'INVALIDJOB', `InvalidJob : Invalid line ending: ${String(lineEnding)}`);
  const now = ctx.org.now();
  const job: QueryJob = {
    id: ctx.org.ids.next(KEY_PREFIX.BulkJob),
    operation,
    bound,
    lineEnding,
    columnDelimiter,
    state: 'UploadComplete',
    createdDate: now,
    modified: now,
    apiVersion: req.version!,
  };
  jobsOf(ctx).set(job.id, job);
  return json(200, info(ctx, job, false));
}

function advance(ctx: SandboxContext, job: QueryJob): void {
  if (job.state === 'UploadComplete') job.state = 'InProgress';
  else if (job.state === 'InProgress') {
    const run = runQuery(ctx.org, job.bound, job.operation === 'queryAll');
    job.header = run.fields.map((f) => f.names.join('.'));
    job.rows = run.records.map((r) => flatRow(ctx.org, run, r));
    job.state = 'JobComplete';
  } else return;
  job.modified = ctx.org.now();
}

function results(ctx: SandboxContext, job: QueryJob, req: ApiRequest): Reply {
  if (job.state !== 'JobComplete' || !job.rows || !job.header) {
    throw restError(400, 'INVALIDJOB', `Job ${job.id} is not complete: its state is ${job.state}`);
  }
  const locator = req.query.get('locator');
  let offset = 0;
  if (locator) {
    offset = Number(Buffer.from(locator, 'base64').toString('utf8'));
    if (
      !/^[A-Za-z0-9+/=_-]+$/.test(locator) ||
      !Number.isInteger(offset) ||
      offset < 0 ||
      offset > job.rows.length
    ) {
      throw restError(400, 'INVALIDLOCATOR', `Invalid locator: ${locator}`);
    }
  }
  const maxParam = req.query.get('maxRecords');
  const pageSize = maxParam === null ? ctx.settings.bulkQueryPageSize : Number(maxParam);
  if (!Number.isInteger(pageSize) || pageSize <= 0) {
    throw restError(400, 'INVALIDMAXRECORDS', `Invalid maxRecords: ${maxParam}`);
  }
  const page = job.rows.slice(offset, offset + pageSize);
  const next = offset + page.length;
  // Salesforce's locator is the next offset, base64 without padding ("MTAwMDA" is 10000).
  const nextLocator =
    next < job.rows.length ? Buffer.from(String(next)).toString('base64').replace(/=+$/, '') : 'null';
  return {
    status: 200,
    headers: {
      'Content-Type': 'text/csv',
      'Sforce-Locator': nextLocator,
      'Sforce-NumberOfRecords': String(page.length),
    },
    body: toCsv([job.header, ...page], job.columnDelimiter, job.lineEnding),
    records: page.length,
  };
}
