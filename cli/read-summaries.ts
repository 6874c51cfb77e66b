/**
 * Summary files: `customer_id,frequency,recency,T,monetary_value`. The
 * published CDNOW summary's own header (`ID,x,t_x,T,zbar`) is accepted too.
 */
import { parse } from 'csv-parse/sync';
import type { CustomerSummary, TimeUnit } from '../shared/clv/index.ts';
import { unitDays } from '../shared/clv/index.ts';
import { InputFileError } from './input-error.ts';

const ALIASES: Record<string, string> = {
  id: 'customer_id',
  x: 'frequency',
  t_x: 'recency',
  zbar: 'monetary_value',
};

export function parseSummaries(file: string, text: string, timeUnit: TimeUnit = 'day'): CustomerSummary[] {
  const days = unitDays(timeUnit);
  let records: string[][];
  try {
    records = parse(text, { skip_empty_lines: true, trim: true });
  } catch (error) {
    const e = error as { lines?: number; message: string };
    throw new InputFileError(file, e.lines ?? null, `not valid CSV: ${e.message}`);
  }
  const header = (records[0] ?? []).map(
    (h) => ALIASES[h.toLowerCase()] ?? (h === 'T' ? 'T' : h.toLowerCase()),
  );
  const need = ['customer_id', 'frequency', 'recency', 'T'];
  const idx = Object.fromEntries([...need, 'monetary_value'].map((n) => [n, header.indexOf(n)]));
  const missing = need.filter((n) => (idx[n] as number) < 0);
  if (missing.length) throw new InputFileError(file, 1, `header lacks ${missing.join(', ')}`);
  const out: CustomerSummary[] = [];
  for (let r = 1; r < records.length; r++) {
    const row = records[r] as string[];
    const line = r + 1;
    const num = (name: string): number => {
      const text = row[idx[name] as number];
      const v = Number(text);
      if (text === undefined || text === '' || !Number.isFinite(v))
        throw new InputFileError(file, line, `${name} "${text ?? ''}" is not a number`);
      return v;
    };
    const frequency = num('frequency');
    const recency = num('recency');
    const T = num('T');
    if (!Number.isInteger(frequency) || frequency < 0)
      throw new InputFileError(file, line, `frequency ${frequency} must be a whole number >= 0`);
    if (recency < 0 || recency > T)
      throw new InputFileError(file, line, `need 0 <= recency <= T, got recency ${recency}, T ${T}`);
    const monetaryValue = (idx.monetary_value as number) >= 0 ? num('monetary_value') : 0;
    out.push({
      customerId: row[idx.customer_id as number] ?? String(r),
      frequency,
      recency,
      T,
      monetaryValue,
      monetaryMargin: null,
      // A summary file carries no dates; these are relative to an observation end at day 0.
      firstPurchaseDay: Math.round(-T * days),
      lastPurchaseDay: Math.round((recency - T) * days),
      purchaseDays: frequency + 1,
      totalValue: monetaryValue * frequency,
      totalMargin: null,
      firstValue: 0,
    });
  }
  if (out.length === 0) throw new InputFileError(file, null, 'holds no customers');
  return out;
}
