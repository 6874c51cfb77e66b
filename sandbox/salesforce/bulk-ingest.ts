/**
 * Bulk API 2.0 ingest, the calls jsforce's `bulk2.loadAndWaitForResults` makes:
 *
 *   POST   /jobs/ingest                     {object, operation, contentType, lineEnding} → job, state Open
 *   PUT    /jobs/ingest/{id}/batches        text/csv → 201, no body
 *   PATCH  /jobs/ingest/{id}                {state: 'UploadComplete' | 'Aborted'}
 *   GET    /jobs/ingest/{id}                UploadComplete → InProgress → JobComplete, one step per poll
 *   GET    /jobs/ingest/{id}/successfulResults   "sf__Id","sf__Created",<uploaded columns>
 *   GET    /jobs/ingest/{id}/failedResults       "sf__Id","sf__Error",<uploaded columns>
 *   GET    /jobs/ingest/{id}/unprocessedrecords  <uploaded columns>
 *   DELETE /jobs/ingest/{id}
 *
 * Data is applied when the job completes. A job-level fault fails the whole
 * job as in Salesforce (state Failed with `errorMessage`): a column that is not
 * a field ("InvalidBatch : Field name not found : Foo"), line endings that
 * differ from the job's ("ClientInputError : LineEnding is invalid on user
 * data…"). Row faults fail their row only, with `sf__Error` as
 * `CODE:message:fields --`. An empty cell leaves a field unchanged; `#N/A`
 * nulls it.
 */
import type { ApiRequest, SandboxContext } from './context.ts';
import { readJson, store } from './context.ts';
import type { ColumnDelimiter, LineEnding } from './csv.ts';
import { DELIMITERS, fromCsv, toCsv } from './csv.ts';
import type { RecordError, StoredValue } from './field-values.ts';
import { KEY_PREFIX } from './ids.ts';
import { checkFields, checkId } from './record-writes.ts';
import type { Reply } from './reply.ts';
import { json, notFound, restError } from './reply.ts';
import { jobInfoCommon, routeBulkJobs } from './bulk-jobs.ts';

type IngestState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
const OPERATIONS = ['insert', 'update', 'delete'] as const;

interface IngestJob {
  id: string;
  object: string;
  operation: (typeof OPERATIONS)[number];
  lineEnding: LineEnding;
  columnDelimiter: ColumnDelimiter;
  state: IngestState;
  createdDate: number;
  modified: number;
  apiVersion: string;
  uploads: Buffer[];
  processed: number;
  failed: number;
  errorMessage?: string;
  results?: { successful: string; failed: string; unprocessed: string };
}

const jobsOf = (ctx: SandboxContext) => store(ctx, 'bulk-ingest', () => new Map<string, IngestJob>());

function info(ctx: SandboxContext, job: IngestJob, full: boolean) {
  return {
    ...jobInfoCommon(
      ctx,
      job,
      job.object,
      full
        ? { jobType: 'V2Ingest' }
        : { contentUrl: `services/data/v${job.apiVersion}/jobs/ingest/${job.id}/batches` },
    ),
    ...(full
      ? {
          numberRecordsProcessed: job.processed,
          numberRecordsFailed: job.failed,
          retries: 0,
          totalProcessingTime: job.state === 'JobComplete' ? 42 : 0,
          apiActiveProcessingTime: job.state === 'JobComplete' ? 21 : 0,
          apexProcessingTime: 0,
        }
      : {}),
    ...(job.errorMessage ? { errorMessage: job.errorMessage } : {}),
  };
}

export function handleIngest(ctx: SandboxContext, req: ApiRequest): Reply {
  return routeBulkJobs(ctx, req, { jobs: jobsOf, create: createJob, info, advance, route: routeJob });
}

