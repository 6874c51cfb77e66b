/**
 * The embedded stack of `npm start` as a whole: the Shopify and Salesforce sandboxes, DynamoDB Local, the
 * local SQS endpoint and its consumers, and serverless-offline serving the esbuild bundles on stage `local`,
 * with a tenant installed through the stack's own POST /shopify/install. A signed webhook goes in over
 * HTTP; the score lands in the stack's table and the metafields in the sandbox shop. Stopping leaves no
 * child process and no open port.
 *
 * The stack has its own DynamoDB Local (not the test run's), and assigns its settings onto this worker's
 * process.env, as `npm start` does with .env: the test's own tenant, secrets and ports first, then
 * .env.example through the same loader for everything else (its empty values included, which once took
 * every HTTP function down: test/local/readme-path.test.ts runs `npm start` itself).
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOPIFY_API_VERSION } from '../../integrations/shopify/shopify-app.ts';
import { applyEnvFile } from '../../shared/config/env-file.ts';
import { demoSettingsFromEnv, startLocalWorld, type LocalWorld } from '../../local/local-world.ts';
import { scanAll, scoresOf, tenantName, tenantSnapshot } from '../helpers/dynamo.ts';
import { WARM_UP_SHOP } from '../../local/warm-up.ts';
import { to18 } from '../../sandbox/salesforce/ids.ts';
import type { CanonicalOrder } from '../../sandbox/shopify/index.ts';
import { generateShopHistory, orderWebhookJson, signWebhook } from '../../sandbox/shopify/index.ts';
import { freePort } from './ports.ts';
import { descendantsOf, liveProcesses, type ProcessInfo } from './processes.ts';

const START_TIMEOUT_MS = 300_000; // the first serverless-offline start builds the esbuild bundles

async function answers(url: string): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(5000) }).then(
    () => true,
    () => false,
  );
}

describe('npm start: the embedded stack over HTTP (sandboxes, DynamoDB Local, SQS endpoint, serverless-offline)', () => {
  const tenantId = tenantName('stack');
  const shop = `${tenantId}.myshopify.com`;
  const orgId = to18(`00D${Math.random().toString(36).slice(2, 14).padEnd(12, '0')}`);
  const secret = `stack-test-secret-${Math.random().toString(36).slice(2)}`;
  const env = {
    CLV_DEMO_TENANT: tenantId,
    CLV_DEMO_SHOP: shop,
    CLV_DEMO_SALESFORCE_ORG_ID: orgId,
    CLV_DEMO_CURRENCY: 'USD',
    SHOPIFY_API_KEY: 'stack-test-key',
    SHOPIFY_API_SECRET: secret,
    SALESFORCE_CLIENT_SECRET: 'stack-test-salesforce-secret',
    CLV_LOCAL_SANDBOXES: 'true',
    LOG_LEVEL: 'WARN',
  };
  const lines: string[] = [];
  const collect = (line: string) => void lines.push(line);
  let world: LocalWorld;
  let httpPort: number;

  const post = (path: string, signed: { headers: Record<string, string>; body: string }) =>
    fetch(`${world.stack.url}${path}`, { method: 'POST', headers: signed.headers, body: signed.body });

  /** An order of a new customer, in the sandbox shop first, as Shopify has it when it sends the webhook. */
  function newOrder(seed: number): CanonicalOrder {
    const history = generateShopHistory({
      orders: 40,
      customers: 20,
      seed,
      currencyCode: 'USD',
      start: '2026-01-01T00:00:00Z',
      end: '2026-10-01T00:00:00Z',
    });
    const order = history.find((o) => o.customer && !o.test && !o.cancelledAt && o.refunds.length === 0);
    if (!order) throw new Error(`seed ${seed} made no plain customer order`);
    return order;
  }

  beforeAll(async () => {
    // The functions under serverless-offline read the app's secrets from this process's environment, as
    // `npm start` has them from .env; the settings below come from the same values.
    httpPort = await freePort();
    Object.assign(process.env, env, { SHOPIFY_APP_URL: `http://localhost:${httpPort}` });
    applyEnvFile(fileURLToPath(new URL('../../.env.example', import.meta.url)));
    const started = Date.now();
    world = await startLocalWorld(demoSettingsFromEnv({ ...env }), {
      httpPort,
      dynamoDbPort: 0,
      sqsPort: 0,
      log: collect,
    });
    await world.stack.idle(); // the install's backfill request, done before any test counts deliveries
    console.log(`local world up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await world?.stop();
  }, 60_000);

  it('installed the tenant through POST /shopify/install', () => {
    expect(world.stack.url).toBe(`http://localhost:${httpPort}`);
    expect(world.tenant.tenantId).toBe(tenantId);
    expect(lines.find((l) => l.startsWith('installed:'))).toContain(tenantId);
    // The install's access token is one the sandbox issued to the stack, so write-backs can reach the shop.
    expect(world.shopify!.shop(shop).metafieldDefinitions.some((d) => d.namespace === 'clv')).toBe(true);
  });

  it('warmed up before it said ready, and left nothing of the warm-up in the table', async () => {
    const warmed = lines.find((l) => l.startsWith('warmed up in'));
    expect(warmed, lines.join('\n')).toMatch(/^warmed up in [\d.]+ s: (\d+) table rounds, (\d+) webhooks$/);
    const [, rounds, webhooks] = /(\d+) table rounds, (\d+) webhooks/.exec(warmed!)!;
    expect(Number(rounds)).toBeGreaterThan(0);
    expect(Number(webhooks)).toBeGreaterThan(0); // each answered 404: the warm-up shop is nobody's
    const items = await scanAll(world.store);
    expect(items.filter((i) => String(i.pk).startsWith('LOCAL-WARM-UP#'))).toEqual([]);
    expect(items.filter((i) => JSON.stringify(i).includes(WARM_UP_SHOP))).toEqual([]);
  });

  it('a signed orders/create answers 200; the customer is scored and its clv metafields written to the shop', async () => {
    const sandboxShop = world.shopify!.shop(shop);
    const order = newOrder(11);
    sandboxShop.addOrder(order);
    const customerId = order.customer!.id;
    const signed = signWebhook({
      secret,
      topic: 'orders/create',
      shop,
      body: JSON.stringify(orderWebhookJson(order, sandboxShop)),
      apiVersion: SHOPIFY_API_VERSION,
    });
    const writesBefore = sandboxShop.writes.length;
    const response = await post('/shopify/webhooks', signed);
    const answer = await response.text();
    expect(response.status, answer).toBe(200);
    expect(answer).not.toContain('errorMessage'); // serverless-offline's 200 for a thrown handler
    await world.stack.idle();

    const scores = await scoresOf(world.store, tenantId);
    const score = [...scores.values()].find((s) => s.identities.includes(`shopify:${customerId}`));
    expect(score, lines.join('\n')).toBeDefined();
    const writes = sandboxShop.writes.slice(writesBefore).filter((w) => w.customerId === customerId);
    expect(writes.map((w) => w.key)).toContain('clv.predicted_clv');
    expect(sandboxShop.customers.get(customerId)!.metafields.get('clv.predicted_clv')?.value).toBe(
      String(score!.fields.predicted_clv),
    );
    expect(sandboxShop.customers.get(customerId)!.metafields.get('clv.tier')?.value).toBe(score!.fields.tier);
    for (const c of Object.values(world.stack.consumers)) expect(c.queue.deadLetters).toEqual([]);
  });

  it('a forged HMAC answers 401 and stores nothing', async () => {
    const sandboxShop = world.shopify!.shop(shop);
    const order = newOrder(12);
    sandboxShop.addOrder(order);
    const forged = signWebhook({
      secret: `${secret}-not`,
      topic: 'orders/create',
      shop,
      body: JSON.stringify(orderWebhookJson(order, sandboxShop)),
      apiVersion: SHOPIFY_API_VERSION,
    });
    const before = await tenantSnapshot(world.store, tenantId);
    const delivered = world.stack.consumers.score.queue.delivered;
    const writes = sandboxShop.writes.length;
    const response = await post('/shopify/webhooks', forged);
    expect(response.status).toBe(401);
    await world.stack.idle();
    expect(await tenantSnapshot(world.store, tenantId)).toBe(before);
    expect(world.stack.consumers.score.queue.delivered).toBe(delivered);
    expect(sandboxShop.writes.length).toBe(writes);
  });

  it('a correctly signed orders/create for a shop with no tenant answers 404', async () => {
    const sandboxShop = world.shopify!.shop(shop);
    const other = `nobody-${tenantId}.myshopify.com`;
    const signed = signWebhook({
      secret,
      topic: 'orders/create',
      shop: other,
      body: JSON.stringify(orderWebhookJson(newOrder(13), sandboxShop)),
      apiVersion: SHOPIFY_API_VERSION,
    });
    const before = await tenantSnapshot(world.store, tenantId);
    const response = await post('/shopify/webhooks', signed);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: `unknown shop ${other}` });
    expect(await tenantSnapshot(world.store, tenantId)).toBe(before);
  });

  it(
    'stop() leaves no serverless, esbuild or java process of the stack alive, and the port closed',
    { timeout: 60_000 },
    async () => {
      const ours = descendantsOf(process.pid);
      const offline = ours.find((p) => /\bserverless\b.*\boffline\b/.test(p.cmdline));
      const java = ours.filter((p) => /DynamoDBLocal/.test(p.cmdline));
      expect(offline, JSON.stringify(ours, null, 2)).toBeDefined();
      // Detached: serverless leads its own process group, so everything it started is found by group.
      expect(offline!.pgrp).toBe(offline!.pid);
      expect(java).toHaveLength(1);
      const stack: ProcessInfo[] = [...liveProcesses().filter((p) => p.pgrp === offline!.pgrp), ...java];
      expect(await answers(world.stack.url)).toBe(true);

      await world.stop();

      const stackPids = new Set(stack.map((p) => p.pid));
      const alive = liveProcesses();
      const left = alive.filter(
        (p) =>
          stackPids.has(p.pid) ||
          p.pgrp === offline!.pgrp ||
          (descendantsOf(process.pid, alive).some((d) => d.pid === p.pid) &&
            /serverless|esbuild|DynamoDBLocal|java/.test(p.cmdline)),
      );
      expect(left, JSON.stringify(left, null, 2)).toEqual([]);
      expect(await answers(world.stack.url)).toBe(false);
      expect(await answers(`http://127.0.0.1:${httpPort + 2}`)).toBe(false); // serverless-offline's lambda port
    },
  );
});
