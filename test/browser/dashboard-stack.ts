/**
 * The dashboard's local stack for the browser tests: the web bundle built fresh, the page function and
 * the dashboard API behind one loopback server, and the refit queue as a LocalQueue drained in the
 * background by the production refit-request handler, as Lambda would consume it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import { createDashboardApiHandler } from '../../functions/dashboard-api.ts';
import { APP_PATH, createDashboardPageHandler, webAssets } from '../../functions/dashboard-page.ts';
import { createRefitRequestHandler } from '../../functions/refit-requests.ts';
import { createShopifyApp } from '../../integrations/shopify/shopify-app.ts';
import { LocalQueue } from '../../local/sqs-queue.ts';
import type { RefitRequest } from '../../shared/pipeline/messages.ts';
import type { Store } from '../../shared/store/store.ts';
import { buildWeb } from '../../web/build.ts';
import type { AppServer } from './app-server.ts';
import { startAppServer } from './app-server.ts';

export interface DashboardStack {
  server: AppServer;
  refitQueue: LocalQueue;
  writebackQueue: LocalQueue;
  /** Resolves when every refit asked for so far has run. */
  refitsDone(): Promise<void>;
  close(): Promise<void>;
}

export async function startDashboardStack(options: {
  store: Store;
  apiKey: string;
  apiSecret: string;
  now: () => number;
}): Promise<DashboardStack> {
  const { store, apiKey, apiSecret, now } = options;
  // Its own build directory: test files run in parallel, and web/dist is the deployable one.
  const dist = `${mkdtempSync(join(tmpdir(), 'clv-web-'))}/`;
  await buildWeb(dist);
  const logger = new Logger({
    serviceName: 'clv-test',
    logLevel: (process.env.TEST_LOG_LEVEL as 'ERROR' | undefined) ?? 'SILENT',
  });
  const refitQueue = new LocalQueue({ name: 'refit', batchSize: 1, maxReceiveCount: 3 });
  const writebackQueue = new LocalQueue({ name: 'writeback', batchSize: 10 });
  const consumeRefits = createRefitRequestHandler({
    store,
    logger,
    now,
    enqueueWriteback: (m) => writebackQueue.send(m),
  });
  let draining: Promise<void> = Promise.resolve();
  const api = createDashboardApiHandler({
    shopify: createShopifyApp({ apiKey, apiSecret, appUrl: 'https://app.clv-sync.test' }),
    store,
    logger,
    requestRefit: async (message: RefitRequest) => {
      await refitQueue.send(message);
      draining = draining.then(() => refitQueue.drain(consumeRefits));
    },
  });
  const page = createDashboardPageHandler({ apiKey, assets: webAssets(pathToFileURL(dist)) });
  const server = await startAppServer([
    { prefix: APP_PATH, handler: page },
    { prefix: '/api/', handler: api },
  ]);
  return {
    server,
    refitQueue,
    writebackQueue,
    refitsDone: () => draining,
    close: () => server.close(),
  };
}
