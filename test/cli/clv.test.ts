/**
 * End-to-end tests of the `clv` command: each test spawns `node bin/clv.ts …` as a user would and
 * checks its exit code, stdout, stderr and output file. Each spawn costs about half a second, so the
 * CDNOW runs are made once per command and shared.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HoldoutEvaluation } from '../../shared/clv/evaluate.ts';
import { cdnowFile } from '../helpers/cdnow.ts';
import { suiteOnSharedData } from '../helpers/shared-data.ts';
import type { Run } from '../helpers/clv-process.ts';
import { clv, json } from '../helpers/clv-process.ts';

const HOOK_TIMEOUT_MS = 120_000;

/** A plain CSV without quoted cells (the files here have none), as records keyed by the header. */
function readCsv<Column extends string>(text: string): { header: string[]; rows: Record<Column, string>[] } {
  const [head, ...lines] = text.trimEnd().split('\n');
  const header = (head ?? '').split(',');
  return {
    header,
    rows: lines.map((line) => {
      const cells = line.split(',');
      expect(cells, line).toHaveLength(header.length);
      return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])) as Record<Column, string>;
    }),
  };
}

/** The columns of `clv score --out`, as docs/cli.md documents them. */
const SCORE_COLUMNS = [
  'customer_id',
  'method',
  'predicted_clv',
  'historic_clv',
  'expected_orders',
  'p_alive',
  'churn_risk',
  'churn_band',
  'next_order_date',
  'expected_order_value',
  'tier',
  'segment',
] as const;
type ScoreRow = Record<(typeof SCORE_COLUMNS)[number], string>;

// Read in place from ../shared/data, resolved when a test runs: without the folder, the CDNOW tests fail
// saying where to put it, and the tests of user files below still run.
const sampleFile = () => cdnowFile('CDNOW_sample.txt');
const summaryFile = () => cdnowFile('cdnow_customers_summary_with_transactions.csv');
const splitFile = () => cdnowFile('derived_cdnow_sample_calib_holdout_weeks.csv');
const fixtureText = (file: string) => readFileSync(file, 'utf8');
/** The CDNOW sample's transactions, calibrated up to the end of September 1997 as the papers do. */
const sampleCalibration = () => [
  '--transactions',
  sampleFile(),
  '--format',
  'cdnow',
  '--calibration-end',
  '1997-09-30',
];

/** The CDNOW 1/10 sample's rows: master id, sample id, YYYYMMDD, CDs, dollars. */
function cdnowSampleRows(): { id: string; date: string; dollars: number }[] {
  return fixtureText(sampleFile())
    .trim()
    .split('\n')
    .map((line) => {
      const [, id, date, , dollars] = line.trim().split(/\s+/);
      return { id: String(Number(id)), date: date!, dollars: Number(dollars) };
    });
}

interface FitJson {
  models: Record<string, { params: Record<string, number>; logLikelihood: number; seconds: number }>;
  customers: number;
}

const publishedBgNbd = { r: 0.2426, alpha: 4.4136, a: 0.7929, b: 2.4259 }; // Fader, Hardie & Lee (2005)
const publishedParetoNbd = { r: 0.5532, alpha: 10.5776, s: 0.6062, beta: 11.6677 }; // Fader & Hardie note
const publishedGammaGamma = { p: 6.25, q: 3.74, v: 15.44 }; // Fader, Hardie & Lee, "RFM and CLV"

function expectParams(actual: Record<string, number>, expected: Record<string, number>, tol: number) {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [name, value] of Object.entries(expected)) {
    expect(Math.abs(actual[name]! - value), `${name} = ${actual[name]} vs ${value}`).toBeLessThan(tol);
  }
}

