/** `clv score`: every customer's CLV, churn risk and next order, as CSV or a readable top list. */
import { writeFileSync } from 'node:fs';
import type { CustomerScore, PurchaseModelName } from '../../shared/clv/index.ts';
import {
  checkDataSufficiency,
  chooseModelByBacktest,
  formatDay,
  purchaseModelNamed,
  runEngine,
} from '../../shared/clv/index.ts';
import type { CustomerSegments } from '../../shared/segments/index.ts';
import { segmentCustomers } from '../../shared/segments/index.ts';
import { loadSummaries } from './fit.ts';
import type { Values } from '../options.ts';
import {
  dateOption,
  lastPurchaseAt,
  numberOption,
  readTransactions,
  stringOption,
  timeUnitOption,
} from '../options.ts';
import { progress } from '../progress.ts';
import { table } from '../table.ts';

export const SCORE_HELP = `clv score (--transactions F [--format csv|cdnow] [--observation-end D] | --summary F)
        [--time-unit day|week] [--model bgnbd|mbgnbd|pareto-nbd|auto] [--horizon-months 12]
        [--discount-rate 0.01] [--churn-window-days 90] [--margin-rate 1] [--out scores.csv] [--json]`;

function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(6);
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

type Cell = (s: CustomerScore, g: CustomerSegments | undefined) => string | number | null;

/** The columns of `--out`, each beside what fills it, so the header and the rows cannot drift apart. */
const COLUMNS: readonly (readonly [string, Cell])[] = [
  ['customer_id', (s) => s.customerId],
  ['method', (s) => s.method],
  ['predicted_clv', (s) => s.predictedClv],
  ['historic_clv', (s) => s.historicClv],
  ['expected_orders', (s) => s.expectedOrders],
  ['p_alive', (s) => s.pAlive],
  ['churn_risk', (s) => s.churnRisk],
  ['churn_band', (_, g) => g?.churnBand ?? null],
  ['next_order_date', (s) => (s.nextOrderDay === null ? null : formatDay(s.nextOrderDay))],
  ['expected_order_value', (s) => s.expectedOrderValue],
  ['tier', (_, g) => g?.tier ?? null],
  ['segment', (_, g) => g?.segment ?? null],
];

export function scoresCsv(scores: readonly CustomerScore[], segments: Map<string, CustomerSegments>): string {
  const lines = [COLUMNS.map(([name]) => name).join(',')];
  for (const s of scores) {
    const g = segments.get(s.customerId);
    lines.push(COLUMNS.map(([, cell]) => csvCell(cell(s, g))).join(','));
  }
  return `${lines.join('\n')}\n`;
}

export function scoreCommand(values: Values): string {
  const unit = timeUnitOption(values);
  const { summaries, observationEndDay } = loadSummaries(values);
  let modelName = stringOption(values, 'model') ?? 'bgnbd';
  const notes: string[] = [];
  if (modelName === 'auto') {
    if (!stringOption(values, 'transactions')) {
      notes.push('--model auto needs transactions to backtest; using bgnbd');
      modelName = 'bgnbd';
    } else if (!checkDataSufficiency(summaries, observationEndDay).sufficient) {
      modelName = 'bgnbd'; // no backtest below the minimums: the heuristic scores, and says why
    } else {
      const purchases = readTransactions(values);
      const end = dateOption(values, 'observation-end') ?? lastPurchaseAt(purchases);
      const choice = chooseModelByBacktest(purchases, end, { timeUnit: unit });
      modelName = choice.best.fitted.model;
      notes.push(
        `model chosen by backtest: ${modelName} (hold-out MAE ${choice.best.evaluation.mae.toFixed(4)})`,
      );
    }
  }
  const bar = progress(summaries.length, 'scoring');
  let reported = 0;
  const result = runEngine(summaries, observationEndDay, {
    model: purchaseModelNamed(modelName).name as PurchaseModelName,
    scoring: {
      horizonMonths: numberOption(values, 'horizon-months', 12),
      monthlyDiscountRate: numberOption(values, 'discount-rate', 0.01),
      churnWindowDays: numberOption(values, 'churn-window-days', 90),
      defaultMarginRate: numberOption(values, 'margin-rate', 1),
      timeUnit: unit,
    },
    onProgress: (done) => {
      bar.advance(done - reported);
      reported = done;
    },
  });
  bar.stop();
  if (result.fallbackReason) notes.push(`heuristic scores: ${result.fallbackReason}`);
  if (result.spendFallbackReason) notes.push(result.spendFallbackReason);
  const { segments } = segmentCustomers(summaries, result.scores, observationEndDay);
  const out = stringOption(values, 'out');
  if (out) writeFileSync(out, scoresCsv(result.scores, segments));
  if (values.json) {
    return JSON.stringify({
      customers: result.scores.length,
      method: result.fallbackReason ? 'heuristic' : 'model',
      fallbackReason: result.fallbackReason,
      purchaseModel: result.purchaseModel && {
        model: result.purchaseModel.model,
        params: result.purchaseModel.params,
      },
      spendModel: result.spendModel && { params: result.spendModel.params },
      spendFallbackReason: result.spendFallbackReason,
      totalPredictedClv: result.scores.reduce((s, c) => s + c.predictedClv, 0),
      ...(out ? { out } : { scores: result.scores.map((s) => ({ ...s, ...segments.get(s.customerId) })) }),
    });
  }
  const top = [...result.scores].sort((a, b) => b.predictedClv - a.predictedClv).slice(0, 20);
  const total = result.scores.reduce((s, c) => s + c.predictedClv, 0);
  const count = (pick: (g: CustomerSegments) => string) => {
    const n = new Map<string, number>();
    for (const g of segments.values()) n.set(pick(g), (n.get(pick(g)) ?? 0) + 1);
    return [...n.entries()].sort((a, b) => b[1] - a[1]);
  };
  return [
    ...notes,
    `${result.scores.length} customers scored${out ? `, written to ${out}` : ''}; total predicted CLV ${total.toFixed(2)}`,
    `tiers: ${count((g) => g.tier)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
    `churn risk: ${count((g) => g.churnBand)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
    `segments: ${count((g) => g.segment)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
    'top 20 by predicted CLV:',
    table(
      [
        'customer',
        'predicted CLV',
        'historic',
        'orders ahead',
        'P(alive)',
        'churn risk',
        'next order',
        'tier',
        'segment',
      ],
      top.map((s) => [
        s.customerId,
        s.predictedClv,
        s.historicClv,
        s.expectedOrders,
        s.pAlive ?? '-',
        s.churnRisk,
        s.nextOrderDay === null ? '-' : formatDay(s.nextOrderDay),
        segments.get(s.customerId)?.tier ?? '-',
        segments.get(s.customerId)?.segment ?? '-',
      ]),
    ),
  ].join('\n');
}
