/**
 * What every endpoint handler is given: the org, the sandbox's settings, the
 * server-side state of long-running things (query cursors, Bulk jobs, deploys),
 * and the parsed request. One object per sandbox, so two sandboxes in one test
 * process never see each other's state.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { KeyObject } from 'node:crypto';
import type { OrgState, SfRecord, TokenRecord } from './org-state.ts';
import { restError } from './reply.ts';
import type { QueryRun } from './soql-run.ts';

/**
 * Which Salesforce host a request reached: the org's own (its My Domain, also
 * its instance) or a stand-in for the shared login servers
 * login.salesforce.com / test.salesforce.com, which serve only the token
 * endpoint.
 */
export type SandboxHost = 'my-domain' | 'login.salesforce.com' | 'test.salesforce.com';

export interface SandboxSettings {
  apiVersion: string;
  clientId: string;
  clientSecret?: string;
  jwtPublicKey?: KeyObject;
  /** A sandbox org: its JWT audience is https://test.salesforce.com, not https://login.salesforce.com. */
  isSandboxOrg: boolean;
  /** Experience Cloud site URLs, also valid JWT audiences. */
  experienceSiteUrls: string[];
  /** The org's My Domain URL, also its instance URL: the server's origin. */
  origin: string;
  /** Rows per Bulk API 2.0 query result page when the client sends no maxRecords. */
  bulkQueryPageSize: number;
}

export interface QueryCursor {
  run: QueryRun;
  records: SfRecord[];
  batchSize: number;
  version: string;
}

export interface SandboxContext {
  org: OrgState;
  settings: SandboxSettings;
  cursors: Map<string, QueryCursor>;
  /** Bulk ingest and query jobs, deploys: owned by their modules, kept here per sandbox. */
  stores: Map<string, unknown>;
  /** Increments per 500 answer, so each carries a distinct ErrorId. */
  errorSeq: number;
}

export interface ApiRequest {
  method: string;
  /** The URL path, without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** `62.0` for `/services/data/v62.0/…` and `/services/Soap/m/62.0`. */
  version?: string;
  /** Path after `/services/data/vXX.X/`, split on '/'. */
  segments: string[];
  token?: TokenRecord;
}

/** A per-sandbox store, created on first use. */
export function store<T>(ctx: SandboxContext, key: string, create: () => T): T {
  let value = ctx.stores.get(key) as T | undefined;
  if (value === undefined) {
    value = create();
    ctx.stores.set(key, value);
  }
  return value;
}

/** Parses a JSON request body or fails as Salesforce does, with 400 JSON_PARSER_ERROR. */
export function readJson(req: ApiRequest): unknown {
  const text = req.body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    const at = /position (\d+)/.exec(detail);
    const column = at ? Number(at[1]) + 1 : 1;
    throw restError(400, 'JSON_PARSER_ERROR', `${detail} at [line:1, column:${column}]`);
  }
}
