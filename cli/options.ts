/** Reading and checking the option values every `clv` command shares. */
import { readFileSync } from 'node:fs';
import type { CustomerSummary, Purchase, TimeUnit } from '../shared/clv/index.ts';
import { parseDate } from '../shared/clv/index.ts';
import { InputFileError } from './input-error.ts';
import { parseSummaries } from './read-summaries.ts';
import type { TransactionFormat } from './read-transactions.ts';
import { parseTransactions } from './read-transactions.ts';
import { UsageError } from './usage-error.ts';

export type Values = Record<string, string | boolean | undefined>;

export function stringOption(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function numberOption(values: Values, name: string, fallback: number): number {
  const text = stringOption(values, name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n))
    throw new UsageError(`--${name} must be a number, got "${text}"`);
  return n;
}

export function dateOption(values: Values, name: string): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  const at = parseDate(text);
  if (!Number.isFinite(at)) throw new UsageError(`--${name} must be a date YYYY-MM-DD, got "${text}"`);
  return at;
}

export function timeUnitOption(values: Values): TimeUnit {
  const unit = stringOption(values, 'time-unit') ?? 'day';
  if (unit !== 'day' && unit !== 'week')
    throw new UsageError(`--time-unit must be day or week, got "${unit}"`);
  return unit;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputFileError(
      file,
      null,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

export function readTransactions(values: Values): Purchase[] {
  const file = stringOption(values, 'transactions') as string;
  const format = stringOption(values, 'format') ?? 'csv';
  if (format !== 'csv' && format !== 'cdnow')
    throw new UsageError(`--format must be csv or cdnow, got "${format}"`);
  return parseTransactions(file, readText(file), format as TransactionFormat);
}

export function readSummaries(values: Values, unit: TimeUnit): CustomerSummary[] {
  const file = stringOption(values, 'summary') as string;
  return parseSummaries(file, readText(file), unit);
}

export function requireOneInput(values: Values): 'transactions' | 'summary' {
  const t = stringOption(values, 'transactions');
  const s = stringOption(values, 'summary');
  if (t && s) throw new UsageError('give --transactions or --summary, not both');
  if (!t && !s) throw new UsageError('give --transactions FILE or --summary FILE');
  return t ? 'transactions' : 'summary';
}

/** The last purchase date in the data: the natural end of observation when none is given. */
export function lastPurchaseAt(purchases: readonly Purchase[]): number {
  let last = -Infinity;
  for (const p of purchases) if (p.at > last) last = p.at;
  return last;
}