describe('clv fit', () => {
  let fromSummary: FitJson;
  let fromTransactions: FitJson;

  const test = suiteOnSharedData(() => {
    fromSummary = json(
      clv(['fit', '--summary', summaryFile(), '--time-unit', 'week', '--json']),
    ) as unknown as FitJson;
    fromTransactions = json(
      clv(['fit', ...sampleCalibration(), '--time-unit', 'week', '--json']),
    ) as unknown as FitJson;
  }, HOOK_TIMEOUT_MS);

  test('prints the documented JSON shape for the CDNOW summary', () => {
    expect(fromSummary.customers).toBe(2357);
    expect(Object.keys(fromSummary.models).sort()).toEqual(['bgnbd', 'gammaGamma', 'paretoNbd']);
    for (const model of Object.values(fromSummary.models)) {
      expect(Number.isFinite(model.logLikelihood)).toBe(true);
      expect(model.logLikelihood).toBeLessThan(0);
      expect(model.seconds).toBeGreaterThanOrEqual(0);
      expect(model.seconds).toBeLessThan(30);
    }
  });

  test('recovers the published BG/NBD and Pareto/NBD estimates to 1e-3, and their log-likelihoods', () => {
    const { bgnbd, paretoNbd } = fromSummary.models;
    expectParams(bgnbd!.params, publishedBgNbd, 1e-3);
    expectParams(paretoNbd!.params, publishedParetoNbd, 1e-3);
    expect(Math.abs(bgnbd!.logLikelihood - -9582.43)).toBeLessThan(0.01);
    expect(Math.abs(paretoNbd!.logLikelihood - -9594.98)).toBeLessThan(0.05);
  });

  test('recovers the published Gamma-Gamma estimates to 0.01, on the repeat buyers only', () => {
    const { gammaGamma } = fromSummary.models;
    expectParams(gammaGamma!.params, publishedGammaGamma, 0.01);
    const repeatBuyers = fixtureText(summaryFile())
      .trim()
      .split('\n')
      .slice(1)
      .filter((line) => Number(line.split(',')[1]) > 0).length;
    expect((gammaGamma as unknown as { customers: number }).customers).toBe(repeatBuyers);
  });

  test('gives the same BG/NBD estimates from the raw transactions, cut at the calibration end', () => {
    expect(fromTransactions.customers).toBe(2357);
    // The summary file's recency and T are rounded to 0.01 week; the transactions give them exactly.
    expectParams(fromTransactions.models.bgnbd!.params, publishedBgNbd, 1e-2);
    expectParams(fromTransactions.models.paretoNbd!.params, publishedParetoNbd, 1e-2);
  });
});

describe('clv evaluate', () => {
  interface Evaluation extends HoldoutEvaluation {
    candidates?: Evaluation[];
  }
  const args = (model: string) => [
    'evaluate',
    ...sampleCalibration(),
    '--holdout-end',
    '1998-06-30',
    '--time-unit',
    'week',
    '--model',
    model,
    '--json',
  ];
  let bgnbd: Evaluation;
  let auto: Evaluation;
  let holdoutPurchases: number;

  const test = suiteOnSharedData(() => {
    bgnbd = json(clv(args('bgnbd'))) as unknown as Evaluation;
    auto = json(clv(args('auto'))) as unknown as Evaluation;
    const { rows } = readCsv<'frequency_holdout'>(fixtureText(splitFile()));
    holdoutPurchases = rows.reduce((s, r) => s + Number(r.frequency_holdout), 0);
  }, HOOK_TIMEOUT_MS);

  function expectSane(e: Evaluation) {
    expect(e.customers).toBe(2357);
    expect(e.actualTotal).toBe(holdoutPurchases);
    for (const v of [e.predictedTotal, e.mae, e.rmse, e.correlation]) expect(Number.isFinite(v)).toBe(true);
    expect(e.mae).toBeGreaterThan(0);
    expect(e.rmse).toBeGreaterThanOrEqual(e.mae); // the root mean square is never below the mean absolute
    expect(e.correlation).toBeGreaterThan(0.3);
    expect(e.correlation).toBeLessThan(1);
    expect(e.predictedTotal).toBeGreaterThan(0.5 * holdoutPurchases);
    expect(e.predictedTotal).toBeLessThan(1.5 * holdoutPurchases);
  }

  test('scores BG/NBD on the 39-week hold-out against lifetimes’ split', () => {
    expect(holdoutPurchases).toBeGreaterThan(0);
    expect(bgnbd.model).toBe('bgnbd');
    expect(bgnbd.candidates).toBeUndefined();
    expectSane(bgnbd);
  });

  test('with --model auto chooses the candidate with the smallest MAE', () => {
    const candidates = auto.candidates ?? [];
    expect(candidates.length).toBeGreaterThanOrEqual(2);
    candidates.forEach(expectSane);
    const smallest = Math.min(...candidates.map((c) => c.mae));
    expect(auto.mae).toBe(smallest);
    const chosen = candidates.find((c) => c.model === auto.model);
    expect(chosen).toEqual({ ...auto, candidates: undefined });
    expectSane(auto);
    // The BG/NBD candidate is the same backtest as --model bgnbd.
    const bg = candidates.find((c) => c.model === 'bgnbd');
    expect(bg?.mae).toBeCloseTo(bgnbd.mae, 9);
  });
});

