/**
 * The local stack's admission control for the HTTP functions (preloaded into serverless-offline by
 * offline-admission.ts, which says why): at most `concurrency` handlers at once, the others waiting in
 * arrival order, and a request that would wait longer than `maxWaitMs` refused before its handler starts.
 * With `timings`, one JSON line a request goes to that file (arrival, wait, handler, status), for the load
 * bench's breakdown; `onActivity` is told when the number of requests in flight turns 0 or not.
 */
import { appendFileSync } from 'node:fs';

export interface HapiResponse {
  statusCode: number;
  source: unknown;
  header(name: string, value: string): unknown;
}
export interface Ticket {
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

  /** Told when the number of requests in flight turns 0 or not (local/http-activity.ts). */
  private readonly onActivity: ((inFlight: number) => void) | undefined;
  private reported = 0;

  constructor(options: {
    concurrency: number;
    maxWaitMs: number;
    timings?: string;
    onActivity?: (inFlight: number) => void;
  }) {
    this.concurrency = options.concurrency;
    this.maxWaitMs = options.maxWaitMs;
    this.timings = options.timings;
    this.onActivity = options.onActivity;
  }

  private activityChanged(): void {
    const inFlight = this.running + this.waiting.length;
    if ((inFlight === 0) === (this.reported === 0)) return;
    this.reported = inFlight;
    this.onActivity?.(inFlight);
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
          this.activityChanged();
          settle(false);
        }, this.maxWaitMs);
        this.waiting.push(waiter);
        this.activityChanged();
      });
      if (!admitted) return this.refused(functionKey, receivedAt, Date.now() - arrived);
    } else {
      this.running++;
      this.activityChanged();
    }
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
        this.activityChanged();
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
