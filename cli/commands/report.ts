/** `clv report --tenant T`: the tenant report (shared/report/tenant-report.ts) as tables, or JSON. */
import type { TenantReport } from '../../shared/report/tenant-report.ts';
import { tenantReport } from '../../shared/report/tenant-report.ts';
import { numberOption } from '../options.ts';
import { table } from '../table.ts';
import { UsageError } from '../usage-error.ts';
import type { OperationCommand } from './operations.ts';
import { namedTenant, requiredOption, stackStore } from './stack.ts';

const money = (v: number) => v.toFixed(2);
const share = (v: number | null) => (v === null ? '–' : `${(100 * v).toFixed(1)} %`);
const BAR = 40;

function modelLines(r: TenantReport): string[] {
  const m = r.model;
  if (!m) return ['Model: none yet (no refit has run; run clv refit)'];
  const lines = [
    `Model: ${m.name} (${m.method}${m.spend ? `, spend by ${m.spend}` : ''}), refitted ${m.refittedAt}`,
  ];
  if (m.fallbackReason) lines.push(`  fallback: ${m.fallbackReason}`);
  if (m.holdout) {
    const h = m.holdout;
    lines.push(
      `  hold-out from ${h.calibrationEnd}: MAE ${h.mae.toFixed(3)}, RMSE ${h.rmse.toFixed(3)}, correlation ${h.correlation === null ? '–' : h.correlation.toFixed(3)}, predicted ${h.predictedTotal.toFixed(1)} vs actual ${h.actualTotal.toFixed(1)} purchases`,
    );
  }
  return lines;
}

function referralLines(r: TenantReport): string[] {
  const u = r.referrals;
  if (!u) return ['Referrals: not measured yet (a refit measures them)'];
  const mean = (v: number | null) => (v === null ? '–' : money(v));
  return [
    `Referrals: ${u.referredCount} referred customers (mean predicted CLV ${mean(u.referredMeanClv)}) vs ${u.nonReferredCount} others (${mean(u.nonReferredMeanClv)})`,
    `  uplift ${u.uplift === null ? '–' : share(u.uplift)}${u.interval95 ? `, difference 95 % interval ${money(u.interval95.low)} to ${money(u.interval95.high)}` : ''}${u.measurable === null ? '' : u.measurable ? ' (measurable)' : ' (not distinguishable from no difference)'}${u.ignored ? `; ${u.ignored} referral links ignored (self-referrals or unknown referrers)` : ''}`,
  ];
}

export function describeReport(r: TenantReport): string {
  const peak = Math.max(1, ...r.clvHistogram.map((b) => b.customers));
  const sections = [
    [
      `Workspace ${r.tenantId} (${r.currency}), ${r.generatedAt}`,
      `Customers: ${r.customers}; predicted CLV ${money(r.totals.predictedClv)} in total, median ${r.medianPredictedClv === null ? '–' : money(r.medianPredictedClv)}; historic CLV ${money(r.totals.historicClv)}; high churn risk ${share(r.highChurnShare)}`,
      ...modelLines(r),
      ...r.insufficientData.map((s) => `  ! ${s}`),
    ].join('\n'),
  ];
  if (r.clvHistogram.length)
    sections.push(
      `Predicted CLV (${r.currency})\n${table(
        ['range', 'customers', ''],
        r.clvHistogram.map((b) => [
          `${money(b.low)} – ${money(b.high)}`,
          b.customers,
          // At least one mark for a bin that has anyone: a thin tail must not look empty.
          '#'.repeat(b.customers ? Math.max(1, Math.round((BAR * b.customers) / peak)) : 0).padEnd(BAR),
        ]),
      )}`,
    );
  sections.push(
    table(
      ['tier', 'customers', 'predicted CLV'],
      r.tiers.map((t) => [t.tier, t.customers, money(t.predictedClv)]),
    ),
  );
  if (r.segments.length)
    sections.push(
      table(
        ['segment', 'customers', 'predicted CLV'],
        r.segments.map((g) => [g.segment, g.customers, money(g.predictedClv)]),
      ),
    );
  if (r.topCustomers.length)
    sections.push(
      `Top customers\n${table(
        ['customer', 'email', 'predicted', 'historic', 'churn', 'p(alive)', 'tier', 'segment'],
        r.topCustomers.map((c) => [
          c.customerId,
          c.emails.join(' ') || '–',
          money(c.predictedClv),
          money(c.historicClv),
          c.churnRisk,
          c.pAlive === null ? '–' : c.pAlive.toFixed(3),
          c.tier,
          c.segment,
        ]),
      )}`,
    );
  sections.push(referralLines(r).join('\n'));
  if (r.recentChanges.length)
    sections.push(
      `Recent changes\n${table(
        ['customer', 'email', 'changed at', 'predicted', 'was', 'tier', 'was'],
        r.recentChanges.map((c) => [
          c.customerId,
          c.emails.join(' ') || '–',
          c.scoredAt,
          money(c.predictedClv),
          c.previousPredictedClv === null ? 'new' : money(c.previousPredictedClv),
          c.tier,
          c.previousTier ?? 'new',
        ]),
      )}`,
    );
  return sections.join('\n\n');
}

export const reportCommand: OperationCommand = async (values, _args, deps) => {
  const env = deps.env ?? process.env;
  const tenantId = requiredOption(values, 'tenant', 'report', 'WORKSPACE');
  const top = numberOption(values, 'top', 10);
  if (!Number.isInteger(top) || top < 0) throw new UsageError(`--top must be a whole number ≥ 0, got ${top}`);
  const store = stackStore(env);
  await namedTenant(store, tenantId);
  const report = await tenantReport(store, tenantId, { top, recent: top, now: deps.now?.() });
  return values.json ? JSON.stringify(report) : describeReport(report);
};
