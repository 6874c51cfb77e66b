/**
 * The scoring path (functions/score.ts) and the refit (functions/refit.ts),
 * over orders ingested cleanly beforehand. SQS redelivers a scoring message
 * that failed (Powertools' processPartialResponse reports only the failed
 * ones; a killed batch fails whole), then dead-letters it; the refit's
 * schedule retries a failed invocation (EventBridge Scheduler retry policy).
 */
import { createRefitHandler } from '../../../functions/refit.ts';
import { createScoreHandler } from '../../../functions/score.ts';
import { ingestOrder } from '../../../shared/pipeline/ingest.ts';
import type { Order } from '../../../shared/store/order.ts';
import { putTenant } from '../../../shared/store/tenants.ts';
import { tenantName } from '../../helpers/dynamo.ts';
import { Injector } from './faults.ts';
import { lostItems, tenantItems } from './invariant.ts';
import type { CaseResult, MatrixPath } from './world.ts';
import { drainScores, faultyConsumer, flushRecorder, logger, NOW, sqsQueue, store } from './world.ts';

const DAY = 86_400_000;

/** A small shop: `customers` buyers, the first ones buying again. */
export function smallHistory(customers: number, seed: number): Order[] {
  const out: Order[] = [];
  for (let c = 0; c < customers; c++) {
    const orders = 1 + ((c + seed) % 3);
    for (let k = 0; k < orders; k++) {
      const placed = NOW - (200 - 37 * k - 11 * c) * DAY;
      out.push({
        source: 'shopify',
        orderId: String(6_200_000_000 + seed * 1000 + c * 10 + k),
        version: new Date(placed + 60_000).toISOString(),
        placedAt: new Date(placed).toISOString(),
        currency: 'EUR',
        value: 20 + ((c * 37 + k * 13) % 90),
        refunded: 0,
        margin: null,
        cancelled: false,
        customer: { shopifyCustomerId: String(8_800_000 + c), email: `fm.score.${c}@example.com` },
      });
    }
  }
  return out;
}

/** A shop-linked tenant whose orders are stored and queued for scoring. */
export async function tenantWithOrders(label: string, orders: readonly Order[]) {
  const tenantId = tenantName(label);
  const tenant = await putTenant(store, {
    tenantId,
    shopifyShop: `${tenantId}.myshopify.com`,
    currency: 'EUR',
  });
  const queue = sqsQueue(`score-${tenant.tenantId}`);
  for (const o of orders) await ingestOrder(store, tenant, o, (m) => queue.send(m), NOW);
  return { tenant, queue };
}

/** The scoring and the refit handler's dependencies: the store and the write-back queue behind the faults. */
const faultyScoringDeps = (injector: Injector, flushes: ReturnType<typeof flushRecorder>, now: number) => ({
  store: injector.store(store),
  logger,
  now: () => now,
  enqueueWriteback: injector.sender('writeback', flushes.send),
});

export const scoringPath: MatrixPath = {
  name: 'scoring',
  async run(injector, label): Promise<CaseResult> {
    const { tenant, queue } = await tenantWithOrders(label, smallHistory(2, 1));
    const flushes = flushRecorder();
    const handler = createScoreHandler(faultyScoringDeps(injector, flushes, NOW));
    await queue.drain(faultyConsumer(injector, handler));
    const dead = queue.deadLetters.map((m) => `score message ${m.body} dead-lettered`);
    const lost = await lostItems({
      store,
      tenantId: tenant.tenantId,
      now: NOW,
      flushRequests: flushes.requests,
    });
    return { lost: dead.length ? [] : lost, visible: dead };
  },
};

const REFIT_AT = NOW + 30 * DAY;
/** The schedule's retries of a failed refit (EventBridge Scheduler retries a failed target). */
const REFIT_ATTEMPTS = 3;

export const refitPath: MatrixPath = {
  name: 'refit',
  async run(injector, label): Promise<CaseResult> {
    const { tenant, queue } = await tenantWithOrders(label, smallHistory(6, 2));
    await drainScores(queue);
    const flushes = flushRecorder();
    const refit = createRefitHandler(faultyScoringDeps(injector, flushes, REFIT_AT));
    let ok = false;
    for (let attempt = 0; attempt < REFIT_ATTEMPTS && !ok; attempt++)
      ok = (await injector.invoke(() => refit({ tenantId: tenant.tenantId }))).ok;
    if (!ok) return { lost: [], visible: [`refit of ${tenant.tenantId} failed ${REFIT_ATTEMPTS} times`] };
    const lost = await lostItems({ store, tenantId: tenant.tenantId, now: REFIT_AT, modelVersion: true });
    // The refit's own outbox entries (scored at its clock) need a flush request of their own.
    const written = (await tenantItems(store, tenant.tenantId)).outbox.filter(
      (e) => Date.parse(String(e.scoredAt)) === REFIT_AT,
    );
    if (written.length && !flushes.requests.size)
      lost.push(`${written.length} outbox entries of the refit, no flush requested`);
    return { lost };
  },
};

/**
 * Two scorings of one customer in flight: the first reads the customer's
 * orders, a new order arrives and a second scoring runs to the end, then the
 * first writes what it computed from fewer orders. The hold is at the
 * first scoring's write (found by a clean run), a delay at the DynamoDB
 * boundary and nothing else.
 */
export async function concurrentScorings(label: string): Promise<{ lost: string[] }> {
  const [first, ...later] = smallHistory(1, 2);
  const handler = (i: Injector) =>
    createScoreHandler({ store: i.store(store), logger, now: () => NOW, enqueueWriteback: async () => {} });
  // Where a scoring writes: its first transaction, as a clean scoring of the same customer shows.
  const probe = new Injector();
  await (await tenantWithOrders(`${label}-probe`, [first!])).queue.drain(handler(probe));
  const at = probe.calls.findIndex((c) => c.label.startsWith('TransactWrite'));
  if (at < 0) throw new Error('a scoring makes no transaction: nothing to hold');

  const { tenant, queue } = await tenantWithOrders(label, [first!]);
  const slow = new Injector();
  let release!: () => void;
  let reached!: () => void;
  const reachedWrite = new Promise<void>((r) => (reached = r));
  slow.hold = { at, until: new Promise<void>((r) => (release = r)), reached };
  const slowRun = queue.drain(handler(slow));
  await reachedWrite;
  // Meanwhile the customer's next orders arrive and their scoring runs to the end.
  const other = sqsQueue(`score2-${tenant.tenantId}`);
  for (const o of later) await ingestOrder(store, tenant, o, (m) => other.send(m), NOW);
  await drainScores(other);
  release();
  await slowRun;
  await drainScores(queue);
  return { lost: await lostItems({ store, tenantId: tenant.tenantId, now: NOW }) };
}
