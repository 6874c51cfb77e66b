/** `clv fit`: fits the models to transactions or summaries and prints their parameters. */
import type { CustomerSummary, FittedModel } from '../../shared/clv/index.ts';
import {
  dayNumber,
  fitGammaGamma,
  fitPurchaseModel,
  purchaseModelNamed,
  summarize,
} from '../../shared/clv/index.ts';
import type { Values } from '../options.ts';
import {
  dateOption,
  lastPurchaseAt,
  readSummaries,
  readTransactions,
  requireOneInput,
  stringOption,
  timeUnitOption,
} from '../options.ts';
import { progress } from '../progress.ts';
import { table } from '../table.ts';

export const FIT_HELP = `clv fit (--transactions F [--format csv|cdnow] [--calibration-end D] | --summary F)
        [--time-unit day|week] [--models bgnbd,pareto-nbd,mbgnbd,gamma-gamma] [--penalty 0] [--json]`;

/** Summaries from whichever input was given, with the day observation ended. */
export function loadSummaries(values: Values): { summaries: CustomerSummary[]; observationEndDay: number } {
  const unit = timeUnitOption(values);
  if (requireOneInput(values) === 'summary')
    return { summaries: readSummaries(values, unit), observationEndDay: 0 };
  const purchases = readTransactions(values);
  const end =
    dateOption(values, 'calibration-end') ??
    dateOption(values, 'observation-end') ??
    lastPurchaseAt(purchases);
  return {
    summaries: summarize(purchases, { observationEnd: end, timeUnit: unit }),
    observationEndDay: dayNumber(end),
  };
}

export function fitCommand(values: Values): string {
  const { summaries } = loadSummaries(values);
  const names = (stringOption(values, 'models') ?? 'bgnbd,pareto-nbd,gamma-gamma')
    .split(',')
    .map((n) => n.trim());
  const penalty = Number(stringOption(values, 'penalty') ?? 0);
  const bar = progress(names.length, 'fitting');
  const models: Record<string, FittedModel> = {};
  for (const name of names) {
    const fitted = /^gamma-?gamma$/i.test(name)
      ? fitGammaGamma(summaries, { penalty })
      : fitPurchaseModel(purchaseModelNamed(name), summaries, { penalty });
    models[fitted.model] = fitted;
    bar.advance(1, fitted.model);
  }
  bar.stop();
  if (values.json) {
    const out = Object.fromEntries(
      Object.entries(models).map(([k, m]) => [
        k,
        {
          params: m.params,
          logLikelihood: m.logLikelihood,
          seconds: m.seconds,
          iterations: m.iterations,
          customers: m.customers,
        },
      ]),
    );
    return JSON.stringify({ models: out, customers: summaries.length });
  }
  const rows = Object.values(models).map((m) => [
    m.model,
    Object.entries(m.params)
      .map(([k, v]) => `${k}=${v.toFixed(4)}`)
      .join(' '),
    m.logLikelihood,
    m.customers,
    m.seconds,
  ]);
  return `${summaries.length} customers\n${table(['model', 'parameters', 'log-likelihood', 'customers', 'seconds'], rows)}`;
}
