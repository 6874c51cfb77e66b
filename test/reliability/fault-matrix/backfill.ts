/**
 * The backfill path (functions/backfill.ts, Shopify source): a shop
 * installed, its history export consumed through the production backfill
 * consumer. A backfill killed or failed midway fails its message; SQS
 * delivers it again and the backfill resumes from the checkpoint it stored
 * (shared/store/backfills.ts): every putBackfill is a checkpoint, and the
 * matrix cuts the run right after each one.
 */
import { createBackfillHandler } from '../../../functions/backfill.ts';
import { createShopifyAuthHandler } from '../../../functions/shopify-auth.ts';
import { createShopifyApp } from '../../../integrations/shopify/shopify-app.ts';
import { apiEvent } from '../../helpers/api-event.ts';
import type { ShopifySandbox } from '../../../sandbox/shopify/index.ts';
import { generateShopHistory, startShopifySandbox } from '../../../sandbox/shopify/index.ts';
import type { AcceptedOrders } from './invariant.ts';
import { lostItems, tenantItems } from './invariant.ts';
import type { CaseResult, MatrixPath } from './world.ts';
import { faultyConsumer, flushRecorder, logger, NOW, sqsQueue, store } from './world.ts';

const API_KEY = 'fm-api-key';
const API_SECRET = 'fm-api-secret-not-real';
const noWait = async () => {};
const ORDERS = generateShopHistory({
  orders: 4,
  customers: 2,
  seed: 97,
  currencyCode: 'EUR',
  start: '2025-09-01T00:00:00Z',
  end: '2026-05-20T00:00:00Z',
});

let sandbox: Promise<{ sandbox: ShopifySandbox; shopify: ReturnType<typeof createShopifyApp> }> | undefined;
function shopifyWorld() {
  sandbox ??= (async () => {
    let clock = Date.now();
    const s = await startShopifySandbox({
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      bulkPollsUntilDone: 1,
      now: () => (clock = Math.max(clock, Date.now())),
    });
    const shopify = createShopifyApp({
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      appUrl: 'https://app.clv-sync.test',
      adminOrigin: s.origin,
    });
    return { sandbox: s, shopify };
  })();
  return sandbox;
}

export async function stopShopifyWorld(): Promise<void> {
  if (sandbox) await (await sandbox).sandbox.stop();
}

function backfillPathFor(): MatrixPath {
  let expected: AcceptedOrders | undefined;
  let n = 0;
  return {
    name: 'backfill',
    async run(injector): Promise<CaseResult> {
      const { sandbox: s, shopify } = await shopifyWorld();
      const shop = `fm-backfill-${Math.random().toString(36).slice(2, 8)}-${n++}.myshopify.com`;
      const added = s.addShop(shop, { currencyCode: 'EUR' });
      for (const o of ORDERS) added.addOrder(o);
      const queue = sqsQueue(`backfill-${shop}`, 5, 1);
      const installed = await createShopifyAuthHandler({
        store,
        shopify,
        logger,
        requestBackfill: (m) => queue.send(m),
      })(
        apiEvent({
          method: 'POST',
          path: '/shopify/install',
          headers: { authorization: `Bearer ${s.sessionToken(shop)}` },
        }),
      );
      const tenantId = (JSON.parse(String(installed.body)) as { tenantId: string }).tenantId;
      const flushes = flushRecorder();
      const handler = createBackfillHandler({
        store: injector.store(store),
        shopify,
        logger,
        salesforceSecrets: async () => ({}),
        enqueueWriteback: injector.sender('writeback', flushes.send),
        clientOptions: { sleep: noWait },
        backfillOptions: { poll: { intervalMs: 1, sleep: noWait }, now: () => NOW },
      });
      await queue.drain(faultyConsumer(injector, handler));
      const visible = queue.deadLetters.map((m) => `backfill message ${m.body} dead-lettered`);
      if (!expected) {
        const t = await tenantItems(store, tenantId);
        expected = new Map(t.orders.map((o) => [`shopify:${String(o.orderId)}`, String(o.version)]));
      }
      const lost = await lostItems({
        store,
        tenantId,
        now: NOW,
        accepted: expected,
        flushRequests: flushes.requests,
      });
      return { lost: visible.length ? [] : lost, visible };
    },
  };
}
export const backfillPath = backfillPathFor();
