/**
 * `clv example`: writes a seeded, simulated purchase history in the transactions CSV the other commands
 * read, so they can be tried without any data (README, "The `clv` command"). The customers follow the
 * BG/NBD + Gamma-Gamma process (shared/clv/simulate.ts) with known parameters, which the output states:
 * `clv fit` on the file should come back near them.
 */
import { writeFileSync } from 'node:fs';
import {
  DEFAULT_ACQUISITION_DAYS,
  DEFAULT_OBSERVATION_DAYS,
  TRUE_BGNBD,
  TRUE_GAMMA_GAMMA,
  simulateTransactions,
} from '../../shared/clv/simulate.ts';
import { DAY_MS, dayNumber, formatDay, parseDate } from '../../shared/clv/index.ts';
import type { Values } from '../options.ts';
import { stringOption } from '../options.ts';
import { UsageError } from '../usage-error.ts';

export const EXAMPLE_HELP = `clv example --out F [--seed 1] [--customers 2000] [--json]`;

/** A fixed calendar, not today's date, so that a seed always gives the same file. */
const START_DAY = dayNumber(parseDate('2025-01-01'));
const MAX_CUSTOMERS = 1_000_000;

function wholeOption(values: Values, name: string, fallback: number, min: number, max: number): number {
  const text = stringOption(values, name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${text}"`);
  return n;
}

const formatParams = (params: Record<string, number>) =>
  Object.entries(params)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

export function exampleCommand(values: Values): string {
  const out = stringOption(values, 'out');
  if (!out) throw new UsageError('example needs --out FILE');
  const seed = wholeOption(values, 'seed', 1, 0, 0xffffffff);
  const customers = wholeOption(values, 'customers', 2000, 1, MAX_CUSTOMERS);
  const purchases = simulateTransactions({ customers, seed, startDay: START_DAY });
  // By date, as a store's export lists them; the sort is stable, so the file depends on the seed alone.
  purchases.sort((a, b) => a.at - b.at);
  const lines = ['customer_id,date,amount'];
  for (const p of purchases) lines.push(`${p.customerId},${formatDay(p.at / DAY_MS)},${p.amount.toFixed(2)}`);
  try {
    writeFileSync(out, `${lines.join('\n')}\n`);
  } catch (error) {
    throw new UsageError(
      `--out ${out}: cannot be written (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }

  const dateOf = (p: { at: number } | undefined) => formatDay((p as { at: number }).at / DAY_MS);
  const firstDate = dateOf(purchases[0]);
  const lastDate = dateOf(purchases[purchases.length - 1]);
  // Observed to the start of this day: summarised at it, T is exactly the simulated one.
  const observationEnd = formatDay(START_DAY + DEFAULT_OBSERVATION_DAYS);
  const truth = { bgnbd: TRUE_BGNBD, gammaGamma: TRUE_GAMMA_GAMMA };
  if (values.json) {
    return JSON.stringify({
      out,
      seed,
      customers,
      transactions: purchases.length,
      firstDate,
      lastDate,
      observationEnd,
      acquisitionDays: DEFAULT_ACQUISITION_DAYS,
      timeUnit: 'day',
      params: truth,
    });
  }
  return [
    `${customers} customers, ${purchases.length} transactions from ${firstDate} to ${lastDate}, written to ${out} (seed ${seed})`,
    `simulated with BG/NBD ${formatParams(truth.bgnbd)} (time unit: day) and Gamma-Gamma ${formatParams(truth.gammaGamma)}`,
    `customers join in the first ${DEFAULT_ACQUISITION_DAYS} days; observation ends ${observationEnd} (use --observation-end ${observationEnd})`,
  ].join('\n');
}
