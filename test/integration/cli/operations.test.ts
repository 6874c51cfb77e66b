/**
 * The operations commands (backfill, refit, report, customer) through `main(argv, write, deps)`, against
 * DynamoDB Local with tenants seeded through the real pipeline. Only the queues are stood in for, at
 * the commands' boundary (deps.sendBackfill / deps.sendWriteback capture what would go to SQS).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../cli/main.ts';
import type { CustomerView } from '../../../cli/commands/customer.ts';
import type { OperationsDeps } from '../../../cli/commands/stack.ts';
import type { RefitReport } from '../../../shared/pipeline/refit-tenant.ts';
import { tenantReport } from '../../../shared/report/tenant-report.ts';
import { putBackfill } from '../../../shared/store/backfills.ts';
import { getModel } from '../../../shared/store/models.ts';
import type { StoredScore } from '../../../shared/store/scores.ts';
import { putTenant } from '../../../shared/store/tenants.ts';
import { scoresOf, tenantName, testStore } from '../../helpers/dynamo.ts';
import { orderStream } from '../../helpers/order-stream.ts';
import { seedShop } from '../../integration/report/referred-shop.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const store = testStore();
const NOW = Date.parse('2026-03-01T00:00:00Z');
const orders = orderStream({ orders: 700, customers: 220, seed: 41 });
/** The table and its endpoint, and no queue URL: what a command finds with nothing injected. */
const tableOnlyEnv = () => ({
  CLV_TABLE: process.env.CLV_TABLE,
  CLV_DYNAMODB_ENDPOINT: process.env.CLV_DYNAMODB_ENDPOINT,
});

interface Run {
  code: number;
  out: string;
  err: string;
}

async function clv(argv: string[], deps: OperationsDeps = {}): Promise<Run> {
  let out = '';
  let err = '';
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
  try {
    const code = await main(
      argv,
      (s) => {
        out += s;
        return true;
      },
      { now: () => NOW, ...deps },
    );
    return { code, out, err };
  } finally {
    stderr.mockRestore();
  }
}

