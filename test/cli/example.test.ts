/**
 * `clv example`: the seeded purchase history the README's examples run on. It must be the same file for
 * the same seed, exactly the simulator's process written as dated transactions, and a history `clv fit`
 * recovers the stated parameters from: a check of the whole path (CSV reader, summaries, likelihoods,
 * optimiser) against a known answer, which the CDNOW tests can only do against published estimates.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsvTransactions } from '../../cli/read-transactions.ts';
import { DAY_MS, parseDate, summarize } from '../../shared/clv/index.ts';
import { TRUE_BGNBD, TRUE_GAMMA_GAMMA, simulateSummaries } from '../../shared/clv/simulate.ts';
import { clv, json } from '../helpers/clv-process.ts';

interface ExampleJson {
  out: string;
  seed: number;
  customers: number;
  transactions: number;
  firstDate: string;
  lastDate: string;
  observationEnd: string;
  acquisitionDays: number;
  timeUnit: string;
  params: { bgnbd: Record<string, number>; gammaGamma: Record<string, number> };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'clv-example-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const example = (name: string, ...args: string[]) =>
  json(clv(['example', ...args, '--out', name, '--json'], dir)) as unknown as ExampleJson;
const sha256 = (name: string) =>
  createHash('sha256')
    .update(readFileSync(join(dir, name)))
    .digest('hex');

describe('clv example', () => {
  let first: ExampleJson;

  beforeAll(() => {
    first = example('a.csv', '--seed', '1', '--customers', '2000');
  });

  it('writes the same file for the same seed, and another for another seed', () => {
    example('b.csv', '--seed', '1', '--customers', '2000');
    example('c.csv', '--seed', '2', '--customers', '2000');
    expect(sha256('b.csv')).toBe(sha256('a.csv'));
    expect(sha256('c.csv')).not.toBe(sha256('a.csv'));
  });

  it('states the parameters it simulated with, and what it wrote', () => {
    expect(first.params).toEqual({ bgnbd: TRUE_BGNBD, gammaGamma: TRUE_GAMMA_GAMMA });
    expect(first.timeUnit).toBe('day');
    const text = readFileSync(join(dir, 'a.csv'), 'utf8');
    expect(text.split('\n')[0]).toBe('customer_id,date,amount');
    const purchases = parseCsvTransactions('a.csv', text);
    expect(purchases).toHaveLength(first.transactions);
    expect(new Set(purchases.map((p) => p.customerId)).size).toBe(2000);
    const days = purchases.map((p) => p.at);
    expect(new Date(Math.min(...days)).toISOString().slice(0, 10)).toBe(first.firstDate);
    expect(new Date(Math.max(...days)).toISOString().slice(0, 10)).toBe(first.lastDate);
    expect(first.lastDate < first.observationEnd).toBe(true);
    for (const p of purchases) expect(p.amount, p.customerId).toBeGreaterThanOrEqual(0);
    // The readable output says the same, parameters included.
    const plain = clv(['example', '--seed', '1', '--customers', '2000', '--out', 'd.csv'], dir);
    expect(plain.status, plain.stderr).toBe(0);
    expect(sha256('d.csv')).toBe(sha256('a.csv'));
    expect(plain.stdout).toContain('BG/NBD r=0.25 alpha=30 a=0.8 b=2.5 (time unit: day)');
    expect(plain.stdout).toContain('Gamma-Gamma p=6 q=4 v=15');
    expect(plain.stdout).toContain(`--observation-end ${first.observationEnd}`);
  });

  it('is the simulator’s process: summarised at its observation end, the simulated frequency, recency and T', () => {
    const purchases = parseCsvTransactions('a.csv', readFileSync(join(dir, 'a.csv'), 'utf8'));
    const fromFile = new Map(
      summarize(purchases, { observationEnd: parseDate(first.observationEnd) }).map((s) => [s.customerId, s]),
    );
    const simulated = simulateSummaries({ customers: 2000, seed: 1, grain: 'day' });
    expect(fromFile.size).toBe(simulated.length);
    const startDay = parseDate('2025-01-01') / DAY_MS;
    for (const s of simulated) {
      const f = fromFile.get(s.customerId)!;
      expect([f.frequency, f.recency, f.T], s.customerId).toEqual([s.frequency, s.recency, s.T]);
      expect(f.firstPurchaseDay - startDay, s.customerId).toBe(s.firstPurchaseDay);
      expect(f.firstPurchaseDay - startDay, s.customerId).toBeLessThan(first.acquisitionDays);
      // Amounts are written to the cent.
      const rows = purchases.filter((p) => p.customerId === s.customerId).length;
      expect(Math.abs(f.totalValue - s.totalValue), s.customerId).toBeLessThanOrEqual(0.005 * rows + 1e-9);
    }
  });

  const bad: [string, string[], RegExp][] = [
    ['no --out', ['example'], /^clv: example needs --out FILE$/],
    [
      '--customers 0',
      ['example', '--out', 'x.csv', '--customers', '0'],
      /--customers must be a whole number/,
    ],
    ['--seed 1.5', ['example', '--out', 'x.csv', '--seed', '1.5'], /--seed must be a whole number/],
    ['--seed -1', ['example', '--out', 'x.csv', '--seed=-1'], /--seed must be a whole number/],
    [
      'an --out in no directory',
      ['example', '--out', 'none/x.csv'],
      /^clv: --out none\/x\.csv: cannot be written \(ENOENT\)$/,
    ],
  ];
  it.each(bad)('exits 2 with one line on stderr for %s', (_what, args, message) => {
    const run = clv(args, dir);
    expect(run.status, run.stderr).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr.trimEnd()).toMatch(message);
  });
});

describe('clv fit on a 100,000-customer example', () => {
  /*
   * How close is close enough. The file's dates are whole days, so same-day purchases merge and the
   * BG/NBD fit is not of the model's own (continuous) process: a Monte Carlo of this exact path
   * (generate 100,000 customers, cents, summarise at the observation end, fit), over seeds 2–31, gave
   * relative errors with these means and standard deviations:
   *   r +1.7 % ± 0.7, α +5.7 % ± 1.5, a +1.0 % ± 2.7, b +2.1 % ± 3.4,
   *   p −1.9 % ± 2.2, q −0.1 % ± 1.0, v +2.8 % ± 3.1.
   * Each tolerance is |mean| + 4 sd, rounded up: a correct engine misses one for a given seed with odds
   * of about 1 in 16,000 per parameter. Mistakes move the estimates well beyond them; measured on this
   * seed: T 30 days too long, a +71 % and b +59 %; 30 days too short, a −36 %; recency counted from the
   * last purchase to the end, α −94 %; a week read as a day, α 7 × too large.
   */
  const tolerance: Record<string, number> = {
    r: 0.05,
    alpha: 0.12,
    a: 0.12,
    b: 0.16,
    p: 0.11,
    q: 0.05,
    v: 0.16,
  };
  let models: Record<string, { params: Record<string, number>; customers: number }>;
  let stated: ExampleJson;

  beforeAll(() => {
    stated = example('big.csv', '--seed', '1', '--customers', '100000');
    const fit = json(
      clv(
        [
          'fit',
          '--transactions',
          'big.csv',
          '--observation-end',
          stated.observationEnd,
          '--models',
          'bgnbd,gamma-gamma',
          '--json',
        ],
        dir,
      ),
    ) as { models: typeof models; customers: number };
    expect(fit.customers).toBe(100_000);
    models = fit.models;
  });

  it.each([
    ['bgnbd', 'bgnbd'],
    ['gammaGamma', 'gammaGamma'],
  ] as const)('%s comes back within the tolerance of the parameters the example stated', (model, key) => {
    const truth = stated.params[key];
    const fitted = models[model]!.params;
    expect(Object.keys(fitted).sort()).toEqual(Object.keys(truth).sort());
    for (const [name, value] of Object.entries(truth)) {
      const error = fitted[name]! / value - 1;
      expect(Math.abs(error), `${name} = ${fitted[name]} vs ${value}`).toBeLessThan(tolerance[name]!);
    }
  });
});
