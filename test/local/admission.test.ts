/**
 * The local stack's admission gate (local/admission.ts) and the consumers' background mode
 * (local/queue-consumer.ts with local/http-activity.ts): what a burst above capacity is answered, and how the
 * queue work stays out of the way of the HTTP functions. Behaviour only; speed is the load bench's.
 */
import type { SQSEvent } from 'aws-lambda';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Admission, type HapiResponse } from '../../local/admission.ts';
import { HttpActivity, isHttpActivityMessage } from '../../local/http-activity.ts';
import { QueueConsumer } from '../../local/queue-consumer.ts';

function hapiResponse() {
  const headers: Record<string, string> = {};
  const response: HapiResponse & { headers: typeof headers } = {
    statusCode: 200,
    source: null,
    headers,
    header: (name, value) => void (headers[name] = value),
  };
  return response;
}

describe('admission gate', () => {
  it('runs `concurrency` handlers at once and admits the next in arrival order', async () => {
    const gate = new Admission({ concurrency: 2, maxWaitMs: 60_000 });
    const a = await gate.admit('f', Date.now());
    const b = await gate.admit('f', Date.now());
    const order: string[] = [];
    const c = gate.admit('f', Date.now()).then((t) => (order.push('c'), t));
    const d = gate.admit('f', Date.now()).then((t) => (order.push('d'), t));
    await sleep(20);
    expect(order).toEqual([]); // both slots taken
    a!.done();
    expect(await c).not.toBeNull();
    expect(order).toEqual(['c']);
    b!.done();
    expect(await d).not.toBeNull();
    expect(order).toEqual(['c', 'd']);
  });

  it('refuses, before any handler starts, a request that waited its longest', async () => {
    const gate = new Admission({ concurrency: 1, maxWaitMs: 30 });
    const busy = await gate.admit('f', Date.now());
    expect(await gate.admit('f', Date.now())).toBeNull();
    busy!.done();
    // The slot is free again: the next request runs at once.
    expect(await gate.admit('f', Date.now())).not.toBeNull();
  });

  it('refuses at once when the queue ahead would take longer than it may wait', async () => {
    const gate = new Admission({ concurrency: 1, maxWaitMs: 100 });
    const first = await gate.admit('f', Date.now());
    // 50 ms a handler (the starting estimate): two waiting make 100 ms, a third would wait longer.
    const waiting = [gate.admit('f', Date.now()), gate.admit('f', Date.now())];
    const settled: (string | null)[] = [];
    const third = gate.admit('f', Date.now()).then((t) => settled.push(t ? 'admitted' : 'refused'));
    await third;
    expect(settled).toEqual(['refused']);
    first!.done();
    for (const w of waiting) (await w)?.done();
  });

  it('answers a refusal 503 with Retry-After and API Gateway’s body', () => {
    const gate = new Admission({ concurrency: 1, maxWaitMs: 100 });
    const response = gate.refuse(hapiResponse()) as ReturnType<typeof hapiResponse>;
    expect(response.statusCode).toBe(503);
    expect(Number(response.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
    expect(response.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(String(response.source))).toEqual({ message: 'Service Unavailable' });
  });

  it('reports only when the requests in flight turn 0 or not', async () => {
    const reports: number[] = [];
    const gate = new Admission({ concurrency: 1, maxWaitMs: 60_000, onActivity: (n) => reports.push(n) });
    const a = await gate.admit('f', Date.now());
    const b = gate.admit('f', Date.now());
    expect(reports).toEqual([1]);
    a!.done();
    (await b)!.done();
    expect(reports).toEqual([1, 0]);
    const activity = new HttpActivity({ graceMs: 0 });
    for (const n of reports) {
      const message = { clvHttpInFlight: n };
      expect(isHttpActivityMessage(message)).toBe(true);
      activity.report(message);
    }
    expect(activity.busy).toBe(false);
    activity.report({ clvHttpInFlight: 3 });
    expect(activity.busy).toBe(true);
    expect(isHttpActivityMessage({ other: 1 })).toBe(false);
  });
});

describe('queue consumer in the background', () => {
  it('pauses between batches while the foreground is busy, and drains once it is quiet', async () => {
    let busy = true;
    const batches: number[] = [];
    const handler = async (event: SQSEvent) => {
      batches.push(event.Records.length);
      await sleep(20); // the batch's own time: the pause after it is 99 times that at share 0.01
      return { batchItemFailures: [] };
    };
    const consumer = new QueueConsumer(async () => handler, {
      name: 'it-background',
      batchSize: 2,
      background: { busy: () => busy, share: 0.01 },
    });
    for (let i = 0; i < 4; i++) consumer.accept({ body: JSON.stringify({ i }) });
    await sleep(300);
    expect(batches).toEqual([2]); // the second batch waits for the foreground
    expect(consumer.busy).toBe(true);
    busy = false;
    await consumer.idle();
    expect(batches).toEqual([2, 2]);
    expect(consumer.yieldedMs).toBeGreaterThan(0);
  });

  it('does not pause while the foreground is quiet', async () => {
    const batches: number[] = [];
    const consumer = new QueueConsumer(
      async () => async (event: SQSEvent) => (batches.push(event.Records.length), { batchItemFailures: [] }),
      { name: 'it-foreground-quiet', batchSize: 1, background: { busy: () => false, share: 0.01 } },
    );
    for (let i = 0; i < 3; i++) consumer.accept({ body: '{}' });
    await consumer.idle();
    expect(batches).toEqual([1, 1, 1]);
    expect(consumer.yieldedMs).toBe(0);
  });
});