describe('clv score on the CDNOW sample', () => {
  let dir: string;
  let run: Run;
  let header: string[];
  let rows: ScoreRow[];

  const test = suiteOnSharedData(() => {
    dir = mkdtempSync(join(tmpdir(), 'clv-score-'));
    const out = join(dir, 'scores.csv');
    run = clv([
      'score',
      '--transactions',
      sampleFile(),
      '--format',
      'cdnow',
      '--time-unit',
      'week',
      '--out',
      out,
    ]);
    ({ header, rows } = readCsv<keyof ScoreRow>(readFileSync(out, 'utf8')));
  }, HOOK_TIMEOUT_MS);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('exits 0 and says how many customers it wrote', () => {
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/2357 customers scored, written to .*scores\.csv/);
  });

  test('writes the documented header and one row per customer', () => {
    expect(header).toEqual(SCORE_COLUMNS);
    const ids = new Set(cdnowSampleRows().map((r) => r.id));
    expect(ids.size).toBe(2357);
    expect(rows).toHaveLength(2357);
    expect(new Set(rows.map((r) => r.customer_id))).toEqual(ids);
    for (const r of rows) expect(r.method).toBe('model');
  });

  test('puts roughly 5 / 15 / 30 / 50 % of customers in platinum / gold / silver / bronze', () => {
    const share = (tier: string) => rows.filter((r) => r.tier === tier).length / rows.length;
    expect(Math.abs(share('platinum') - 0.05)).toBeLessThan(0.01);
    expect(Math.abs(share('gold') - 0.15)).toBeLessThan(0.01);
    expect(Math.abs(share('silver') - 0.3)).toBeLessThan(0.01);
    expect(Math.abs(share('bronze') - 0.5)).toBeLessThan(0.01);
    // Tiers follow predicted CLV: every platinum customer is worth at least every gold one, and so on.
    const clv = (tier: string) => rows.filter((r) => r.tier === tier).map((r) => Number(r.predicted_clv));
    expect(Math.min(...clv('platinum'))).toBeGreaterThanOrEqual(Math.max(...clv('gold')));
    expect(Math.min(...clv('gold'))).toBeGreaterThanOrEqual(Math.max(...clv('silver')));
    expect(Math.min(...clv('silver'))).toBeGreaterThanOrEqual(Math.max(...clv('bronze')));
  });

  test('bands every churn risk at 0.33 and 0.66', () => {
    // The CSV rounds risk to 6 decimals: within that of an edge, either neighbouring band is right.
    const bands = (risk: number): string[] => {
      const out = new Set<string>();
      for (const r of [risk - 1e-6, risk, risk + 1e-6])
        out.add(r < 0.33 ? 'low' : r > 0.66 ? 'high' : 'medium');
      return [...out];
    };
    for (const r of rows) {
      const risk = Number(r.churn_risk);
      expect(risk, r.customer_id).toBeGreaterThanOrEqual(0);
      expect(risk, r.customer_id).toBeLessThanOrEqual(1);
      expect(bands(risk), `customer ${r.customer_id} risk ${risk}`).toContain(r.churn_band);
    }
    // All three bands occur on this data.
    expect(new Set(rows.map((r) => r.churn_band))).toEqual(new Set(['low', 'medium', 'high']));
  });

  test('gives non-negative CLVs, probabilities in [0, 1] and historic CLV equal to what each customer spent', () => {
    const spent = new Map<string, number>();
    for (const t of cdnowSampleRows()) spent.set(t.id, (spent.get(t.id) ?? 0) + t.dollars);
    for (const r of rows) {
      expect(Number(r.predicted_clv), r.customer_id).toBeGreaterThanOrEqual(0);
      const pAlive = Number(r.p_alive);
      expect(pAlive, r.customer_id).toBeGreaterThanOrEqual(0);
      expect(pAlive, r.customer_id).toBeLessThanOrEqual(1);
      expect(Math.abs(Number(r.historic_clv) - spent.get(r.customer_id)!), r.customer_id).toBeLessThan(1e-5);
    }
  });

  test('gives a next order date only after the last purchase day, within the 12-month horizon, and only if likely alive', () => {
    const lastDay = cdnowSampleRows().reduce((max, t) => (t.date > max ? t.date : max), '');
    expect(lastDay).toBe('19980630');
    const dated = rows.filter((r) => r.next_order_date !== '');
    expect(dated.length).toBeGreaterThan(0);
    for (const r of dated) {
      expect(r.next_order_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(r.next_order_date > '1998-06-30', r.customer_id).toBe(true);
      expect(r.next_order_date <= '1999-06-30', r.customer_id).toBe(true);
      expect(Number(r.p_alive), r.customer_id).toBeGreaterThanOrEqual(0.5);
    }
  });
});

