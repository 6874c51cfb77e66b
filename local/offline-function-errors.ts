/**
 * Preloaded into serverless-offline's process (`node --import`, local/stack.ts): a function that throws, at
 * module init or while invoked, answers the way API Gateway's HTTP API answers it, 500 with
 * `{"message":"Internal Server Error"}` (AWS, "Troubleshooting issues with HTTP API Lambda integrations":
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-lambda.html), and
 * the error goes to the stack's log, not to the client.
 *
 * Why a shim: serverless-offline 14.8 (src/events/http/HttpServer.js, the hapi handler of each route) turns
 * the thrown error into a Lambda error object `{errorMessage, errorType, stackTrace}`; for an HTTP API
 * route with payload 2.0, its next step treats any result without a `statusCode` as a plain returned value
 * and wraps it as a 200 body. So a crashed webhook handler answered 200 with its stack trace, and Shopify
 * (or a test) took it as accepted. serverless-offline has no option for this. The shim rewrites that one
 * step when Node loads the file: right after the handler settles, an error returns our answer instead.
 * If serverless-offline changes that code, the anchor is not found and the stack refuses to start, saying
 * so, rather than silently answering 200 again.
 */
import { isMainThread } from 'node:worker_threads';
import { FUNCTION_ERROR_PREFIX } from './function-error-line.ts';
import { patchHttpServer } from './patch-http-server.ts';

/** The file, and the statement after which the route's handler has settled (`err` set when it threw). */
const ANCHOR = 'log.debug("_____ HANDLER RESOLVED _____")';
const ANSWER = Symbol.for('clv-sync.local.functionErrorAnswer');

interface HapiResponse {
  statusCode: number;
  source: unknown;
  header(name: string, value: string): unknown;
}

/** Our answer for a route whose function threw: what API Gateway sends, and the error in the log. */
function functionErrorAnswer(
  response: HapiResponse,
  error: unknown,
  route: { functionKey: string; method: string; path: string; isHttpApi: boolean },
): HapiResponse {
  const detail = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  process.stderr.write(
    `${FUNCTION_ERROR_PREFIX} ${route.functionKey} failed on ${route.method} ${route.path}; answered as API Gateway does:\n${detail}\n`,
  );
  // A REST API (`http` events; none in serverless.yml today) answers a function error 502 "Internal server
  // error" instead (AWS Lambda, "Handling Lambda errors with an API Gateway API").
  response.statusCode = route.isHttpApi ? 500 : 502;
  response.header('Content-Type', 'application/json');
  response.source = JSON.stringify({
    message: route.isHttpApi ? 'Internal Server Error' : 'Internal server error',
  });
  return response;
}

const injected =
  `${ANCHOR};\n` +
  '      if (err && endpoint.integration === "AWS_PROXY")\n' +
  `        return globalThis[Symbol.for(${JSON.stringify(ANSWER.description)})](response, err, ` +
  '{ functionKey, method: request.method.toUpperCase(), path: request.path, isHttpApi: Boolean(endpoint.isHttpApi) })';

// Worker threads inherit --import; only the main thread serves HTTP.
if (isMainThread) {
  (globalThis as Record<symbol, unknown>)[ANSWER] = functionErrorAnswer;
  patchHttpServer(
    'local/offline-function-errors.ts',
    [[ANCHOR, injected]],
    'check how it answers a function error and update the shim',
  );
}
