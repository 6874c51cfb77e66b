/**
 * `npm run bench`: engine throughput on simulated tenants of 10k, 100k and 1M
 * customers (BG/NBD + Gamma-Gamma process, seeded), each size in a child
 * process. Figures are medians of three runs on one core; peak memory is the
 * child's maximum RSS, simulation included. Then a tenant refit in DynamoDB
 * Local (time, DynamoDB calls, peak memory), the webhook acknowledgement
 * latency, the embedded stack under load (BENCH_LOAD=deliveries:per-second,…,
 * default 3000:50,3000:100), and the bundles. Results also go to bench/results/*.json.
 *
 * `npm run bench -- bundles` (or engine, refit, webhook, outbound, load, patterns; several
 * may be named) runs only those parts. `outbound`: the unauthenticated outbound
 * message refusal (BENCH_OUTBOUND_RUNS, default 20).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { table } from '../cli/table.ts';

const PARTS = ['engine', 'refit', 'webhook', 'outbound', 'load', 'bundles', 'patterns'] as const;
const asked = process.argv.slice(2);
const unknown = asked.filter((p) => !(PARTS as readonly string[]).includes(p));
if (unknown.length) {
  console.error(`unknown bench part ${unknown.join(', ')}: choose from ${PARTS.join(', ')}`);
  process.exit(2);
}
const fmt = (v: unknown, digits = 3) => (typeof v === 'number' ? v.toFixed(digits) : '-');
const selected = (part: (typeof PARTS)[number]) => asked.length === 0 || asked.includes(part);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
/** Runs bench/<script> in a node of its own (a clean heap per measurement); its result is its last line of output. */
function childResult<T>(
  script: string,
  args: readonly string[] = [],
  options: { nodeFlags?: readonly string[]; maxBuffer?: number } = {},
): T {
  const path = fileURLToPath(new URL(`./${script}`, import.meta.url));
  const out = execFileSync(process.execPath, [...(options.nodeFlags ?? []), path, ...args], {
    encoding: 'utf8',
    ...(options.maxBuffer === undefined ? {} : { maxBuffer: options.maxBuffer }),
  });
  return JSON.parse(out.trim().split('\n').pop() as string) as T;
}

const saveResult = (name: string, value: unknown) =>
  writeFileSync(new URL(`./results/${name}.json`, import.meta.url), `${JSON.stringify(value, null, 2)}\n`);

if (selected('engine')) {
  // Exact purchase times are the model's own process (parameters must come back) and the worst case for
  // compression; day-grained times are what a store's order dates give.
  const runs = (process.env.BENCH_SIZES ?? '10000,100000,1000000,1000000:day')
    .split(',')
    .map((s) => s.split(':'));
  const rows: Record<string, string | number | null | Record<string, number>>[] = [];
  for (const [n, grain = 'exact'] of runs) {
    process.stderr.write(`bench: ${Number(n).toLocaleString('en')} customers, ${grain} times…\n`);
    rows.push(childResult('engine-size.ts', [String(n), grain], { nodeFlags: ['--expose-gc'] }));
  }
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
  saveResult('engine', rows);
}

if (selected('refit')) {
  // A tenant refit in DynamoDB Local: time by phase, the DynamoDB calls it made, peak memory.
  const refitSizes = (process.env.BENCH_REFIT_SIZES ?? '100000').split(',').filter(Boolean);
  const refits: Record<string, unknown>[] = [];
  for (const n of refitSizes) {
    process.stderr.write(`bench: refit of ${Number(n).toLocaleString('en')} customers in DynamoDB Local…\n`);
    refits.push(childResult('refit-size.ts', [n]));
  }
  console.log(
    table(
      [
        'customers',
        'refit s',
        'read s',
        'backtest s',
        'fit+score s',
        'write s',
        'model',
        'DynamoDB calls',
        'peak RSS MiB',
      ],
      refits.map((r) => {
        const phases = r.phases as Record<string, number>;
        return [
          (r.customers as number).toLocaleString('en'),
          fmt(r.refitSeconds, 1),
          fmt(phases.read, 1),
          fmt(phases.backtest, 1),
          fmt(phases.fitAndScore, 2),
          fmt(phases.write, 1),
          String(r.model),
          Object.entries(r.calls as Record<string, number>)
            .map(([k, v]) => `${k} ${v}`)
            .join(', '),
          fmt(r.peakRssMiB, 0),
        ];
      }),
    ),
  );
  saveResult('refit', refits);
}

