/**
 * The sandbox's HTTP surface on loopback. Production code reaches it by
 * rewriting `https://{shop}/admin/...` to `${origin}/admin/...` with the shop
 * in `x-forwarded-host` (integrations/shopify/transport.ts); the shop is
 * read from that header, else from Host. Routes:
 *
 *   POST /admin/api/{version}/graphql.json   Admin GraphQL (X-Shopify-Access-Token)
 *   POST /admin/oauth/access_token           token exchange, refresh, authorization code
 *   POST /staged-uploads                     the storage form staged uploads post to
 *   GET  /bulk-results/{id}.jsonl            a finished bulk operation's result
 *   POST /sandbox/customers                  test control: a customer enters the shop (seeding.ts)
 *
 * Every request is recorded in `calls`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { handleGraphql } from './admin-graphql.ts';
import type { RandomFaults } from '../random-faults.ts';
import type { SandboxRuntime } from './context.ts';
import type { QueryCost } from './cost.ts';
import type { OAuthServer } from './oauth.ts';
import type { ShopState } from './shop-state.ts';
import { SEED_CUSTOMERS_PATH, seedCustomer } from './seeding.ts';

export interface SandboxCall {
  method: string;
  path: string;
  shop?: string;
  /** The GraphQL operation's name, for Admin API calls. */
  operationName?: string;
  variables?: Record<string, unknown>;
  status: number;
  throttled?: boolean;
  cost?: QueryCost;
  /** What went wrong inside the sandbox, for a 500. */
  error?: string;
  /** The random fault this call drew, if any (it never reached its resolvers). */
  fault?: string;
}

export interface ServerDeps {
  runtime: SandboxRuntime;
  shops: Map<string, ShopState>;
  oauth: OAuthServer;
  calls: SandboxCall[];
  /** True while a test asked for THROTTLED answers (consumes one). */
  throttledByTest: () => boolean;
  /** The random fault injector a test turned on, if any (drawn per request, by path). */
  randomFaults: () => RandomFaults | undefined;
}

const INVALID_TOKEN = '[API] Invalid API key or access token (unrecognized login or wrong password)';

interface Reply {
  status: number;
  body: string | Buffer;
  contentType: string;
  headers?: Record<string, string>;
}

const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({
  status,
  body: JSON.stringify(body),
  contentType: 'application/json; charset=utf-8',
  ...(headers ? { headers } : {}),
});

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function formOrJson(contentType: string | undefined, raw: Buffer): Record<string, unknown> | null {
  const text = raw.toString('utf8');
  if (contentType?.startsWith('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(text));
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

async function route(
  deps: ServerDeps,
  req: IncomingMessage,
  call: SandboxCall,
  throttled: boolean,
): Promise<Reply> {
  const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
  const method = req.method ?? 'GET';
  const host = String(req.headers['x-forwarded-host'] ?? req.headers.host ?? '')
    .split(',')[0]!
    .trim()
    .replace(/:\d+$/, '');
  const raw = await readAll(req);

  if (url.pathname === '/staged-uploads' && method === 'POST') {
    const r = await deps.runtime.uploads.receive(req.headers['content-type'], raw);
    return { status: r.status, body: r.body, contentType: r.contentType };
  }
  const result = /^\/bulk-results\/(\d+)\.jsonl$/.exec(url.pathname);
  if (result && method === 'GET') {
    const id = `gid://shopify/BulkOperation/${result[1]}`;
    for (const shop of deps.shops.values()) {
      const op = shop.bulkOperations.get(id);
      if (op?.status === 'COMPLETED' && op.result !== null)
        return { status: 200, body: op.result, contentType: 'application/jsonl' };
    }
    return {
      status: 404,
      contentType: 'application/xml; charset=UTF-8',
      body: "<?xml version='1.0' encoding='UTF-8'?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>",
    };
  }
  if (url.pathname === SEED_CUSTOMERS_PATH && method === 'POST') {
    const r = seedCustomer(deps.shops.get(host), formOrJson(req.headers['content-type'], raw));
    return json(r.status, r.body);
  }
  if (!url.pathname.startsWith('/admin/')) return json(404, { errors: 'Not Found' });

  const shop = deps.shops.get(host);
  if (!shop) return json(404, { errors: 'Not Found' });
  call.shop = shop.domain;

  if (url.pathname === '/admin/oauth/access_token') {
    if (method !== 'POST') return json(405, { errors: 'Method Not Allowed' }, { allow: 'POST' });
    const params = formOrJson(req.headers['content-type'], raw);
    if (!params)
      return json(400, { error: 'invalid_request', error_description: 'The request body could not be read' });
    const r = deps.oauth.token(shop.domain, params);
    return json(r.status, r.body);
  }

  const api = /^\/admin\/api\/([^/]+)\/graphql\.json$/.exec(url.pathname);
  if (!api || api[1] !== deps.runtime.apiVersion) return json(404, { errors: 'Not Found' });
  if (method !== 'POST') return json(405, { errors: 'Method Not Allowed' }, { allow: 'POST' });
  const token = deps.oauth.authenticate(
    req.headers['x-shopify-access-token'] as string | undefined,
    shop.domain,
  );
  if (!token) return json(401, { errors: INVALID_TOKEN });
  const exchange = await handleGraphql(
    deps.runtime,
    shop,
    token,
    req.headers['content-type'],
    raw,
    () => throttled || deps.throttledByTest(),
  );
  if (exchange.operationName) call.operationName = exchange.operationName;
  if (exchange.variables) call.variables = exchange.variables;
  if (exchange.throttled) call.throttled = true;
  if (exchange.cost) call.cost = exchange.cost;
  return json(exchange.status, exchange.body, { 'x-shopify-api-version': deps.runtime.apiVersion });
}

export function sandboxServer(deps: ServerDeps) {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const call: SandboxCall = {
      method: req.method ?? 'GET',
      path: new URL(req.url ?? '/', 'http://x').pathname,
      status: 0,
    };
    deps.calls.push(call);
    const random = deps.randomFaults();
    const fault = random?.draw(call.path);
    if (fault) call.fault = fault;
    if (fault === 'timeout' || fault === 'drop') {
      random!.abandon(req.socket, fault);
      return;
    }
    if (fault === '5xx') {
      // As Shopify's edge answers when the shop's pod is down: nothing behind it ran.
      call.status = 503;
      res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1' });
      res.end(JSON.stringify({ errors: 'Service Unavailable' }));
      return;
    }
    route(deps, req, call, fault === 'throttle')
      .catch((error: unknown): Reply => {
        call.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
        return json(500, { errors: 'Internal Server Error' });
      })
      .then((reply) => {
        call.status = reply.status;
        res.writeHead(reply.status, {
          'content-type': reply.contentType,
          'x-request-id': randomUUID(),
          ...reply.headers,
        });
        res.end(reply.body);
      });
  });
}
