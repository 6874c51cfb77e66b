/**
 * Transaction files → purchases. Two formats:
 * - csv: header `customer_id,date,amount[,margin]`, ISO dates (parsed with csv-parse);
 * - cdnow: the whitespace-separated CDNOW files. The master file has a header
 *   `customer_id date number_of_cds dollar_value`; the 1/10 sample has none and
 *   starts with the master id and the sample id (the sample id is used, so ids
 *   match the published summary file). Dates are YYYYMMDD.
 */
import { parse } from 'csv-parse/sync';
import type { Purchase } from '../shared/clv/index.ts';
import { parseDate } from '../shared/clv/index.ts';
import { InputFileError } from './input-error.ts';

export type TransactionFormat = 'csv' | 'cdnow';

function amountOf(file: string, line: number, text: string | undefined, what: string): number {
  const value = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(value)) {
    throw new InputFileError(file, line, `${what} "${text ?? ''}" is not a number`);
  }
  return value;
}

function dateOf(file: string, line: number, text: string | undefined): number {
  const at = parseDate(text ?? '');
  if (!Number.isFinite(at))
    throw new InputFileError(file, line, `date "${text ?? ''}" is not a date (use YYYY-MM-DD)`);
  return at;
}

export function parseCsvTransactions(file: string, text: string): Purchase[] {
  let records: string[][];
  try {
    records = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: true });
  } catch (error) {
    const e = error as { lines?: number; message: string };
    throw new InputFileError(file, e.lines ?? null, `not valid CSV: ${e.message}`);
  }
  const header = (records[0] ?? []).map((h) => h.toLowerCase());
  const col = (name: string): number => header.indexOf(name);
  const [ci, di, ai, mi] = [col('customer_id'), col('date'), col('amount'), col('margin')];
  if (ci < 0 || di < 0 || ai < 0) {
    throw new InputFileError(
      file,
      1,
      `header must name customer_id,date,amount[,margin]; got "${(records[0] ?? []).join(',')}"`,
    );
  }
  const out: Purchase[] = [];
  for (let r = 1; r < records.length; r++) {
    const row = records[r] as string[];
    const line = r + 1;
    const customerId = row[ci];
    if (!customerId) throw new InputFileError(file, line, 'customer_id is empty');
    const margin =
      mi >= 0 && row[mi] !== undefined && row[mi] !== '' ? amountOf(file, line, row[mi], 'margin') : null;
    out.push({
      customerId,
      at: dateOf(file, line, row[di]),
      amount: amountOf(file, line, row[ai], 'amount'),
      margin,
    });
  }
  return out;
}

export function parseCdnowTransactions(file: string, text: string): Purchase[] {
  const out: Purchase[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const fields = (lines[i] as string).trim().split(/\s+/);
    if (fields.length === 1 && fields[0] === '') continue;
    if (i === 0 && fields[0] === 'customer_id') continue;
    const line = i + 1;
    // Master: id date cds value. Sample: master_id sample_id date cds value.
    if (fields.length !== 4 && fields.length !== 5) {
      throw new InputFileError(file, line, `expected 4 (master) or 5 (sample) columns, got ${fields.length}`);
    }
    const [id, date, , value] = fields.length === 5 ? fields.slice(1) : fields;
    out.push({
      customerId: String(Number(id)),
      at: dateOf(file, line, date),
      amount: amountOf(file, line, value, 'dollar_value'),
    });
  }
  return out;
}

export function parseTransactions(file: string, text: string, format: TransactionFormat): Purchase[] {
  const purchases =
    format === 'cdnow' ? parseCdnowTransactions(file, text) : parseCsvTransactions(file, text);
  if (purchases.length === 0) throw new InputFileError(file, null, 'holds no transactions');
  return purchases;
}
