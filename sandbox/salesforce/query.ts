/**
 * The REST query resources: `GET /query?q=SOQL` (and `/queryAll`) answers the
 * first page, `GET /query/{locator}` (queryMore) the next ones. Pages hold
 * 2,000 records, or what `Sforce-Query-Options: batchSize=N` asks for,
 * clamped to 200–2,000 as Salesforce clamps it; a page that is not the last
 * carries `nextRecordsUrl` (`/services/data/v62.0/query/01g…-2000`), which is
 * what jsforce's autoFetch and queryMore follow.
 */
import type { ApiRequest, QueryCursor, SandboxContext } from './context.ts';
import { KEY_PREFIX } from './ids.ts';
import type { Reply } from './reply.ts';
import { json, restError } from './reply.ts';
import { prepareQuery, runQuery, shapeRecord } from './soql-run.ts';

const DEFAULT_BATCH = 2000;

function batchSize(req: ApiRequest): number {
  const header = req.headers['sforce-query-options'];
  const m = typeof header === 'string' ? /batchSize\s*=\s*(\d+)/i.exec(header) : null;
  if (!m) return DEFAULT_BATCH;
  return Math.min(2000, Math.max(200, Number(m[1])));
}

export function handleQuery(ctx: SandboxContext, req: ApiRequest): Reply {
  const soql = req.query.get('q');
  if (!soql || !soql.trim()) throw restError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
  const bound = prepareQuery(ctx.org, soql);
  const run = runQuery(ctx.org, bound, req.segments[0] === 'queryAll');
  if (run.count) return json(200, { totalSize: run.records.length, done: true, records: [] }, { records: 0 });
  const cursor: QueryCursor = { run, records: run.records, batchSize: batchSize(req), version: req.version! };
  return page(ctx, cursor, 0, undefined);
}

export function handleQueryMore(ctx: SandboxContext, req: ApiRequest): Reply {
  const locator = req.segments[1] ?? '';
  const m = /^([0-9A-Za-z]{18})-(\d+)$/.exec(locator);
  const cursor = m ? ctx.cursors.get(m[1]!) : undefined;
  const offset = m ? Number(m[2]) : NaN;
  if (!m || !cursor || offset > cursor.records.length) {
    throw restError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
  }
  return page(ctx, cursor, offset, m[1]);
}

function page(ctx: SandboxContext, cursor: QueryCursor, offset: number, cursorId: string | undefined): Reply {
  const slice = cursor.records.slice(offset, offset + cursor.batchSize);
  const next = offset + slice.length;
  const done = next >= cursor.records.length;
  const body: Record<string, unknown> = { totalSize: cursor.records.length, done };
  if (!done) {
    const id = cursorId ?? ctx.org.ids.next(KEY_PREFIX.QueryLocator);
    ctx.cursors.set(id, cursor);
    body.nextRecordsUrl = `/services/data/v${cursor.version}/query/${id}-${next}`;
  } else if (cursorId) {
    ctx.cursors.delete(cursorId);
  }
  body.records = slice.map((r) => shapeRecord(ctx.org, cursor.run, r, cursor.version));
  return json(200, body, { records: slice.length });
}
