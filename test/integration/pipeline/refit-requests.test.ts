/**
 * Refit requests on DynamoDB Local and the local SQS queue, with the production handlers:
 * - coalesced per tenant: 50 settings saves before the refit starts queue one refit; a save landing
 *   while that refit runs queues one more, which runs after it and reads the new settings;
 * - the nightly schedule only fans out, through the deployed handler and the local SQS endpoint: N
 *   tenants, N messages on the refit queue, one per tenant's message group; each refit is its own
 *   message, so one tenant whose refit keeps failing (throttled at the DynamoDB client) ends in the
 *   dead-letter queue and the others are refitted.
 * The schedule test runs on a table of its own: the schedule lists every tenant of its table, and the
 * shared one holds other test files' tenants.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { createDashboardApiHandler } from '../../../functions/dashboard-api.ts';
import { createRefitRequestHandler } from '../../../functions/refit-requests.ts';
import { createShopifyApp } from '../../../integrations/shopify/shopify-app.ts';
import { createTable } from '../../../local/dynamodb-local.ts';
import { startSqsEndpoint, type SqsEndpoint } from '../../../local/sqs-endpoint.ts';
import { LocalQueue } from '../../../local/sqs-queue.ts';
import { RefitRequestSchema } from '../../../shared/pipeline/messages.ts';
import { getModel } from '../../../shared/store/models.ts';
import { pendingRefitRequest } from '../../../shared/store/refit-requests.ts';
import type { Store } from '../../../shared/store/store.ts';
import { createStore } from '../../../shared/store/store.ts';
import type { TenantSettings } from '../../../shared/store/tenants.ts';
import { putTenant } from '../../../shared/store/tenants.ts';
import { apiEvent } from '../../helpers/api-event.ts';
import { tenantName, testStore } from '../../helpers/dynamo.ts';
import { CDNOW_TODAY, seedCdnowShop } from '../../browser/cdnow-demo.ts';
import { signHs256 } from '../../../sandbox/shopify/jwt.ts';

const API_KEY = 'refit-requests-key';
const API_SECRET = 'refit-requests-secret-not-real';
const logger = new Logger({ serviceName: 'clv-test', logLevel: 'SILENT' });
const shopify = createShopifyApp({
  apiKey: API_KEY,
  apiSecret: API_SECRET,
  appUrl: 'https://app.clv-sync.test',
});
const NOW = CDNOW_TODAY + 86_400_000;

function sessionToken(shop: string): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: `https://${shop}/admin`, dest: `https://${shop}`, aud: API_KEY, sub: '42' };
  return signHs256(
    { ...claims, exp: now + 60, nbf: now, iat: now, jti: randomUUID(), sid: randomUUID() },
    API_SECRET,
  );
}

const settings = (horizonMonths: number) => ({
  defaultMarginRate: 0.4,
  horizonMonths,
  monthlyDiscountRate: 0.01,
  tierThresholds: { platinum: 0.05, gold: 0.2, silver: 0.5 },
  tags: true,
});

/** A store on `table` whose client runs `hook` before each command (faults and interleavings). */
function hookedStore(table: string, hook: (command: string, input: string) => Promise<void> | void): Store {
  const s = createStore({ tableName: table, endpoint: process.env.CLV_DYNAMODB_ENDPOINT });
  s.doc.middlewareStack.add(
    (next, context) => async (args) => {
      await hook(String(context.commandName), JSON.stringify(args.input));
      return next(args);
    },
    { step: 'initialize', name: 'testHook' },
  );
  return s;
}

describe('refit requests, coalesced per tenant', () => {
  it('50 saves queue one refit; a save during that refit queues one more, which reads the new settings', async () => {
    const store = testStore();
    const tenantId = tenantName('coalesce');
    const shop = `${tenantId}.myshopify.com`;
    const tenant = await putTenant(store, { tenantId, shopifyShop: shop, currency: 'USD' });
    await seedCdnowShop(store, tenant, { customers: 20 });
    const queue = new LocalQueue({ name: 'refit.fifo', batchSize: 1, maxReceiveCount: 3 });
    const api = createDashboardApiHandler({
      shopify,
      store,
      logger,
      requestRefit: (m) => queue.send(m, m.tenantId),
    });
    const save = async (horizonMonths: number) => {
      const res = await api(
        apiEvent({
          method: 'PUT',
          path: '/api/settings',
          headers: { authorization: `Bearer ${sessionToken(shop)}` },
          body: JSON.stringify(settings(horizonMonths)),
        }),
      );
      expect(res.statusCode).toBe(200);
      expect(JSON.parse(String(res.body))).toMatchObject({ rescore: 'queued' });
    };
    for (let i = 1; i <= 50; i++) await save(i);
    expect(queue.pending).toHaveLength(1);

    // The refit's settings, as each refit read them; a save lands once the first refit is reading scores.
    const horizons: number[] = [];
    let saved = false;
    const consumerStore = hookedStore(store.table, async (command, input) => {
      if (!saved && /Query/.test(command) && input.includes('"SCORED#"')) {
        saved = true;
        await save(60);
      }
    });
    consumerStore.doc.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        const item = (out.output as { Item?: { sk?: string; settings?: TenantSettings } }).Item;
        if (/^Get/.test(String(context.commandName)) && item?.sk === 'TENANT' && item.settings)
          horizons.push(item.settings.horizonMonths);
        return out;
      },
      { step: 'initialize', name: 'readSettings' },
    );
    const consume = createRefitRequestHandler({
      store: consumerStore,
      logger,
      now: () => NOW,
      enqueueWriteback: async () => {},
    });
    await queue.drain(consume);
    expect(saved).toBe(true);
    expect(queue.delivered).toBe(2);
    expect(queue.deadLetters).toEqual([]);
    expect(horizons).toEqual([50, 60]);
    expect(await pendingRefitRequest(store, tenantId)).toBeNull();
  }, 300_000);
});

