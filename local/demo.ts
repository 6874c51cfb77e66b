/**
 * `npm run demo`: clv-sync end to end on real purchase histories. Starts the Shopify and Salesforce
 * sandboxes and the embedded stack, turns the CDNOW master file into the demo shop's and org's orders
 * (local/demo/cdnow-world.ts), lets the install backfill the shop and a backfill message the org, delivers
 * the last four weeks as signed webhooks and outbound messages, runs the nightly refit, waits for every
 * write-back, then prints the report. Exits 1 unless every CDNOW customer was scored.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freeLoopbackPort } from './dynamodb-local.ts';
import { progress } from '../cli/progress.ts';
import { sqsSender } from '../shared/queue/sqs-sender.ts';
import { SHOPIFY_API_VERSION } from '../integrations/shopify/shopify-app.ts';
import { tenantReport } from '../shared/report/tenant-report.ts';
import { scorePages } from '../shared/store/scores.ts';
import { orderWebhookJson, signWebhook } from '../sandbox/shopify/index.ts';
import { planDemoWorld, readCdnowMaster } from './demo/cdnow-world.ts';
import { crmCallCounts, printDemoReport } from './demo/print-report.ts';
import { mapLimited } from '../shared/pipeline/map-limited.ts';
import { demoSettingsFromEnv, startLocalWorld } from './local-world.ts';
import { loadLocalEnv } from './local-env.ts';

const DEFAULT_DATA = fileURLToPath(new URL('../../shared/data/cdnow/CDNOW_master.txt', import.meta.url));
const OUTBOUND_FIELDS = [
  'AccountId',
  'BillToContactId',
  'EffectiveDate',
  'LastModifiedDate',
  'Status',
  'TotalAmount',
];

class DemoError extends Error {
  override name = 'DemoError';
}

const log = (line: string) => process.stderr.write(`${line}\n`);

async function timed<T>(timings: Map<string, number>, phase: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  log(`${phase}…`);
  try {
    return await work();
  } finally {
    timings.set(phase, (performance.now() - started) / 1000);
  }
}

async function main(): Promise<number> {
  // Ctrl-C: exit through process.exit, whose 'exit' handlers kill DynamoDB Local and serverless-offline.
  process.once('SIGINT', () => process.exit(130));
  loadLocalEnv(log);
  // The consumers run in this process: keep their INFO lines from burying the progress bars.
  process.env.LOG_LEVEL = process.env.CLV_DEMO_LOG_LEVEL || 'ERROR';
  // Their EMF metric lines too: stdout is the report's.
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const dataFile = process.env.CLV_DEMO_CDNOW || DEFAULT_DATA;
  if (!existsSync(dataFile))
    throw new DemoError(
      `${dataFile} not found: put the shared data folder beside the project, or set CLV_DEMO_CDNOW`,
    );
  const settings = { ...demoSettingsFromEnv(), sandboxes: true };
  const timings = new Map<string, number>();
  const started = performance.now();

  const plan = planDemoWorld(readCdnowMaster(dataFile), Date.now(), settings.currency);
  log(
    `CDNOW: ${plan.purchases} purchases of ${plan.customers} customers → ${plan.shopifyHistory.length} past and ` +
      `${plan.shopifyLive.length} live Shopify orders, ${plan.salesforceHistory.orders.length} past and ` +
      `${plan.salesforceLive.length} live Salesforce Orders (${plan.salesforceHistory.contacts.length} Contacts)`,
  );

  // Free ports: the demo runs beside an `npm start` without a clash.
  const world = await timed(timings, 'start the stack and install the demo tenant', async () =>
    startLocalWorld(settings, {
      httpPort: await freeLoopbackPort(),
      dynamoDbPort: 0,
      sqsPort: 0,
      log,
      seed: ({ shopify, salesforce }) => {
        const shop = shopify.shop(settings.shop);
        for (const order of plan.shopifyHistory) shop.addOrder(order);
        salesforce.org.load(plan.salesforceHistory);
      },
    }),
  );
  try {
    const shopify = world.shopify!;
    const salesforce = world.salesforce!;
    const { stack, tenant } = world;

    await timed(timings, 'backfill the shop (bulk query) and the org (SOQL), fit and score', async () => {
      // The install queued the shop's backfill; the org's is queued as `clv backfill --org` would.
      await sqsSender(
        stack.env.CLV_BACKFILL_QUEUE_URL,
        'CLV_BACKFILL_QUEUE_URL',
      )({
        tenantId: tenant.tenantId,
        source: 'salesforce',
      });
      await stack.idle();
    });

    await timed(timings, 'deliver the last four weeks: signed webhooks', async () => {
      const shop = shopify.shop(settings.shop);
      const bar = progress(plan.shopifyLive.length, 'webhooks');
      const statuses = new Map<number, number>();
      await mapLimited(plan.shopifyLive, 8, async (order) => {
        shop.addOrder(order);
        const body = JSON.stringify(orderWebhookJson(order, shop));
        const signed = signWebhook({
          secret: settings.shopifyApiSecret,
          topic: 'orders/create',
          shop: settings.shop,
          body,
          apiVersion: SHOPIFY_API_VERSION,
          triggeredAt: order.createdAt,
        });
        const response = await fetch(`${stack.url}/shopify/webhooks`, {
          method: 'POST',
          headers: signed.headers,
          body,
        });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        bar.advance();
      });
      bar.stop();
      if ([...statuses.keys()].some((s) => s !== 200))
        throw new DemoError(`webhooks answered ${JSON.stringify(Object.fromEntries(statuses))}`);
    });

    await timed(timings, 'deliver the last four weeks: outbound messages', async () => {
      salesforce.org.load({ orders: plan.salesforceLive, orderItems: plan.salesforceLiveItems });
      const bar = progress(plan.salesforceLive.length, 'outbound messages');
      const ids = plan.salesforceLive.map((o) => o.Id);
      for (let i = 0; i < ids.length; i += 100) {
        const batch = ids.slice(i, i + 100);
        const deliveries = await salesforce.sendOutbound({
          url: world.outboundUrl,
          sObject: 'Order',
          recordIds: batch,
          fields: OUTBOUND_FIELDS,
        });
        if (!deliveries.at(-1)?.acked)
          throw new DemoError(
            `an outbound message was not acknowledged: ${JSON.stringify(deliveries.at(-1))}`,
          );
        bar.advance(batch.length);
      }
      bar.stop();
      await stack.idle();
    });

    await timed(timings, 'nightly refit (the scheduled refit function) and write-back', async () => {
      // Lambda's Invoke API, as served by serverless-offline: the refit runs in its worker like in AWS.
      const lambdaPort = Number(new URL(stack.url).port) + 2;
      const response = await fetch(
        `http://127.0.0.1:${lambdaPort}/2015-03-31/functions/clv-sync-local-refit/invocations`,
        { method: 'POST', body: JSON.stringify({ 'detail-type': 'Scheduled Event', source: 'aws.events' }) },
      );
      const answer = await response.text();
      if (!response.ok || response.headers.get('x-amz-function-error'))
        throw new DemoError(`the refit failed: ${response.status} ${answer}`);
      await stack.idle();
    });

    // Every CDNOW customer should be exactly one scored customer; anything else is listed.
    let scored = 0;
    const byEmail = new Map<string, string[]>();
    const unexpected: string[] = [];
    for await (const page of scorePages(world.store, tenant.tenantId)) {
      scored += page.length;
      for (const s of page) {
        const emails = s.identities.filter((i) => i.startsWith('email:'));
        if (emails.length !== 1 || s.history.days.length === 0)
          unexpected.push(
            `${s.customerId} ${s.identities.join(' ')} (${s.history.days.length} purchase days)`,
          );
        for (const e of emails) byEmail.set(e, [...(byEmail.get(e) ?? []), s.customerId]);
      }
    }
    for (const [email, ids] of byEmail)
      if (ids.length > 1) unexpected.push(`${email} is ${ids.length} customers: ${ids.join(', ')}`);
    const report = await tenantReport(world.store, tenant.tenantId, { top: 10 });
    timings.set('total', (performance.now() - started) / 1000);
    process.stdout.write(
      printDemoReport({
        report,
        plan,
        scored,
        crmCalls: crmCallCounts(shopify, salesforce),
        deadLetters: Object.fromEntries(
          Object.entries(stack.consumers).map(([name, c]) => [name, c.queue.deadLetters.length]),
        ),
        timings,
      }),
    );
    if (scored !== plan.customers || unexpected.length) {
      log(`FAILED: ${scored} customers scored, CDNOW has ${plan.customers}`);
      for (const line of unexpected.slice(0, 20)) log(`  ${line}`);
      return 1;
    }
    return 0;
  } finally {
    await world.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`npm run demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
