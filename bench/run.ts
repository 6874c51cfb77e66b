/**
 * `npm run bench`: engine throughput on simulated tenants of 10k, 100k and 1M
 * customers (BG/NBD + Gamma-Gamma process, seeded), each size in a child
 * process. Figures are medians of three runs on one core; peak memory is the
 * child's maximum RSS, simulation included. Results also go to
 * bench/results/engine.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { table } from '../cli/table.ts';

// Exact purchase times are the model's own process (parameters must come back) and the worst case for
// compression; day-grained times are what a store's order dates give.
const runs = (process.env.BENCH_SIZES ?? '10000,100000,1000000,1000000:day')
  .split(',')
  .map((s) => s.split(':'));
const script = fileURLToPath(new URL('./engine-size.ts', import.meta.url));
const rows: Record<string, string | number | null | Record<string, number>>[] = [];
for (const [n, grain = 'exact'] of runs) {
  process.stderr.write(`bench: ${Number(n).toLocaleString('en')} customers, ${grain} times…\n`);
  const out = execFileSync(process.execPath, ['--expose-gc', script, String(n), grain], { encoding: 'utf8' });
  rows.push(JSON.parse(out.trim().split('\n').pop() as string));
}
const fmt = (v: unknown, digits = 3) => (typeof v === 'number' ? v.toFixed(digits) : '-');
console.log(
  table(
    [
      'customers',
      'times',
      'distinct rows',
      'BG/NBD fit s',
      'Gamma-Gamma fit s',
      'Pareto/NBD fit s',
      'score s',
      'scored/s',
      'peak RSS MiB',
      'max param error vs truth',
    ],
    rows.map((r) => [
      (r.customers as number).toLocaleString('en'),
      String(r.grain),
      String(r.distinctRows),
      fmt(r.bgnbdSeconds),
      fmt(r.gammaGammaSeconds),
      fmt(r.paretoNbdSeconds),
      fmt(r.scoreSeconds),
      Math.round(r.scoredPerSecond as number).toLocaleString('en'),
      fmt(r.peakRssMiB, 0),
      `${(100 * Math.max(r.bgnbdMaxRelativeError as number, r.gammaGammaMaxRelativeError as number)).toFixed(1)}%`,
    ]),
  ),
);
console.log(
  'Targets at 1M: BG/NBD fit < 1.5 s, Gamma-Gamma < 0.4 s, scoring < 2 s (medians of 3, one core).',
);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/engine.json', import.meta.url), `${JSON.stringify(rows, null, 2)}\n`);