describe('the nightly schedule fans out one refit message per tenant', () => {
  const table = `refit-schedule-${randomUUID().slice(0, 8)}`;
  let sqs: SqsEndpoint | undefined;
  afterAll(() => sqs?.close());

  it('N tenants give N messages; a tenant whose refit keeps failing is dead-lettered, the others are refitted', async () => {
    await createTable(process.env.CLV_DYNAMODB_ENDPOINT!, table);
    const store = createStore({ tableName: table, endpoint: process.env.CLV_DYNAMODB_ENDPOINT });
    const tenants = await Promise.all(
      Array.from({ length: 4 }, (_, i) => putTenant(store, { tenantId: `nightly-${i}`, currency: 'USD' })),
    );
    for (const t of tenants) await seedCdnowShop(store, t, { customers: 12 });
    const doomed = tenants[2]!.tenantId;
    const queue = new LocalQueue({ name: 'clv-refit.fifo', batchSize: 1, maxReceiveCount: 3 });
    sqs = await startSqsEndpoint({
      queues: new Map([['clv-refit.fifo', { fifo: true, accept: (m) => queue.sendRaw(m.body, m.groupId) }]]),
    });
    // The deployed handler, as the schedule invokes it: its store and queue come from the environment.
    Object.assign(process.env, {
      CLV_TABLE: table,
      CLV_SQS_ENDPOINT: sqs.origin,
      CLV_REFIT_QUEUE_URL: sqs.queueUrl('clv-refit.fifo'),
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    const { handler } = await import('../../../functions/refit.ts');
    const scheduled = { 'detail-type': 'Scheduled Event', source: 'aws.events' };
    const report = (await handler(scheduled, { awsRequestId: 'nightly' } as Context)) as unknown;
    expect(report).toMatchObject({ tenants: 4, queued: 4, pending: 0, failed: [] });
    const messages = queue.pending.map((m) => ({
      ...RefitRequestSchema.parse(JSON.parse(m.body)),
      group: m.groupId,
    }));
    expect(messages.map((m) => m.tenantId).sort()).toEqual(tenants.map((t) => t.tenantId).sort());
    for (const m of messages) expect(m.group).toBe(m.tenantId);
    // Asked again while those are queued (a retry of the schedule): nothing more is sent.
    expect(await handler(scheduled, { awsRequestId: 'retry' } as Context)).toMatchObject({
      queued: 0,
      pending: 4,
    });
    expect(queue.pending).toHaveLength(4);

    const consumerStore = hookedStore(table, (command, input) => {
      if (/Query/.test(command) && input.includes(`"T#${doomed}"`) && input.includes('"SCORED#"'))
        throw new ProvisionedThroughputExceededException({
          $metadata: {},
          message: 'Rate of requests exceeds the allowed throughput.',
        });
    });
    const consume = createRefitRequestHandler({
      store: consumerStore,
      logger,
      now: () => NOW,
      enqueueWriteback: async () => {},
    });
    const refittedBefore = new Map(
      await Promise.all(
        tenants.map(async (t) => [t.tenantId, (await getModel(store, t.tenantId))?.version] as const),
      ),
    );
    await queue.drain(consume);
    expect(queue.deadLetters.map((m) => JSON.parse(m.body).tenantId)).toEqual([doomed]);
    expect(queue.deadLetters[0]!.receiveCount).toBe(3);
    for (const t of tenants) {
      const version = (await getModel(store, t.tenantId))?.version;
      if (t.tenantId === doomed) expect(version).toBe(refittedBefore.get(t.tenantId));
      else expect(version).toBe(new Date(NOW).toISOString());
    }
  }, 300_000);
});
