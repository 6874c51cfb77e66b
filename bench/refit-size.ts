/**
 * A tenant refit in DynamoDB Local, in its own process so its peak memory is
 * its own: N simulated customers' stored scores (their compact histories) are
 * written straight to the table, then refitTenant reads them page by page,
 * chooses and fits the model, and writes back the changed scores and outbox
 * entries. Prints one JSON line: time, DynamoDB calls by operation, peak RSS.
 */
import { createTable, startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { refitTenant } from '../shared/pipeline/refit-tenant.ts';
import { putAll } from '../shared/store/batch.ts';
import { scoreItem } from '../shared/store/scores.ts';
import { createStore } from '../shared/store/store.ts';
import { putTenant } from '../shared/store/tenants.ts';
import { simulateSummaries } from '../shared/clv/simulate.ts';

const customers = Number(process.argv[2] ?? 100_000);
const NOW = Date.parse('2026-03-01T00:00:00Z');
const endDay = Math.floor(NOW / 86_400_000);

const dynamo = await startDynamoDbLocal();
try {
  await createTable(dynamo.endpoint, 'clv-bench');
  const store = createStore({ tableName: 'clv-bench', endpoint: dynamo.endpoint });
  const tenant = await putTenant(store, {
    tenantId: 'bench',
    shopifyShop: 'bench.myshopify.com',
    currency: 'USD',
  });
  // Stored histories as scoring leaves them: purchase days and values, in whole days before NOW.
  const summaries = simulateSummaries({ customers, seed: 3, grain: 'day' });
  const seedStart = performance.now();
  const items = summaries.map((s) => {
    const first = endDay - s.T;
    const days = [first];
    for (let k = 1; k <= s.frequency; k++) days.push(first + Math.round((s.recency * k) / s.frequency));
    return scoreItem(tenant.tenantId, {
      customerId: `c${s.customerId}`,
      fields: null as never,
      method: 'heuristic',
      modelVersion: null,
      scoredAt: new Date(NOW).toISOString(),
      history: {
        days,
        values: days.map((_, k) => (k === 0 ? s.firstValue : s.monetaryValue)),
        margins: days.map(() => null),
      },
      identities: [`shopify:${s.customerId}`],
      detail: { pAlive: null, churnRisk: 0, expectedOrderValue: 0, predictedClv: 0 },
    });
  });
  await putAll(store, items);
  const seedSeconds = (performance.now() - seedStart) / 1000;
  store.calls.clear();
  const report = await refitTenant(store, tenant, NOW);
  console.log(
    JSON.stringify({
      customers,
      seedSeconds,
      refitSeconds: report.seconds,
      phases: report.phases,
      model: report.model,
      changed: report.changed,
      outboxEntries: report.outboxEntries,
      calls: Object.fromEntries(store.calls),
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    }),
  );
} finally {
  await dynamo.stop();
}