if (selected('webhook')) {
  // Webhook acknowledgement: signed orders/create through the production handler, one at a time.
  process.stderr.write('bench: webhook acknowledgement latency…\n');
  const ack = childResult<Record<string, number>>('webhook-ack.ts', [process.env.BENCH_WEBHOOKS ?? '1000']);
  console.log(
    table(
      ['deliveries', 'median ms', 'p99 ms', 'max ms'],
      [[String(ack.deliveries), fmt(ack.medianMs, 1), fmt(ack.p99Ms, 1), fmt(ack.maxMs, 1)]],
    ),
  );
  console.log('Shopify expects an answer within 5,000 ms.');
  saveResult('webhook-ack', ack);
}

if (selected('outbound')) {
  // An unauthenticated 95 KB outbound message (1,000 namespaces over 20,000 elements) refused, one at a time.
  process.stderr.write('bench: unauthenticated outbound message refusal…\n');
  const runs = process.env.BENCH_OUTBOUND_RUNS ?? '20';
  const refusal = childResult<Record<string, unknown>>('outbound-refusal.ts', [runs]);
  console.log(
    table(
      [
        'body KB',
        'refused median ms',
        'CPU ms',
        'GetItem ms',
        'max ms',
        'statuses',
        'largest real KB',
        'its median ms',
        'peak RSS MiB',
      ],
      [
        [
          fmt((refusal.floodBytes as number) / 1024, 0),
          fmt(refusal.unauthenticatedMedianMs, 1),
          fmt(refusal.unauthenticatedCpuMedianMs, 1),
          fmt(refusal.getItemMedianMs, 1),
          fmt(refusal.unauthenticatedMaxMs, 1),
          JSON.stringify(refusal.statuses),
          fmt((refusal.largestMessageBytes as number) / 1024, 0),
          fmt(refusal.largestMessageMedianMs, 0),
          fmt(refusal.peakRssMiB, 0),
        ],
      ],
    ),
  );
  console.log(
    `Target: refused in < 50 ms (median) on ${String(refusal.machine)}, load average ${fmt(refusal.loadAverage, 1)}; ` +
      'a refusal is one consistent GetItem (the GetItem column: its cost on this machine meanwhile). Callback URL check: ' +
      `${fmt(refusal.urlCheckLongestMs, 3)} ms on the longest URL read, ${fmt(refusal.urlCheckHostileMs, 3)} ms ` +
      `refusing a hostile one (the old pattern: ${fmt(refusal.oldPatternHostileMs, 0)} ms).`,
  );
  saveResult('outbound-refusal', refusal);
}

