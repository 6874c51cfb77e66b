/**
 * The loopback HTTP server: routes a request to its endpoint, and around every
 * endpoint does what Salesforce's front door does — the API version check
 * (an unknown version is 404 NOT_FOUND), the session check (401
 * INVALID_SESSION_ID; a SOAP fault for the Metadata API), the daily request
 * allowance (403 REQUEST_LIMIT_EXCEEDED, and `Sforce-Limit-Info` on every
 * answer) — plus the sandbox's own duties: injected faults and the call log.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { handleBulkQuery } from './bulk-query.ts';
import { handleIngest } from './bulk-ingest.ts';
import { handleCollectionsUpdate } from './collections.ts';
import type { ApiRequest, SandboxContext, SandboxHost } from './context.ts';
import type { RandomFaults } from '../random-faults.ts';
import type { FaultPlan } from './faults.ts';
import { faultError } from './faults.ts';
import { handleLimits, limitHeader, spendApiCall } from './limits.ts';
import { authenticateSoap, handleMetadata, parseSoapCall, soapFault } from './metadata-soap.ts';
import { authenticate, bearerToken, handleToken } from './oauth.ts';
import { handleQuery, handleQueryMore } from './query.ts';
import type { Reply } from './reply.ts';
import { ApiError, json, notFound, restError, unknownException } from './reply.ts';
import { handleSObjects } from './sobjects.ts';

export interface CallRecord {
  method: string;
  path: string;
  status: number;
  kind: string;
  records?: number;
  /** The random fault this call drew, if any (it never reached its handler). */
  fault?: string;
  /** Set when the call reached a stand-in for login.salesforce.com or test.salesforce.com. */
  host?: Exclude<SandboxHost, 'my-domain'>;
}

interface Route {
  kind: string;
  version?: string;
  segments: string[];
  api: 'rest' | 'soap' | 'oauth' | 'open';
}

function classify(method: string, path: string): Route {
  if (path === '/services/oauth2/token') return { kind: 'token', segments: [], api: 'oauth' };
  if (path === '/services/data' || path === '/services/data/')
    return { kind: 'versions', segments: [], api: 'open' };
  const soap = /^\/services\/Soap\/m\/(\d+\.\d)\/?$/.exec(path);
  if (soap) return { kind: 'metadata', version: soap[1], segments: [], api: 'soap' };
  const data = /^\/services\/data\/v(\d+\.\d)(?:\/(.*))?$/.exec(path);
  if (!data) return { kind: 'other', segments: [], api: 'open' };
  const segments = (data[2] ?? '').split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second] = segments;
  let kind = 'other';
  if (first === 'query' || first === 'queryAll') kind = segments.length > 1 ? 'queryMore' : 'query';
  else if (first === 'composite' && second === 'sobjects' && segments.length === 2) kind = 'collections';
  else if (first === 'jobs' && second === 'ingest') kind = 'bulk-ingest';
  else if (first === 'jobs' && second === 'query') kind = 'bulk-query';
  else if (first === 'limits') kind = 'limits';
  else if (first === 'sobjects') kind = 'sobject';
  else if (!first && method === 'GET') kind = 'resources';
  return { kind, version: data[1], segments, api: 'rest' };
}

/** Versions the org serves: 31.0 up to its own release. */
function supportedVersion(ctx: SandboxContext, version: string): boolean {
  const v = Number(version);
  return Number.isInteger(v) && v >= 31 && v <= Number(ctx.settings.apiVersion);
}

function dispatch(ctx: SandboxContext, route: Route, req: ApiRequest): Reply {
  switch (route.kind) {
    case 'query':
      if (req.method !== 'GET') throw methodNotAllowed(req.method, 'GET,HEAD');
      return handleQuery(ctx, req);
    case 'queryMore':
      if (req.method !== 'GET') throw methodNotAllowed(req.method, 'GET,HEAD');
      return handleQueryMore(ctx, req);
    case 'collections':
      if (req.method !== 'PATCH') {
        throw restError(
          405,
          'METHOD_NOT_ALLOWED',
          `The sandbox's sObject Collections serve updates (PATCH), not ${req.method}`,
        );
      }
      return handleCollectionsUpdate(ctx, req);
    case 'bulk-ingest':
      return handleIngest(ctx, req);
    case 'bulk-query':
      return handleBulkQuery(ctx, req);
    case 'limits':
      return handleLimits(ctx);
    case 'sobject':
      return handleSObjects(ctx, req);
    case 'resources': {
      const base = `/services/data/v${req.version}`;
      return json(200, {
        limits: `${base}/limits`,
        sobjects: `${base}/sobjects`,
        query: `${base}/query`,
        queryAll: `${base}/queryAll`,
        composite: `${base}/composite`,
        jobs: `${base}/jobs`,
      });
    }
    default:
      throw notFound();
  }
}