describe('clv with user files', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'clv-cli-'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);

  it('falls back to labelled heuristic scores on a shop with too few customers, and exits 0', () => {
    write(
      'orders.csv',
      [
        'customer_id,date,amount,margin',
        'alice,2024-01-05,100,40',
        'alice,2024-03-10,50,20',
        'bob,2024-02-01,30,',
        'carol,2024-02-15,80,30',
        'carol,2024-04-20,-20,-8',
        'carol,2024-05-01,60,25',
        'dave,2024-05-30,10,',
        '',
      ].join('\n'),
    );
    const run = clv(['score', '--transactions', 'orders.csv', '--out', 'scores.csv'], dir);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/insufficient data/);
    // --model auto does not backtest below the minimums either: it says why and scores with the heuristic.
    const auto = clv(['score', '--transactions', 'orders.csv', '--model', 'auto'], dir);
    expect(auto.status, auto.stderr).toBe(0);
    expect(auto.stdout).toMatch(/insufficient data/);
    expect(auto.stdout).not.toMatch(/chosen by backtest/);
    // evaluate has no fallback: it runs what it can, and warns in one line that the data is below the minimums.
    const evaluate = clv(
      [
        'evaluate',
        '--transactions',
        'orders.csv',
        '--calibration-end',
        '2024-03-31',
        '--holdout-end',
        '2024-05-30',
      ],
      dir,
    );
    expect(evaluate.status, evaluate.stderr).toBe(0);
    expect(evaluate.stderr).toMatch(/^clv: warning: insufficient data: only 3 customers/);
    expect(evaluate.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stdout).toMatch(/only 4 customers/);
    const { rows } = readCsv<keyof ScoreRow>(readFileSync(join(dir, 'scores.csv'), 'utf8'));
    expect(rows.map((r) => r.customer_id).sort()).toEqual(['alice', 'bob', 'carol', 'dave']);
    // Historic value is in margin where the margin is known, net of refunds, else revenue at margin rate 1.
    const historic = { alice: 60, bob: 30, carol: 47, dave: 10 } as Record<string, number>;
    for (const r of rows) {
      expect(r.method).toBe('heuristic');
      expect(r.p_alive).toBe(''); // no model, no P(alive)
      expect(Number(r.historic_clv)).toBeCloseTo(historic[r.customer_id]!, 6);
      // average order value × (purchase rate × expected lifespan)
      const predicted = Number(r.predicted_clv);
      expect(predicted).toBeGreaterThan(0);
      expect(Math.abs(predicted - Number(r.expected_order_value) * Number(r.expected_orders))).toBeLessThan(
        1e-5 * predicted,
      );
    }
  });

  // Each bad input: exit code 2 and exactly one line on stderr, naming the file and line where there is one.
  const badInputs: [string, () => string[], RegExp][] = [
    [
      'a missing file',
      () => ['score', '--transactions', 'nowhere.csv'],
      /^clv: nowhere\.csv: cannot be read \(ENOENT\)$/,
    ],
    [
      'a bad date on line 3',
      () => {
        write('bad.csv', 'customer_id,date,amount\na,2024-01-01,10\nb,2024-13-45,5\n');
        return ['score', '--transactions', 'bad.csv'];
      },
      /^clv: bad\.csv:3: date "2024-13-45" is not a date \(use YYYY-MM-DD\)$/,
    ],
    [
      'a non-numeric amount',
      () => {
        write('amounts.csv', 'customer_id,date,amount\na,2024-01-01,10\nb,2024-01-02,ten\n');
        return ['fit', '--transactions', 'amounts.csv'];
      },
      /^clv: amounts\.csv:3: amount "ten" is not a number$/,
    ],
    [
      'a header without the amount column',
      () => {
        write('header.csv', 'customer_id,date\na,2024-01-01\n');
        return ['score', '--transactions', 'header.csv'];
      },
      /^clv: header\.csv:1: .*amount/,
    ],
    ['an unknown command', () => ['frobnicate'], /^clv: .*unknown command "frobnicate"/],
    [
      'an unknown option',
      () => {
        write('ok.csv', 'customer_id,date,amount\na,2024-01-01,10\n');
        return ['score', '--transactions', 'ok.csv', '--frobnicate'];
      },
      /^clv: .*--frobnicate/,
    ],
    [
      '--time-unit month',
      () => {
        write('ok.csv', 'customer_id,date,amount\na,2024-01-01,10\n');
        return ['score', '--transactions', 'ok.csv', '--time-unit', 'month'];
      },
      /^clv: .*--time-unit.*"month"/,
    ],
  ];

  it.each(badInputs)('exits 2 with one line on stderr for %s', (_what, setUp, message) => {
    const run = clv(setUp(), dir);
    expect(run.status, run.stderr).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.split('\n');
    expect(lines, run.stderr).toHaveLength(2); // one line and its newline
    expect(lines[1]).toBe('');
    expect(lines[0]).toMatch(message);
  });
});

describe('clv --help', () => {
  it('exits 0 and lists fit, evaluate and score', () => {
    const run = clv(['--help']);
    expect(run.status).toBe(0);
    for (const command of ['fit', 'evaluate', 'score'])
      expect(run.stdout).toMatch(new RegExp(`^clv ${command} `, 'm'));
  });
});
