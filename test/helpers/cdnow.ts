import { readFileSync } from 'node:fs';
import { parseSummaries } from '../../cli/read-summaries.ts';
import { parseTransactions } from '../../cli/read-transactions.ts';
import { sharedDataFile } from './shared-data.ts';

/** The CDNOW files (Fader & Hardie, as redistributed by `lifetimes`), read from ../shared/data/cdnow. */
export const cdnowFile = (name: string): string => sharedDataFile(`cdnow/${name}`);

/** The 2,357-customer CDNOW summary the published estimates were made on (weeks). */
export const cdnowSummary = () =>
  parseSummaries(
    'cdnow_customers_summary_with_transactions.csv',
    readFileSync(cdnowFile('cdnow_customers_summary_with_transactions.csv'), 'utf8'),
    'week',
  );

export const cdnowSampleTransactions = () =>
  parseTransactions('CDNOW_sample.txt', readFileSync(cdnowFile('CDNOW_sample.txt'), 'utf8'), 'cdnow');

/** lifetimes' own calibration/hold-out split of the sample, for comparison. */
export function cdnowDerivedSplit(): Map<string, Record<string, number>> {
  const [head, ...rows] = readFileSync(cdnowFile('derived_cdnow_sample_calib_holdout_weeks.csv'), 'utf8')
    .trim()
    .split('\n');
  const names = (head as string).split(',');
  return new Map(
    rows.map((line) => {
      const values = line.split(',').map(Number);
      return [String(values[0]), Object.fromEntries(names.map((n, i) => [n, values[i] as number]))];
    }),
  );
}