function routeJob(ctx: SandboxContext, req: ApiRequest, job: IngestJob, sub: string | undefined): Reply {
  if (!sub) {
    if (req.method === 'PATCH') return changeState(ctx, job, req);
    if (req.method === 'DELETE') {
      if (job.state === 'Open' || job.state === 'InProgress') {
        throw restError(400, 'INVALIDJOB', `Job ${job.id} can't be deleted while in state ${job.state}`);
      }
      jobsOf(ctx).delete(job.id);
      return { status: 204 };
    }
    throw notFound();
  }
  if (sub === 'batches' && req.method === 'PUT') {
    if (job.state !== 'Open')
      throw restError(409, 'INVALIDJOB', `Job ${job.id} is not in state Open: ${job.state}`);
    const type = String(req.headers['content-type'] ?? '');
    if (!/^text\/csv(;|$)/i.test(type)) {
      throw restError(
        400,
        'INVALIDCONTENTTYPE',
        `Unsupported content type ${type || '(none)'}; send text/csv`,
      );
    }
    job.uploads.push(req.body);
    job.modified = ctx.org.now();
    return {
      status: 201,
      records: Math.max(
        0,
        req.body
          .toString('utf8')
          .split('\n')
          .filter((l) => l.trim()).length - 1,
      ),
    };
  }
  if (
    req.method === 'GET' &&
    (sub === 'successfulResults' || sub === 'failedResults' || sub === 'unprocessedrecords')
  ) {
    if (!job.results) {
      throw restError(400, 'INVALIDJOB', `Job ${job.id} is not complete: its state is ${job.state}`);
    }
    const body =
      sub === 'successfulResults'
        ? job.results.successful
        : sub === 'failedResults'
          ? job.results.failed
          : job.results.unprocessed;
    return { status: 200, headers: { 'Content-Type': 'text/csv' }, body };
  }
  throw notFound();
}

function createJob(ctx: SandboxContext, req: ApiRequest): Reply {
  const body = readJson(req) as Record<string, unknown>;
  const objectName = typeof body?.object === 'string' ? body.object : '';
  const object = ctx.org.schema.object(objectName);
  if (!object)
    throw restError(400, 'INVALIDJOB', `InvalidJob : Invalid sObject type: ${objectName || '(missing)'}`);
  const operation = body.operation as IngestJob['operation'];
  if (!OPERATIONS.includes(operation)) {
    throw restError(
      400,
      'INVALIDJOB',
      `InvalidJob : The sandbox supports operations ${OPERATIONS.join(', ')}, not ${String(body.operation)}`,
    );
  }
  if (body.contentType !== undefined && body.contentType !== 'CSV') {
    throw restError(400, 'INVALIDJOB', `InvalidJob : Invalid content type: ${String(body.contentType)}`);
  }
  const lineEnding = (body.lineEnding ?? 'LF') as LineEnding;
  if (lineEnding !== 'LF' && lineEnding !== 'CRLF')
    throw restError(400, 'INVALIDJOB', `InvalidJob : Invalid line ending: ${String(lineEnding)}`);
  const columnDelimiter = (body.columnDelimiter ?? 'COMMA') as ColumnDelimiter;
  if (!(columnDelimiter in DELIMITERS)) {
    throw restError(400, 'INVALIDJOB', `InvalidJob : Invalid column delimiter: ${String(columnDelimiter)}`);
  }
  const now = ctx.org.now();
  const job: IngestJob = {
    id: ctx.org.ids.next(KEY_PREFIX.BulkJob),
    object: object.name,
    operation,
    lineEnding,
    columnDelimiter,
    state: 'Open',
    createdDate: now,
    modified: now,
    apiVersion: req.version!,
    uploads: [],
    processed: 0,
    failed: 0,
  };
  jobsOf(ctx).set(job.id, job);
  return json(200, info(ctx, job, false));
}

function changeState(ctx: SandboxContext, job: IngestJob, req: ApiRequest): Reply {
  const { state } = (readJson(req) ?? {}) as { state?: string };
  if (state === 'UploadComplete') {
    if (job.state !== 'Open')
      throw restError(409, 'INVALIDJOB', `Job ${job.id} is not in state Open: ${job.state}`);
    job.state = 'UploadComplete';
  } else if (state === 'Aborted') {
    if (job.state === 'JobComplete' || job.state === 'Failed') {
      throw restError(409, 'INVALIDJOB', `Job ${job.id} is already ${job.state}`);
    }
    job.state = 'Aborted';
  } else {
    throw restError(400, 'INVALIDJOB', `InvalidJob : Invalid state: ${String(state)}`);
  }
  job.modified = ctx.org.now();
  return json(200, info(ctx, job, false));
}

