/**
 * The routes Bulk API 2.0 answers alike for ingest and query jobs (Bulk API 2.0 Developer Guide, the job
 * resources listed in bulk-ingest.ts and bulk-query.ts): POST creates, GET on the collection lists every
 * job (one page, `nextRecordsUrl: null`), GET on a job reports it and, in the sandbox, moves it one step on.
 * An unknown job is a 404. What else a job answers is the kind's own.
 */
import type { ApiRequest, SandboxContext } from './context.ts';
import type { Reply } from './reply.ts';
import { json, notFound, sfDateTime } from './reply.ts';

export interface BulkJobKind<Job> {
  jobs(ctx: SandboxContext): Map<string, Job>;
  create(ctx: SandboxContext, req: ApiRequest): Reply;
  /** The job info resource; `full` adds the counters the list leaves out. */
  info(ctx: SandboxContext, job: Job, full: boolean): object;
  /** One step of processing, as one poll of the job sees it. */
  advance(ctx: SandboxContext, job: Job): void;
  /** Everything else on `/jobs/{kind}/{id}[/{sub}]`. */
  route(ctx: SandboxContext, req: ApiRequest, job: Job, sub: string | undefined): Reply;
}

export function routeBulkJobs<Job>(ctx: SandboxContext, req: ApiRequest, kind: BulkJobKind<Job>): Reply {
  const jobs = kind.jobs(ctx);
  const [, , jobId, sub] = req.segments; // jobs / {ingest|query} / {id} / {sub}
  if (!jobId) {
    if (req.method === 'POST') return kind.create(ctx, req);
    if (req.method === 'GET') {
      return json(200, {
        done: true,
        records: [...jobs.values()].map((j) => kind.info(ctx, j, false)),
        nextRecordsUrl: null,
      });
    }
    throw notFound();
  }
  const job = jobs.get(jobId);
  if (!job) throw notFound();
  if (!sub && req.method === 'GET') {
    kind.advance(ctx, job);
    return json(200, kind.info(ctx, job, true));
  }
  return kind.route(ctx, req, job, sub);
}

/** What every job of either kind carries, in the order Salesforce lists it; `kindFields` sit where each kind puts its own (jobType, contentUrl). */
export interface JobCommon {
  id: string;
  operation: string;
  state: string;
  createdDate: number;
  modified: number;
  apiVersion: string;
  lineEnding: string;
  columnDelimiter: string;
}

export function jobInfoCommon(
  ctx: SandboxContext,
  job: JobCommon,
  object: string,
  kindFields: object,
): object {
  return {
    id: job.id,
    operation: job.operation,
    object,
    createdById: ctx.org.userId,
    createdDate: sfDateTime(job.createdDate),
    systemModstamp: sfDateTime(job.modified),
    state: job.state,
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: Number(job.apiVersion),
    ...kindFields,
    lineEnding: job.lineEnding,
    columnDelimiter: job.columnDelimiter,
  };
}
