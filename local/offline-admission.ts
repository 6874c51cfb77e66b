/**
 * Preloaded into serverless-offline's process (`node --import`, local/stack.ts), beside
 * offline-function-errors.ts: admission control for the HTTP functions, so a burst above what the machine
 * can serve is answered at once instead of queueing until the client gives up.
 *
 * Why: serverless-offline (14.8, src/events/http/HttpServer.js) starts every request's handler as soon as it
 * arrives, with no limit. Measured with bench/stack-load.ts (docs/local-stack-load.md), a burst above
 * capacity made every request slower together: each one shared the two cores with all the others, so the
 * median acknowledgement grew to 12.5 s and hundreds passed the client's 30 s. Shopify waits 5 s and
 * retries a delivery it got no answer for, adding to the load. Here at most `CLV_LOCAL_HTTP_CONCURRENCY`
 * handlers run at once; the others wait in arrival order, and one that would wait longer than
 * `CLV_LOCAL_HTTP_MAX_WAIT_MS` is answered 503 with `Retry-After` before its handler starts, so it was
 * never accepted and nothing is dropped: Shopify retries a 5xx ("Webhooks: troubleshooting", failed
 * deliveries are retried 8 times over 4 hours), as API Gateway itself answers a throttled request without
 * invoking the function (AWS, "Throttle requests to your HTTP APIs": the client gets 429 Too Many Requests;
 * 503 is what the issue asks, since Shopify treats every non-2xx alike).
 *
 * With `CLV_LOCAL_TIMINGS` set to a file path, one JSON line a request goes there (arrival, wait, handler,
 * status), for the load bench's breakdown.
 */
import { isMainThread } from 'node:worker_threads';
import { Admission } from './admission.ts';
import type { HttpActivityMessage } from './http-activity.ts';
import { patchHttpServer } from './patch-http-server.ts';

const BEFORE_HANDLER = 'const lambdaFunction = this.#lambda.get(functionKey)';
const RUN_HANDLER = 'result = await lambdaFunction.runHandler()';
const GATE = Symbol.for('clv-sync.local.admission');

const setting = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

const injectedBefore =
  `const __clvTicket = await globalThis[Symbol.for(${JSON.stringify(GATE.description)})].admit(functionKey, request.info.received);\n` +
  `      if (!__clvTicket) return globalThis[Symbol.for(${JSON.stringify(GATE.description)})].refuse(response);\n` +
  `      ${BEFORE_HANDLER}`;
const injectedRun = `try { ${RUN_HANDLER} } finally { __clvTicket.done() }`;

// Worker threads inherit --import; only the main thread serves HTTP.
if (isMainThread) {
  (globalThis as Record<symbol, unknown>)[GATE] = new Admission({
    concurrency: setting('CLV_LOCAL_HTTP_CONCURRENCY', 8),
    maxWaitMs: setting('CLV_LOCAL_HTTP_MAX_WAIT_MS', 2000),
    ...(process.env.CLV_LOCAL_TIMINGS ? { timings: process.env.CLV_LOCAL_TIMINGS } : {}),
    // The stack (local/stack.ts) listens on the IPC channel; without one (serverless-offline run by hand)
    // nobody is told.
    onActivity: (inFlight) => process.send?.({ clvHttpInFlight: inFlight } satisfies HttpActivityMessage),
  });
  patchHttpServer(
    'local/offline-admission.ts',
    [
      [BEFORE_HANDLER, injectedBefore],
      [RUN_HANDLER, injectedRun],
    ],
    'check how it runs a route handler and update the gate',
  );
}