/** One poll moves a job one step, so a client must really poll. */
function advance(ctx: SandboxContext, job: IngestJob): void {
  if (job.state === 'UploadComplete') job.state = 'InProgress';
  else if (job.state === 'InProgress') process(ctx, job);
  else return;
  job.modified = ctx.org.now();
}

function process(ctx: SandboxContext, job: IngestJob): void {
  const text = Buffer.concat(job.uploads).toString('utf8');
  const failJob = (message: string) => {
    job.state = 'Failed';
    job.errorMessage = message;
    job.results = { successful: '', failed: '', unprocessed: text };
  };
  if (text.trim() === '') return failJob('InvalidBatch : Empty batch');
  const hasCrlf = text.includes('\r\n');
  const hasBareLf = /(^|[^\r])\n/.test(text);
  if ((job.lineEnding === 'LF' && hasCrlf) || (job.lineEnding === 'CRLF' && hasBareLf)) {
    return failJob(
      `ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is ${job.lineEnding}`,
    );
  }
  let parsed: { header: string[]; rows: string[][] };
  try {
    parsed = fromCsv(text, job.columnDelimiter);
  } catch (err) {
    return failJob(`ClientInputError : ${err instanceof Error ? err.message : String(err)}`);
  }
  const object = ctx.org.schema.object(job.object)!;
  for (const column of parsed.header) {
    if (!ctx.org.schema.field(object, column))
      return failJob(`InvalidBatch : Field name not found : ${column}`);
  }
  const successful: string[][] = [['sf__Id', 'sf__Created', ...parsed.header]];
  const failed: string[][] = [['sf__Id', 'sf__Error', ...parsed.header]];
  for (const row of parsed.rows) {
    const values: Record<string, string> = {};
    parsed.header.forEach((column, i) => (values[column] = row[i] ?? ''));
    const outcome = applyRow(ctx, job, values);
    if (outcome.error) {
      failed.push(['', formatError(outcome.error), ...row]);
      job.failed++;
    } else successful.push([outcome.id, String(job.operation === 'insert'), ...row]);
    job.processed++;
  }
  job.state = 'JobComplete';
  job.results = {
    successful: toCsv(successful, job.columnDelimiter, job.lineEnding),
    failed: toCsv(failed, job.columnDelimiter, job.lineEnding),
    unprocessed: toCsv([parsed.header], job.columnDelimiter, job.lineEnding),
  };
}

function applyRow(
  ctx: SandboxContext,
  job: IngestJob,
  values: Record<string, string>,
): { id: string; error?: undefined } | { id?: undefined; error: RecordError } {
  const object = ctx.org.schema.object(job.object)!;
  const idKey = Object.keys(values).find((k) => k.toLowerCase() === 'id');
  const { [idKey ?? 'Id']: rawId, ...fields } = values;
  if (job.operation === 'insert') {
    if (rawId)
      return {
        error: {
          statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
          message: 'cannot specify Id in an insert call',
          fields: ['Id'],
        },
      };
    const { changes, errors } = checkFields(ctx.org, object, fields, 'csv');
    if (errors[0]) return { error: errors[0] };
    const record = ctx.org.insert(object.name, changes as Record<string, StoredValue>);
    for (const [field, value] of Object.entries(changes))
      ctx.org.writes.push({ sobject: object.name, id: record.Id, field, value });
    return { id: record.Id };
  }
  const idCheck = checkId(ctx.org, object, rawId);
  if (idCheck.error) return { error: idCheck.error };
  if (job.operation === 'delete') {
    ctx.org.get(object.name, idCheck.id)!.IsDeleted = true;
    return { id: idCheck.id };
  }
  const { changes, errors } = checkFields(ctx.org, object, fields, 'csv');
  if (errors[0]) return { error: errors[0] };
  ctx.org.commitUpdate(object.name, idCheck.id, changes);
  return { id: idCheck.id };
}

/** `CODE:message:Field --`, Salesforce's sf__Error format. */
function formatError(error: RecordError): string {
  return `${error.statusCode}:${error.message}:${error.fields.length > 0 ? `${error.fields.join(',')} ` : ''}--`;
}
