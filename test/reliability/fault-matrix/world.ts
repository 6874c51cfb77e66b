/**
 * What every path of the fault matrix shares: the table, the clock, the
 * queues as SQS delivers them (test/../local/sqs-queue.ts: partial batch
 * failures, receive counts, a dead-letter queue), and the matrix loop itself:
 * run the path clean to learn its boundaries, then once per (call, fault).
 */
import type { SQSEvent, Context } from 'aws-lambda';
import { createScoreHandler } from '../../../functions/score.ts';
import type { SqsHandler } from '../../../local/sqs-queue.ts';
import { LocalQueue } from '../../../local/sqs-queue.ts';
import type { WritebackMessage } from '../../../shared/pipeline/messages.ts';
import { testStore } from '../../helpers/dynamo.ts';
import { quietLogger } from '../figures.ts';
import type { Boundary, Fault, Plan } from './faults.ts';
import { casesOf, Injector } from './faults.ts';

export const store = testStore();
export const logger = quietLogger();
export const NOW = Date.parse('2026-06-01T00:00:00Z');

export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A queue as serverless.yml configures SQS: a failing message comes back, then dead-letters. */
export const sqsQueue = (name: string, maxReceiveCount = 5, batchSize = 10) =>
  new LocalQueue({ name, batchSize, maxReceiveCount });

/** An SQS consumer run through the injector: a killed batch fails whole, as Lambda reports it. */
export function faultyConsumer(injector: Injector, handler: SqsHandler): SqsHandler {
  return async (event: SQSEvent, context: Context) => {
    const out = await injector.invoke(() => handler(event, context));
    if (!out.ok) throw out.error;
    return out.value;
  };
}

/** Flush requests by target, as the write-back queue receives them. */
export function flushRecorder() {
  const requests = new Map<string, number>();
  return {
    requests,
    send: async (m: WritebackMessage) => void requests.set(m.target, (requests.get(m.target) ?? 0) + 1),
  };
}

/** The score queue drained by a healthy scoring consumer: what happens after the path under test. */
export async function drainScores(queue: LocalQueue, flushes = flushRecorder()): Promise<string[]> {
  await queue.drain(createScoreHandler({ store, logger, now: () => NOW, enqueueWriteback: flushes.send }));
  return queue.deadLetters.splice(0).map((m) => `score message ${m.body} dead-lettered`);
}

export interface CaseResult {
  /** Items lost for good: each names what, and no dead letter accounts for it. */
  lost: string[];
  /** Failures left visible (a dead letter with its reason, an answer Shopify or Salesforce shows as failed). */
  visible?: string[];
  /** The same field value written to a CRM more than once (at-least-once around a failed settle). */
  rewritten?: number;
}

/** A path of the matrix: one run, start to finish, through the injector's boundaries. */
export interface MatrixPath {
  name: string;
  run(injector: Injector, label: string): Promise<CaseResult>;
  /** Cases run at once (each in its own tenant); 1 where the path shares something (an org route). */
  parallel?: number;
}

export interface MatrixReport {
  path: string;
  boundaries: number;
  /** Boundaries faults were injected at (a run of one label: its first and last call). */
  boundariesTried: number;
  faultsTried: number;
  byFault: Partial<Record<Fault, number>>;
  notReached: number;
  itemsLost: number;
  visible: number;
  rewritten: number;
  losses: string[];
  calls: string[];
}

async function limited<T>(items: readonly T[], n: number, run: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

export async function runMatrix(path: MatrixPath): Promise<MatrixReport> {
  const clean = new Injector();
  const started = Date.now();
  const baseline = await path.run(clean, `${path.name}-clean`);
  if (process.env.FAULT_MATRIX_CALLS) console.log(`${path.name} clean run ${Date.now() - started} ms`);
  const boundaries: Boundary[] = clean.calls;
  const report: MatrixReport = {
    path: path.name,
    boundaries: boundaries.length,
    boundariesTried: 0,
    faultsTried: 0,
    byFault: {},
    notReached: 0,
    itemsLost: 0,
    visible: 0,
    rewritten: 0,
    losses: baseline.lost.map((l) => `clean run: ${l}`),
    calls: boundaries.map((b) => `#${b.index} ${b.label}`),
  };
  report.itemsLost += baseline.lost.length;
  const cases: Plan[] = casesOf(boundaries);
  report.boundariesTried = new Set(cases.map((c) => c.at)).size;
  await limited(cases, path.parallel ?? 6, async (plan) => {
    const injector = new Injector(plan);
    const out = await path.run(injector, `${path.name}-${plan.at}`);
    report.faultsTried++;
    report.byFault[plan.fault] = (report.byFault[plan.fault] ?? 0) + 1;
    if (!injector.fired) report.notReached++;
    report.itemsLost += out.lost.length;
    report.visible += out.visible?.length ?? 0;
    report.rewritten += out.rewritten ?? 0;
    const where = `${path.name} #${plan.at} ${boundaries[plan.at]?.label ?? '?'} ${plan.fault}`;
    for (const l of out.lost) report.losses.push(`${where}: ${l}`);
  });
  report.losses.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return report;
}
