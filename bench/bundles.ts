/**
 * Bundle size and cold start: `serverless package` builds one ESM bundle per
 * function; each is unzipped and imported in a fresh Node process, which
 * times the module initialisation (what a Lambda cold start adds before the
 * handler runs). Prints one JSON line per function: zipped bytes, bundle
 * bytes (the function's module, and apart its code-split chunks, which are
 * read only when imported), and the median and fastest of BENCH_INIT_RUNS (default 9)
 * initialisations in ms, wall-clock and CPU (user + system, all threads): on
 * a busy shared machine the wall-clock time mostly measures the other
 * processes, the CPU time what the code costs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../', import.meta.url).pathname;
execFileSync(
  process.execPath,
  [join(root, 'node_modules/serverless/bin/serverless.js'), 'package', '--stage', 'bench'],
  {
    cwd: root,
    stdio: 'ignore',
  },
);
const out = join(root, '.serverless');
const RUNS = Number(process.env.BENCH_INIT_RUNS ?? 9);
// The Lambda Node.js runtime has loaded node:http (its Runtime API client, aws-lambda-nodejs-runtime-interface-
// client src/client/rapid-client.ts, requires it at the top) before it imports the handler, so that load is
// part of the runtime's own start, not of our module's initialisation; the probe loads it before the clock starts.
const probe = [
  "await import('node:http');",
  'const c = process.cpuUsage(); const t = performance.now(); await import(process.argv[1]);',
  'const u = process.cpuUsage(c);',
  'console.log(JSON.stringify([performance.now() - t, (u.user + u.system) / 1000]));',
].join(' ');
for (const zip of readdirSync(out).filter((f) => f.endsWith('.zip'))) {
  const dir = mkdtempSync(join(tmpdir(), 'clv-bundle-'));
  execFileSync('unzip', ['-q', join(out, zip), '-d', dir]);
  const fnDir = join(dir, 'functions');
  // The function's own module; its chunks (esbuild.plugins.ts) are in a folder beside it, read when imported.
  const file = join(
    fnDir,
    readdirSync(fnDir).find((f) => f.endsWith('.mjs'))!,
  );
  const chunkDir = `${file.slice(0, -'.mjs'.length)}.chunks`;
  const chunks = existsSync(chunkDir) ? readdirSync(chunkDir, { withFileTypes: true }) : [];
  const chunkBytes = chunks
    .filter((f) => f.isFile())
    .reduce((sum, f) => sum + statSync(join(chunkDir, f.name)).size, 0);
  const runs: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const ms = execFileSync(process.execPath, ['--input-type=module', '-e', probe, file], {
      encoding: 'utf8',
      env: { ...process.env, CLV_TABLE: 'bench', AWS_REGION: 'us-east-1' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const [wallMs, cpuMs] = JSON.parse(ms.trim()) as [number, number];
    runs.push(wallMs);
    cpu.push(cpuMs);
  }
  runs.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      function: zip.replace(/\.zip$/, ''),
      zippedBytes: statSync(join(out, zip)).size,
      bundleBytes: statSync(file).size,
      chunkBytes,
      initMedianMs: runs[Math.floor(RUNS / 2)],
      initFastestMs: runs[0],
      initCpuMedianMs: cpu[Math.floor(RUNS / 2)],
    }),
  );
}
