/**
 * One benchmark size, in its own process so its peak memory is its own:
 * simulate N customers (continuous purchase times, or floored to days with
 * `day`), then time (median of `repeats`) the BG/NBD fit,
 * the Gamma-Gamma fit and scoring every customer. Prints one JSON line.
 */
import { TRUE_BGNBD, TRUE_GAMMA_GAMMA, simulateSummaries } from '../shared/clv/simulate.ts';
import { bgNbd, fitGammaGamma, fitPurchaseModel, paretoNbd, scoreWithModel } from '../shared/clv/index.ts';

const customers = Number(process.argv[2]);
const grain = process.argv[3] === 'day' ? 'day' : 'exact';
const repeats = Number(process.argv[4] ?? 3);
const summaries = simulateSummaries({ customers, seed: 20261123, grain });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function timed<T>(run: () => T): { result: T; seconds: number } {
  const seconds: number[] = [];
  let result!: T;
  for (let i = 0; i < repeats; i++) {
    globalThis.gc?.();
    const start = performance.now();
    result = run();
    seconds.push((performance.now() - start) / 1000);
  }
  return { result, seconds: median(seconds) };
}

const bg = timed(() => fitPurchaseModel(bgNbd, summaries));
const gg = timed(() => fitGammaGamma(summaries));
const engine = {
  purchaseModel: bgNbd as never,
  purchaseParams: bg.result.params,
  spendParams: gg.result.params,
};
const score = timed(() => scoreWithModel(summaries, engine, 365));
// Pareto/NBD differentiates numerically through 2F1: too slow to be the large-tenant default, so timed up to 100k.
const pareto = customers <= 100_000 ? timed(() => fitPurchaseModel(paretoNbd, summaries)) : null;

const relativeError = (fit: Record<string, number>, truth: Record<string, number>) =>
  Math.max(...Object.keys(truth).map((k) => Math.abs((fit[k] as number) / (truth[k] as number) - 1)));

console.log(
  JSON.stringify({
    customers,
    grain,
    distinctRows: bg.result.rows,
    bgnbdSeconds: bg.seconds,
    bgnbdParams: bg.result.params,
    bgnbdMaxRelativeError: relativeError(bg.result.params, TRUE_BGNBD),
    gammaGammaSeconds: gg.seconds,
    gammaGammaParams: gg.result.params,
    gammaGammaMaxRelativeError: relativeError(gg.result.params, TRUE_GAMMA_GAMMA),
    paretoNbdSeconds: pareto?.seconds ?? null,
    scoreSeconds: score.seconds,
    scoredPerSecond: customers / score.seconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  }),
);