if (selected('load')) {
  // The embedded stack under fixed rates of signed webhooks over HTTP, each run then its backlog drained:
  // the issue's two (50/s over 60 s, 100/s over 30 s) unless BENCH_LOAD names others (deliveries:rate,…).
  const runs = (process.env.BENCH_LOAD ?? '3000:50,3000:100').split(',').map((r) => r.split(':'));
  const results: Record<string, unknown>[] = [];
  for (const [deliveries = '3000', rate = '50'] of runs) {
    process.stderr.write(`bench: ${deliveries} webhooks at ${rate}/s into the local stack…\n`);
    results.push(
      childResult<Record<string, unknown>>('stack-load.ts', [deliveries, rate], {
        maxBuffer: 64 * 1024 * 1024,
      }),
    );
  }
  type LoadRun = {
    deliveries: number;
    targetPerSecond: number;
    achievedPerSecond: number;
    ackP50Ms: number;
    ackP99Ms: number;
    ackMaxMs: number;
    overShopifyWait: number;
    statuses: Record<string, number>;
    backlogDrainSeconds: number;
    acceptedCustomers: number;
    keptNothing: number;
    customersToScore: number;
    customersScored: number;
    customersWrittenBack: number;
    serving: Record<string, number>;
    loadAverage: { before: number[]; during: number[]; after: number[] };
    cpus: number;
  };
  const loads = results as LoadRun[];
  console.log(
    table(
      [
        'webhooks',
        'target/s',
        'achieved/s',
        'ack p50 ms',
        'ack p99 ms',
        'ack max ms',
        '> 5 s',
        'statuses',
        'backlog drain s',
        'scored / to score (accepted, kept nothing)',
        'written back',
        'slot wait p99 ms',
        'handler p50/p99 ms',
        'load avg (1 min) before / sending',
      ],
      loads.map((l) => [
        String(l.deliveries),
        String(l.targetPerSecond),
        String(l.achievedPerSecond),
        String(l.ackP50Ms),
        String(l.ackP99Ms),
        String(l.ackMaxMs),
        String(l.overShopifyWait),
        JSON.stringify(l.statuses),
        String(l.backlogDrainSeconds),
        `${l.customersScored} / ${l.customersToScore} (${l.acceptedCustomers}, ${l.keptNothing})`,
        String(l.customersWrittenBack),
        String(l.serving.waitP99Ms),
        `${l.serving.handlerP50Ms} / ${l.serving.handlerP99Ms}`,
        `${l.loadAverage.before[0]} / ${l.loadAverage.during[0]} on ${l.cpus} CPUs`,
      ]),
    ),
  );
  console.log(
    'Targets (issue 17): at 50/s every webhook 200, ack p99 < 1000 ms, every customer scored and written back, ' +
      'drained within 60 s; at 100/s none over 5 s (200 or 503), every 200 scored.',
  );
  saveResult('stack-load', loads);
}

if (selected('bundles')) {
  // Bundle size and module initialisation (the cold-start share that is ours), per function.
  process.stderr.write('bench: bundles and cold start…\n');
  const bundles = execFileSync(process.execPath, [fileURLToPath(new URL('./bundles.ts', import.meta.url))], {
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .map(
      (l) =>
        JSON.parse(l) as {
          function: string;
          zippedBytes: number;
          bundleBytes: number;
          initMedianMs: number;
          initFastestMs: number;
          initCpuMedianMs: number;
        },
    );
  console.log(
    table(
      ['function', 'zipped KB', 'bundle KB', 'module init ms (median)', 'fastest ms', 'CPU ms (median)'],
      bundles.map((b) => [
        b.function,
        fmt(b.zippedBytes / 1024, 0),
        fmt(b.bundleBytes / 1024, 0),
        fmt(b.initMedianMs, 0),
        fmt(b.initFastestMs, 0),
        fmt(b.initCpuMedianMs, 0),
      ]),
    ),
  );
  saveResult('bundles', bundles);
}

if (selected('patterns')) {
  // Shopper- and merchant-typed values through the patterns that read them, before and after bounding.
  process.stderr.write('bench: referral and login-host patterns on hostile values…\n');
  const rows =
    childResult<{ case: string; length: number; beforeMs: number; afterMs: number }[]>(
      'referral-patterns.ts',
    );
  console.log(
    table(
      ['value', 'characters', 'before ms (median)', 'after ms (median)'],
      rows.map((r) => [r.case, r.length.toLocaleString('en'), fmt(r.beforeMs, 2), fmt(r.afterMs, 3)]),
    ),
  );
  saveResult('patterns', rows);
}
