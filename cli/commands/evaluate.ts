/** `clv evaluate`: fits on a calibration period and reports hold-out errors; `--model auto` picks by them. */
import type { Backtest } from '../../shared/clv/index.ts';
import {
  PURCHASE_MODELS,
  checkDataSufficiency,
  dayNumber,
  backtest,
  calibrationHoldoutSplit,
  purchaseModelNamed,
  selectModel,
} from '../../shared/clv/index.ts';
import type { Values } from '../options.ts';
import { dateOption, readTransactions, stringOption, timeUnitOption } from '../options.ts';
import { table } from '../table.ts';
import { UsageError } from '../usage-error.ts';

export const EVALUATE_HELP = `clv evaluate --transactions F [--format csv|cdnow] --calibration-end D --holdout-end D
        [--time-unit day|week] [--model bgnbd|mbgnbd|pareto-nbd|auto] [--json]`;

export function evaluateCommand(values: Values): string {
  if (!stringOption(values, 'transactions')) throw new UsageError('evaluate needs --transactions FILE');
  const calibrationEnd = dateOption(values, 'calibration-end');
  const holdoutEnd = dateOption(values, 'holdout-end');
  if (calibrationEnd === undefined || holdoutEnd === undefined) {
    throw new UsageError('evaluate needs --calibration-end and --holdout-end');
  }
  const rows = calibrationHoldoutSplit(readTransactions(values), {
    calibrationEnd,
    holdoutEnd,
    timeUnit: timeUnitOption(values),
  });
  const sufficiency = checkDataSufficiency(rows, dayNumber(calibrationEnd));
  if (!sufficiency.sufficient) {
    // Evaluate still runs (it is how one learns what a small shop supports), but says the figures are weak.
    process.stderr.write(`clv: warning: insufficient data: ${sufficiency.reasons.join('; ')}\n`);
  }
  const name = stringOption(values, 'model') ?? 'auto';
  let best: Backtest;
  let candidates: Backtest[];
  let failed: { model: string; reason: string }[] = [];
  if (name === 'auto') {
    ({ best, candidates, failed } = selectModel(Object.values(PURCHASE_MODELS), rows));
  } else {
    best = backtest(purchaseModelNamed(name), rows);
    candidates = [best];
  }
  if (values.json) {
    const json: Record<string, unknown> = { ...best.evaluation };
    if (name === 'auto') json.candidates = candidates.map((c) => c.evaluation);
    if (failed.length) json.failed = failed;
    return JSON.stringify(json);
  }
  const lines = [
    `${rows.length} customers; hold-out ${rows[0]?.holdoutDuration.toFixed(2)} ${timeUnitOption(values)}s`,
    table(
      ['model', 'predicted', 'actual', 'MAE', 'RMSE', 'correlation', ''],
      candidates.map(({ evaluation: e }) => [
        e.model,
        e.predictedTotal,
        e.actualTotal,
        e.mae,
        e.rmse,
        e.correlation,
        e === best.evaluation && name === 'auto' ? '← chosen (lowest MAE)' : '',
      ]),
    ),
  ];
  for (const f of failed) lines.push(`${f.model}: not fitted: ${f.reason}`);
  return lines.join('\n');
}