describe('clv operations commands (DynamoDB Local)', () => {
  const tenantId = tenantName('ops');
  const shop = `${tenantId}.myshopify.com`;
  let scores: Map<string, StoredScore>;

  beforeAll(async () => {
    await seedShop(store, tenantId, orders, NOW);
    scores = await scoresOf(store, tenantId);
  }, 300_000);

  describe('report', () => {
    it('prints the tenant report as JSON, the same as tenantReport', async () => {
      const run = await clv(['report', '--tenant', tenantId, '--json', '--top', '5']);
      expect(run.code, run.err).toBe(0);
      const printed = JSON.parse(run.out) as unknown;
      expect(printed).toEqual(await tenantReport(store, tenantId, { top: 5, recent: 5, now: NOW }));
      expect((printed as { customers: number }).customers).toBe(scores.size);
    });

    it('prints readable tables: totals, histogram, tiers, top customers', async () => {
      const run = await clv(['report', '--tenant', tenantId]);
      expect(run.code, run.err).toBe(0);
      const best = [...scores.values()].sort((a, b) => b.fields.predicted_clv - a.fields.predicted_clv)[0]!;
      expect(run.out).toContain(`Customers: ${scores.size};`);
      expect(run.out).toMatch(/^tier\s+customers\s+predicted CLV$/m);
      expect(run.out).toMatch(/^platinum\s+\d+\s+[\d.]+$/m);
      expect(run.out).toContain('Predicted CLV (USD)');
      expect(run.out).toContain('Top customers');
      expect(run.out).toContain(best.customerId);
      expect(run.out).toMatch(/^Model: (bgnbd|mbgnbd|pareto-nbd) \(model/m);
    });
  });

  describe('customer', () => {
    const someone = () =>
      [...scores.values()].sort((a, b) => b.history.days.length - a.history.days.length)[0]!;

    it('finds a customer by email in any spelling and prints its fields, identities and history', async () => {
      const s = someone();
      const email = s.identities.find((k) => k.startsWith('email:'))!.slice(6);
      const run = await clv([
        'customer',
        '--tenant',
        tenantId,
        '--email',
        `  ${email.toUpperCase()}`,
        '--json',
      ]);
      expect(run.code, run.err).toBe(0);
      const view = JSON.parse(run.out) as CustomerView;
      expect(view.customerId).toBe(s.customerId);
      expect(view.identities).toEqual(s.identities);
      expect(view.score!.fields).toEqual(s.fields);
      expect(view.score!.detail).toEqual(s.detail);
      const shopifyId = s.identities.find((k) => k.startsWith('shopify:'))!.slice(8);
      const mine = orders.filter((o) => o.customer.shopifyCustomerId === shopifyId);
      expect(view.purchases.orders).toBe(new Set(mine.map((o) => o.orderId)).size);
      expect(view.purchases.purchaseDays).toBe(s.history.days.length);
      expect(view.purchases.totalValue).toBeCloseTo(
        s.history.values.reduce((a, b) => a + b, 0),
        2,
      );
      const text = await clv(['customer', '--tenant', tenantId, '--id', s.customerId]);
      expect(text.code, text.err).toBe(0);
      expect(text.out).toContain(`Customer ${s.customerId} in workspace ${tenantId}`);
      expect(text.out).toMatch(new RegExp(`^predicted_clv\\s+${String(s.fields.predicted_clv)}$`, 'm'));
      // The fields in the contract's order (ARCHITECTURE.md, "CRM fields"), whatever order DynamoDB returned.
      const fieldTable = text.out.slice(text.out.indexOf('CRM field'), text.out.indexOf('\ndetail'));
      const names = [...fieldTable.matchAll(/^([a-z_]+)\s{2,}\S.*$/gm)].map((m) => m[1]);
      const contractOrder =
        'predicted_clv historic_clv expected_orders p_alive churn_risk next_order_date segment tier referrals referral_value';
      expect(names).toEqual(contractOrder.split(' '));
      expect(text.out).toContain(`email:${email}`);
    });

    it('exits 2 with one clear line for an unknown email or id', async () => {
      const a = await clv(['customer', '--tenant', tenantId, '--email', 'nobody@example.net']);
      expect(a.code).toBe(2);
      expect(a.out).toBe('');
      expect(a.err).toBe(`clv: no customer with email nobody@example.net in workspace ${tenantId}\n`);
      const b = await clv(['customer', '--tenant', tenantId, '--id', 'c000']);
      expect(b.code).toBe(2);
      expect(b.err).toMatch(/^clv: no customer c000 in workspace .*\n$/);
    });
  });

  describe('refit', () => {
    it('refits in process, prints the report and asks for the write-back of changed fields', async () => {
      const later = NOW + 30 * 86_400_000;
      const sent: unknown[] = [];
      const run = await clv(['refit', '--tenant', tenantId, '--json'], {
        now: () => later,
        sendWriteback: async (m) => {
          sent.push(m);
        },
      });
      expect(run.code, run.err).toBe(0);
      const report = JSON.parse(run.out) as RefitReport & { writebacks: string[] };
      const after = await scoresOf(store, tenantId);
      expect(report.customers).toBe(after.size);
      const rescored = [...after.values()].filter((s) => s.scoredAt === new Date(later).toISOString());
      expect(report.changed).toBe(rescored.length);
      expect(report.changed).toBeGreaterThan(0);
      // The model the refit stored: a fit, or the labelled heuristic when the chosen model did not converge.
      const model = (await getModel(store, tenantId))!;
      expect(model.version).toBe(new Date(later).toISOString());
      expect(report.method).toBe(model.method);
      expect(report.model).toBe(
        model.purchaseModel
          ? `${model.purchaseModel.name}+${model.spendModel ? 'gammaGamma' : 'pooledMean'}`
          : 'heuristic',
      );
      expect(sent).toEqual([{ tenantId, target: 'shopify' }]);
      expect(report.writebacks).toEqual(['shopify']);
    });

    it('prints the model, customers, changed and seconds as a table, and asks nothing when nothing changed', async () => {
      const later = NOW + 30 * 86_400_000;
      const sent: unknown[] = [];
      const run = await clv(['refit', '--tenant', tenantId], {
        now: () => later,
        sendWriteback: async (m) => {
          sent.push(m);
        },
      });
      expect(run.code, run.err).toBe(0);
      expect(run.out).toMatch(/^model\s+(heuristic|\S+\+\S+)$/m);
      expect(run.out).toMatch(/^method\s+(model|heuristic)$/m);
      expect(run.out).toMatch(new RegExp(`^customers\\s+${scores.size}$`, 'm'));
      expect(run.out, run.out).toMatch(/^changed\s+0$/m);
      expect(run.out).toMatch(/^seconds\s+\d+\.\d\d s$/m);
      expect(run.out).toContain('No CRM field changed: no write-back requested.');
      expect(sent).toEqual([]);
    });

    it('refuses to start without a write-back queue for a linked workspace', async () => {
      const run = await clv(['refit', '--tenant', tenantId], { env: tableOnlyEnv() });
      expect(run.code).toBe(2);
      expect(run.err).toMatch(/^clv: CLV_WRITEBACK_QUEUE_URL is not set: set it to .*\n$/);
    });
  });

  describe('backfill', () => {
    it('routes a shop to its workspace and queues the install flow’s backfill message', async () => {
      const sent: unknown[] = [];
      const run = await clv(['backfill', '--shop', shop], { sendBackfill: async (m) => void sent.push(m) });
      expect(run.code, run.err).toBe(0);
      expect(sent).toEqual([{ tenantId, source: 'shopify' }]);
      expect(run.out).toContain(`history import for workspace ${tenantId} (${shop})`);
      expect(run.out).toContain('No earlier import is recorded for it.');
    });

    it('says when a finished Shopify import will not be repeated', async () => {
      await putBackfill(store, tenantId, {
        source: 'shopify',
        status: 'done',
        operationId: 'gid://shopify/BulkOperation/1',
        ordersRecorded: orders.length,
        customers: scores.size,
        startedAt: new Date(NOW - 3_600_000).toISOString(),
        updatedAt: new Date(NOW).toISOString(),
      });
      const sent: unknown[] = [];
      const run = await clv(['backfill', '--shop', shop], { sendBackfill: async (m) => void sent.push(m) });
      expect(run.code, run.err).toBe(0);
      expect(sent).toHaveLength(1);
      expect(run.out).toContain(`Previous import: done, ${orders.length} orders recorded`);
      expect(run.out).toContain('the consumer will skip this request');
    });

    it('routes a Salesforce org by its 15- or 18-character id', async () => {
      const orgTenant = tenantName('ops-org');
      const org = `00D${Math.random().toString(36).slice(2, 8).padEnd(6, 'x')}ABCDEF`;
      await putTenant(store, { tenantId: orgTenant, salesforceOrgId: org, currency: 'USD' });
      const sent: unknown[] = [];
      const run = await clv(['backfill', '--org', `${org}XYZ`], {
        sendBackfill: async (m) => void sent.push(m),
      });
      expect(run.code, run.err).toBe(0);
      expect(sent).toEqual([{ tenantId: orgTenant, source: 'salesforce' }]);
    });

    it('exits 2 for a shop no workspace is linked to, sending nothing', async () => {
      const sent: unknown[] = [];
      const run = await clv(['backfill', '--shop', 'nobody-here-xyz.myshopify.com'], {
        sendBackfill: async (m) => void sent.push(m),
      });
      expect(run.code).toBe(2);
      expect(run.err).toBe(
        'clv: no workspace is linked to shop nobody-here-xyz.myshopify.com: install the app on the shop first\n',
      );
      expect(sent).toEqual([]);
    });

    it('exits 2 without a backfill queue URL when none is injected', async () => {
      const run = await clv(['backfill', '--shop', shop], { env: tableOnlyEnv() });
      expect(run.code).toBe(2);
      expect(run.err).toMatch(/^clv: CLV_BACKFILL_QUEUE_URL is not set/);
    });
  });

  it('exits 2 with one actionable line without CLV_TABLE or for an unknown workspace', async () => {
    for (const argv of [
      ['report', '--tenant', tenantId],
      ['refit', '--tenant', tenantId],
      ['customer', '--tenant', tenantId, '--id', 'c1'],
    ]) {
      const run = await clv(argv, { env: {} });
      expect(run.code, argv[0]).toBe(2);
      expect(run.err).toMatch(/^clv: CLV_TABLE is not set: set it to the stack's DynamoDB table .*\n$/);
    }
    const unknown = await clv(['report', '--tenant', 'no-such-workspace']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(
      new RegExp(
        `^clv: no workspace "no-such-workspace" in table ${process.env.CLV_TABLE}: check --tenant.*\n$`,
      ),
    );
    const missing = await clv(['report']);
    expect(missing.code).toBe(2);
    expect(missing.err).toBe('clv: report needs --tenant WORKSPACE\n');
  });
});

describe('clv operations as a process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clv-env-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const spawn = (args: string[], env: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, args, { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });

  it('reads .env from the working directory, never over variables already set', async () => {
    const tenantId = tenantName('ops-env');
    await putTenant(store, { tenantId, currency: 'EUR' });
    writeFileSync(
      join(dir, '.env'),
      `CLV_TABLE=${process.env.CLV_TABLE}\nCLV_DYNAMODB_ENDPOINT=${process.env.CLV_DYNAMODB_ENDPOINT}\n`,
    );
    const env = { ...process.env };
    delete env.CLV_TABLE;
    delete env.CLV_DYNAMODB_ENDPOINT;
    const bin = join(root, 'bin', 'clv.ts');
    const fromFile = spawn([bin, 'report', '--tenant', tenantId, '--json'], env);
    expect(fromFile.status, fromFile.stderr).toBe(0);
    expect(JSON.parse(fromFile.stdout)).toMatchObject({ tenantId, currency: 'EUR', customers: 0 });
    const overridden = spawn([bin, 'report', '--tenant', tenantId], { ...env, CLV_TABLE: 'no-such-table' });
    expect(overridden.status).not.toBe(0);
    expect(overridden.stderr).toMatch(/^clv: .*(non-existent table|not found)/i);
  });

  it('runs clv example and clv score without loading the AWS SDK, and lists the operations in its help', () => {
    const probe = join(dir, 'probe.mjs');
    writeFileSync(
      probe,
      `import { registerHooks } from 'node:module';
const loaded = [];
registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); loaded.push(r.url); return r; } });
const { main } = await import(${JSON.stringify(join(root, 'cli', 'main.ts'))});
let help = '';
const history = ${JSON.stringify(join(dir, 'example.csv'))};
if (await main(['example', '--seed', '1', '--customers', '500', '--out', history], () => {})) process.exit(3);
if (await main(['score', '--transactions', history], () => {})) process.exit(4);
await main(['--help'], (s) => (help += s));
console.log(JSON.stringify({ aws: loaded.filter((u) => u.includes('@aws-sdk')), all: loaded.length, help }));
`,
    );
    const run = spawn([probe], process.env);
    expect(run.status, run.stderr).toBe(0);
    const { aws, all, help } = JSON.parse(run.stdout) as { aws: string[]; all: number; help: string };
    expect(all).toBeGreaterThan(10);
    expect(aws).toEqual([]);
    for (const command of ['backfill (--shop', 'refit --tenant', 'report --tenant', 'customer --tenant'])
      expect(help).toContain(`clv ${command}`);
  });
});
