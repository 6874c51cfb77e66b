/**
 * `clv refit --tenant T`: refits a workspace's model and rescores every customer in this process
 * (what the nightly refit does for one tenant), then asks the write-back queue to flush each linked
 * CRM when fields changed.
 */
import { writebackSender } from '../../shared/queue/sqs-sender.ts';
import { requestWritebacks } from '../../shared/pipeline/messages.ts';
import type { RefitReport } from '../../shared/pipeline/refit-tenant.ts';
import { refitTenant } from '../../shared/pipeline/refit-tenant.ts';
import type { OperationCommand } from './operations.ts';
import { namedTenant, requiredOption, requireSetting, stackStore } from './stack.ts';

function describe(tenantId: string, report: RefitReport, flushed: string[]): string {
  const seconds = (s: number) => `${s.toFixed(2)} s`;
  const rows: [string, string | number][] = [
    ['model', report.model],
    ['method', report.method],
    ...(report.fallbackReason ? [['fallback reason', report.fallbackReason] as [string, string]] : []),
    // Under the heuristic the fallback reason already names every model that failed.
    ...(report.method === 'model'
      ? report.modelFailures.map((f) => ['model not used', f] as [string, string])
      : []),
    ['customers', report.customers],
    ['changed', report.changed],
    ...(report.removedGone
      ? [['removed', `${report.removedGone} merged away or deleted meanwhile`] as [string, string]]
      : []),
    ['outbox entries', report.outboxEntries],
    ['seconds', seconds(report.seconds)],
    [
      'phases',
      `read ${seconds(report.phases.read)}, backtest ${seconds(report.phases.backtest)}, fit and score ${seconds(report.phases.fitAndScore)}, write ${seconds(report.phases.write)}`,
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return [
    `Refitted workspace ${tenantId}.`,
    ...rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`),
    flushed.length
      ? `Write-back requested for ${flushed.join(' and ')}.`
      : 'No CRM field changed: no write-back requested.',
  ].join('\n');
}

export const refitCommand: OperationCommand = async (values, _args, deps) => {
  const env = deps.env ?? process.env;
  const tenantId = requiredOption(values, 'tenant', 'refit', 'WORKSPACE');
  const store = stackStore(env);
  const tenant = await namedTenant(store, tenantId);
  // Checked before the refit, so a missing queue is reported before minutes of work, not after.
  const linked = Boolean(tenant.shopifyShop || tenant.salesforceOrgId);
  if (linked && !deps.sendWriteback)
    requireSetting(env, 'CLV_WRITEBACK_QUEUE_URL', "the stack's write-back queue URL (FIFO)");
  const send = deps.sendWriteback ?? writebackSender();
  const report = await refitTenant(store, tenant, deps.now?.() ?? Date.now());
  const flushed: string[] = [];
  if (report.outboxEntries)
    await requestWritebacks(tenant, async (message) => {
      await send(message);
      flushed.push(message.target);
    });
  return values.json
    ? JSON.stringify({ tenantId, ...report, writebacks: flushed })
    : describe(tenantId, report, flushed);
};