const methodNotAllowed = (method: string, allowed: string) =>
  restError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are ${allowed}`);

export function createSandboxServer(
  ctx: SandboxContext,
  faults: FaultPlan,
  calls: CallRecord[],
  random: () => RandomFaults | undefined,
  host: SandboxHost = 'my-domain',
): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => respond(ctx, faults, random(), calls, req, res, Buffer.concat(chunks), host));
    req.on('error', () => res.destroy());
  });
}

function respond(
  ctx: SandboxContext,
  faults: FaultPlan,
  random: RandomFaults | undefined,
  calls: CallRecord[],
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  host: SandboxHost,
): void {
  const url = new URL(req.url ?? '/', ctx.settings.origin);
  const method = req.method ?? 'GET';
  const classified = classify(method, url.pathname);
  // The shared login servers serve the token endpoint and nothing of the org's.
  const route: Route =
    host === 'my-domain' || classified.api === 'oauth'
      ? classified
      : { kind: 'other', segments: [], api: 'open' };
  const call: CallRecord = { method, path: url.pathname, status: 0, kind: route.kind };
  if (host !== 'my-domain') call.host = host;
  calls.push(call);

  const drawn = random?.draw(route.kind);
  if (drawn === 'timeout' || drawn === 'drop') {
    call.fault = drawn;
    random!.abandon(req.socket, drawn);
    return;
  }
  if (drawn) call.fault = drawn;
  // Throttled: the 503 Salesforce sheds load with; a server error: 500 UNKNOWN_EXCEPTION.
  const fault = drawn === 'throttle' ? '503' : drawn === '5xx' ? '500' : faults.take(route.kind);
  if (fault === 'drop') {
    // No answer at all: the client sees a reset connection, as on a network fault.
    req.socket.destroy();
    return;
  }

  const apiReq: ApiRequest = {
    method,
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    body,
    version: route.version,
    segments: route.segments,
  };
  let reply: Reply;
  let counted = false;
  try {
    if (fault) throw faultError(ctx, route.kind, fault);
    if (route.api === 'oauth') reply = handleToken(ctx, apiReq, host);
    else if (route.kind === 'versions') {
      const versions = [];
      for (let v = 31; v <= Number(ctx.settings.apiVersion); v++) {
        versions.push({ label: `API ${v}.0`, url: `/services/data/v${v}.0`, version: `${v}.0` });
      }
      reply = json(200, versions);
    } else if (route.api === 'soap') {
      if (!supportedVersion(ctx, route.version!)) {
        throw soapFault('UNSUPPORTED_API_VERSION', `Invalid Api version specified on URL: ${route.version}`);
      }
      const soapCall = parseSoapCall(apiReq);
      authenticateSoap(ctx, soapCall);
      counted = true;
      try {
        spendApiCall(ctx.org);
      } catch {
        throw soapFault('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
      }
      reply = handleMetadata(ctx, soapCall);
    } else if (route.api === 'rest') {
      if (!supportedVersion(ctx, route.version!)) throw notFound();
      apiReq.token = authenticate(ctx.org, bearerToken(apiReq));
      counted = true;
      spendApiCall(ctx.org);
      reply = dispatch(ctx, route, apiReq);
    } else {
      throw notFound();
    }
  } catch (err) {
    if (err instanceof ApiError) reply = err.reply;
    else {
      console.error('[salesforce sandbox] handler failed', err);
      reply = unknownException(++ctx.errorSeq).reply;
    }
  }
  const headers: Record<string, string> = { ...reply.headers };
  if (counted || (route.api === 'rest' && reply.status === 403)) Object.assign(headers, limitHeader(ctx.org));
  call.status = reply.status;
  if (reply.records !== undefined) call.records = reply.records;
  res.writeHead(reply.status, headers);
  res.end(reply.body ?? '');
}
