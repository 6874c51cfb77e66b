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
import { appendFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { patchHttpServer } from './patch-http-server.ts';

const BEFORE_HANDLER = 'const lambdaFunction = this.#lambda.get(functionKey)';
const RUN_HANDLER = 'result = await lambdaFunction.runHandler()';
const GATE = Symbol.for('clv-sync.local.admission');

const setting = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

interface HapiResponse {
  statusCode: number;
  source: unknown;
  header(name: string, value: string): unknown;
}
interface Ticket {
  done(): void;
}

export class Admission {
  private running = 0;
  private readonly waiting: { admit: () => void; arrived: number }[] = [];
  /** Moving average of a handler's run time, for the wait a newcomer would face. */
  private serviceMs = 50;
  private readonly concurrency: number;
  private readonly maxWaitMs: number;
  private readonly timings: string | undefined;

  constructor(options: { concurrency: number; maxWaitMs: number; timings?: string }) {
    this.concurrency = options.concurrency;
    this.maxWaitMs = options.maxWaitMs;
    this.timings = options.timings;
  }

  /** The expected wait of a request arriving now, from the queue ahead of it and recent handler times. */
  expectedWaitMs(): number {
    const ahead = this.waiting.length + Math.max(0, this.running - this.concurrency + 1);
    return (ahead * this.serviceMs) / this.concurrency;
  }

  /**
   * A ticket once a slot is free, or null: refuse now, the wait would be too long. A request still waiting
   * after `maxWaitMs` is refused then, before its handler starts: the estimate lags when handlers suddenly
   * slow down (the first request of each function loads its bundle), and no request may wait unbounded.
   */
  async admit(functionKey: string, receivedAt: number): Promise<Ticket | null> {
    const arrived = Date.now();
    if (this.running >= this.concurrency) {
      if (this.expectedWaitMs() > this.maxWaitMs) return this.refused(functionKey, receivedAt, 0);
      const admitted = await new Promise<boolean>((settle) => {
        const waiter = {
          arrived,
          admit: () => {
            clearTimeout(timer);
            settle(true);
          },
        };
        const timer = setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          settle(false);
        }, this.maxWaitMs);
        this.waiting.push(waiter);
      });
      if (!admitted) return this.refused(functionKey, receivedAt, Date.now() - arrived);
    } else this.running++;
    const started = Date.now();
    let finished = false;
    return {
      done: () => {
        if (finished) return;
        finished = true;
        const handlerMs = Date.now() - started;
        this.serviceMs = 0.8 * this.serviceMs + 0.2 * handlerMs;
        this.record({ functionKey, receivedAt, waitMs: started - arrived, handlerMs, refused: false });
        const next = this.waiting.shift();
        // The slot passes to the next in line: `running` stays as it is.
        if (next) next.admit();
        else this.running--;
      },
    };
  }

  private refused(functionKey: string, receivedAt: number, waitMs: number): null {
    this.record({ functionKey, receivedAt, waitMs, handlerMs: 0, refused: true });
    return null;
  }

  /** API Gateway's shape of an answer (`{"message": …}`), with when to come back. */
  refuse(response: HapiResponse): HapiResponse {
    response.statusCode = 503;
    response.header('Content-Type', 'application/json');
    response.header('Retry-After', String(Math.max(1, Math.ceil(this.expectedWaitMs() / 1000))));
    response.source = JSON.stringify({ message: 'Service Unavailable' });
    return response;
  }

  private record(line: {
    functionKey: string;
    receivedAt: number;
    waitMs: number;
    handlerMs: number;
    refused: boolean;
  }): void {
    if (!this.timings) return;
    // hapi's request.info.received: when the request's first bytes were read; the rest is parsing.
    const answeredAt = Date.now();
    appendFileSync(
      this.timings,
      `${JSON.stringify({ ...line, totalMs: answeredAt - line.receivedAt, running: this.running, waiting: this.waiting.length })}\n`,
    );
  }
}

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
