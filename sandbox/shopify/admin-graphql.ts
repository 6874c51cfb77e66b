/**
 * One request to `POST /admin/api/{version}/graphql.json`, after the token
 * was accepted: the body read as Shopify reads it, the document prepared,
 * its requested cost computed and taken from the shop's bucket (or the
 * request answered THROTTLED, HTTP 200, with nothing run), then run, the
 * unspent cost returned, and the cost reported in `extensions.cost` of
 * every answer.
 */
import type { ExecContext, SandboxRuntime } from './context.ts';
import type { QueryCost } from './cost.ts';
import { actualCost, MAX_SINGLE_QUERY_COST, requestedCost } from './cost.ts';
import { prepare, run } from './executor.ts';
import type { ShopifyError } from './graphql-errors.ts';
import { variableErrors } from './graphql-errors.ts';
import type { AccessTokenRecord } from './oauth.ts';
import type { ShopState } from './shop-state.ts';

export interface GraphqlExchange {
  status: number;
  body: unknown;
  operationName?: string;
  variables?: Record<string, unknown>;
  throttled?: boolean;
  cost?: QueryCost;
}

interface RequestBody {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

function readBody(contentType: string | undefined, raw: Buffer): RequestBody | { error: unknown } {
  const text = raw.toString('utf8');
  if (contentType?.startsWith('application/graphql')) return { query: text };
  try {
    const body: unknown = JSON.parse(text);
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      return { error: 'Request body must be a JSON object' };
    return body as RequestBody;
  } catch {
    return { error: 'Invalid JSON in request body' };
  }
}

export async function handleGraphql(
  runtime: SandboxRuntime,
  shop: ShopState,
  token: AccessTokenRecord,
  contentType: string | undefined,
  raw: Buffer,
  throttledByTest: () => boolean,
): Promise<GraphqlExchange> {
  const body = readBody(contentType, raw);
  if ('error' in body) return { status: 400, body: { errors: body.error } };
  if (typeof body.query !== 'string' || !body.query.trim())
    return { status: 400, body: { errors: { query: 'Required parameter missing or invalid' } } };
  let variables: Record<string, unknown> = {};
  try {
    const v = typeof body.variables === 'string' ? (JSON.parse(body.variables) as unknown) : body.variables;
    if (v !== undefined && v !== null) {
      if (typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
      variables = v as Record<string, unknown>;
    }
  } catch {
    return { status: 400, body: { errors: { variables: 'Required parameter missing or invalid' } } };
  }
  const bucket = shop.bucket;
  const answer = (
    status: number,
    content: Record<string, unknown>,
    cost: QueryCost,
    extra: Partial<GraphqlExchange> = {},
  ) => ({
    status,
    body: { ...content, extensions: { cost } },
    variables,
    cost,
    ...extra,
  });
  const free = (): QueryCost => ({
    requestedQueryCost: 0,
    actualQueryCost: 0,
    throttleStatus: bucket.status(),
  });

  const prepared = prepare(
    runtime,
    body.query,
    typeof body.operationName === 'string' ? body.operationName : null,
  );
  if ('errors' in prepared)
    return answer(200, { errors: prepared.errors }, free(), {
      ...(typeof body.operationName === 'string' ? { operationName: body.operationName } : {}),
    });
  const { operation, fragments } = prepared.prepared;
  const operationName = operation.name?.value;
  const named = operationName ? { operationName } : {};
  const invalid: ShopifyError[] = variableErrors(
    runtime.admin.schema,
    operation.variableDefinitions ?? [],
    variables,
  );
  if (invalid.length) return answer(200, { errors: invalid }, free(), named);

  const requested = requestedCost(runtime.schema, operation, fragments, variables);
  if (requested > MAX_SINGLE_QUERY_COST) {
    const cost = { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: bucket.status() };
    return answer(
      200,
      {
        errors: [
          {
            message: `Query cost is ${requested}, which exceeds the single query max cost limit (${MAX_SINGLE_QUERY_COST}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/api/usage/bulk-operations/queries for usage details.\n`,
            extensions: {
              code: 'MAX_COST_EXCEEDED',
              cost: requested,
              maxCost: MAX_SINGLE_QUERY_COST,
              documentation: 'https://shopify.dev/api/usage/rate-limits',
            },
          },
        ],
      },
      cost,
      named,
    );
  }
  if (throttledByTest() || !bucket.take(requested)) {
    const cost = { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: bucket.status() };
    return answer(
      200,
      {
        errors: [
          {
            message: 'Throttled',
            extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
          },
        ],
      },
      cost,
      { ...named, throttled: true },
    );
  }

  const ctx: ExecContext = { runtime, shop, scopes: new Set(token.scope.split(',')), bulk: false };
  const outcome = await run(runtime, prepared.prepared, variables, ctx);
  const actual = actualCost(runtime.schema, operation, fragments, variables, outcome.data);
  bucket.give(requested - actual);
  const cost = { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: bucket.status() };
  return answer(
    200,
    { ...(outcome.errors ? { errors: outcome.errors } : {}), data: outcome.data ?? null },
    cost,
    named,
  );
}
