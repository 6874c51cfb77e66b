/** The demo's closing report: the tenant report plus what the run itself measured (CRM calls, timings). */
import { table } from '../../cli/table.ts';
import type { TenantReport } from '../../shared/report/tenant-report.ts';
import type { SalesforceSandbox } from '../../sandbox/salesforce/index.ts';
import type { ShopifySandbox } from '../../sandbox/shopify/index.ts';
import type { DemoWorld } from './cdnow-world.ts';

export interface CrmCalls {
  shopify: Map<string, number>;
  salesforce: Map<string, number>;
}

const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

/** Requests each sandbox received from clv-sync, by GraphQL operation or Salesforce API kind. */
export function crmCallCounts(shopify: ShopifySandbox, salesforce: SalesforceSandbox): CrmCalls {
  const calls: CrmCalls = { shopify: new Map(), salesforce: new Map() };
  for (const c of shopify.calls)
    count(calls.shopify, c.operationName ?? `${c.method} ${c.path.replace(/\d+/g, ':id')}`);
  for (const c of salesforce.calls) count(calls.salesforce, c.kind);
  return calls;
}

const money = (v: number, currency: string) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 0 }).format(v);
const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)} %`);

export function printDemoReport(input: {
  report: TenantReport;
  plan: DemoWorld;
  scored: number;
  crmCalls: CrmCalls;
  deadLetters: Record<string, number>;
  timings: Map<string, number>;
}): string {
  const { report: r, plan, crmCalls } = input;
  const c = r.currency;
  const out: string[] = [];
  const section = (title: string) => out.push('', title, '-'.repeat(title.length));

  out.push('', `clv-sync demo on CDNOW — tenant ${r.tenantId}`, '='.repeat(40));
  out.push(
    `customers scored: ${input.scored} of ${plan.customers} in CDNOW (${plan.purchases} purchases)`,
    `predicted CLV: ${money(r.totals.predictedClv, c)} in total, median ${r.medianPredictedClv === null ? 'n/a' : money(r.medianPredictedClv, c)}; historic ${money(r.totals.historicClv, c)}`,
    `high churn risk: ${pct(r.highChurnShare)} of customers`,
  );

  section('Model');
  if (!r.model) out.push('no refit yet');
  else {
    out.push(
      `${r.model.method === 'model' ? r.model.name : `heuristic (${r.model.fallbackReason})`}, refitted ${r.model.refittedAt}`,
    );
    const h = r.model.holdout;
    if (h)
      out.push(
        `hold-out from ${h.calibrationEnd}: predicted ${h.predictedTotal.toFixed(0)} purchases, actual ${h.actualTotal.toFixed(0)}; ` +
          `MAE ${h.mae.toFixed(3)}, RMSE ${h.rmse.toFixed(3)}, correlation ${h.correlation === null ? 'n/a' : h.correlation.toFixed(3)}`,
      );
  }
  for (const reason of r.insufficientData) out.push(`insufficient data: ${reason}`);

  section('Tiers');
  out.push(
    table(
      ['tier', 'customers', 'predicted CLV'],
      r.tiers.map((t) => [t.tier, t.customers, money(t.predictedClv, c)]),
    ),
  );
  section('RFM segments');
  out.push(
    table(
      ['segment', 'customers', 'predicted CLV'],
      r.segments.map((s) => [s.segment, s.customers, money(s.predictedClv, c)]),
    ),
  );
  section('Top customers');
  out.push(
    table(
      ['customer', 'predicted CLV', 'historic', 'churn risk', 'tier'],
      r.topCustomers.map((t) => [
        t.emails[0] ?? t.customerId,
        money(t.predictedClv, c),
        money(t.historicClv, c),
        t.churnRisk,
        t.tier,
      ]),
    ),
  );

  section('Referrals (synthetic links: CDNOW has none)');
  const u = r.referrals;
  if (!u) out.push('not measured');
  else
    out.push(
      `${u.referredCount} referred customers, mean CLV ${u.referredMeanClv === null ? 'n/a' : money(u.referredMeanClv, c)}; ` +
        `${u.nonReferredCount} others, mean ${u.nonReferredMeanClv === null ? 'n/a' : money(u.nonReferredMeanClv, c)}`,
      `uplift ${pct(u.uplift)}` +
        (u.interval95
          ? `, 95 % interval of the difference ${u.interval95.low.toFixed(2)} to ${u.interval95.high.toFixed(2)}`
          : '') +
        (u.measurable === null
          ? ''
          : u.measurable
            ? ' (measurable)'
            : ' (not distinguishable from no difference)'),
    );

  section('CRM calls made by clv-sync');
  const rows = (system: string, calls: Map<string, number>) =>
    [...calls].sort((a, b) => b[1] - a[1]).map(([kind, n]) => [`${system} ${kind}`, n] as [string, number]);
  out.push(
    table(
      ['call', 'count'],
      [...rows('Shopify', crmCalls.shopify), ...rows('Salesforce', crmCalls.salesforce)],
    ),
  );
  out.push(`dead-lettered messages: ${JSON.stringify(input.deadLetters)}`);

  section('Time');
  out.push(
    table(
      ['phase', 'seconds'],
      [...input.timings].map(([phase, s]) => [phase, s.toFixed(1)]),
    ),
  );
  out.push('');
  return out.join('\n');
}
