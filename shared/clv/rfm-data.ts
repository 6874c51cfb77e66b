import { InternalError } from '../errors.ts';
import { DoubleInterner, TripleInterner } from './hash-table.ts';

/**
 * Summaries as the likelihoods consume them: identical (x, t_x, T) rows
 * compressed into one row with a weight, and each column's distinct values
 * indexed so per-evaluation work (logs, gammas) is done once per distinct
 * value rather than once per customer. A million daily-grain customers
 * collapse to a few hundred thousand rows over a few hundred distinct T.
 */

/** One customer's repeat-purchase statistics, in the model's time unit. */
export interface Rfm {
  /** Repeat purchases: distinct purchase periods after the first. */
  frequency: number;
  /** Time from the first to the last purchase. */
  recency: number;
  /** Time from the first purchase to the end of observation. */
  T: number;
}

export interface RfmData {
  /** Number of compressed rows. */
  readonly n: number;
  /** Sum of weights: the number of customers. */
  readonly customers: number;
  readonly x: Float64Array;
  readonly tx: Float64Array;
  readonly T: Float64Array;
  readonly weight: Float64Array;
  /** Distinct frequencies and each row's index into them. */
  readonly xValues: Float64Array;
  readonly xIndex: Int32Array;
  readonly txValues: Float64Array;
  readonly txIndex: Int32Array;
  readonly TValues: Float64Array;
  readonly TIndex: Int32Array;
  /** For each input row, the compressed row it went into (-1 when its weight was 0). */
  readonly rowOfInput: Int32Array;
}

export class InvalidSummaryError extends InternalError {
  override name = 'InvalidSummaryError';
}

function checkRow(i: number, x: number, tx: number, T: number): void {
  if (!Number.isInteger(x) || x < 0) {
    throw new InvalidSummaryError(`row ${i}: frequency must be a whole number >= 0, got ${x}`);
  }
  if (!(tx >= 0) || !(T >= tx) || !Number.isFinite(T)) {
    throw new InvalidSummaryError(`row ${i}: need 0 <= recency <= T, got recency=${tx}, T=${T}`);
  }
  if (x === 0 && tx !== 0) {
    throw new InvalidSummaryError(`row ${i}: a customer with no repeat purchase has recency 0, got ${tx}`);
  }
}

/**
 * Compresses summaries into weighted distinct rows. `weights` lets callers pass
 * rows that are already aggregated (e.g. a pattern table).
 */
export function compressRfm(rows: ArrayLike<Rfm>, weights?: ArrayLike<number>): RfmData {
  const count = rows.length;
  const xs = new DoubleInterner(64);
  const txs = new DoubleInterner(1024);
  const Ts = new DoubleInterner(1024);
  const distinct = new TripleInterner(count);
  const rowOfInput = new Int32Array(count).fill(-1);
  // Compressed rows are at most as many as inputs; trimmed at the end.
  const xi = new Int32Array(count);
  const ti = new Int32Array(count);
  const Ti = new Int32Array(count);
  const w = new Float64Array(count);
  let customers = 0;
  for (let i = 0; i < count; i++) {
    const r = rows[i] as Rfm;
    checkRow(i, r.frequency, r.recency, r.T);
    const weight = weights ? (weights[i] as number) : 1;
    if (!(weight > 0)) continue;
    customers += weight;
    const a = xs.of(r.frequency);
    const b = txs.of(r.recency);
    const c = Ts.of(r.T);
    const k = distinct.of(a, b, c);
    rowOfInput[i] = k;
    if (k === distinct.size - 1 && (w[k] as number) === 0) {
      xi[k] = a;
      ti[k] = b;
      Ti[k] = c;
    }
    w[k] = (w[k] as number) + weight;
  }
  const n = distinct.size;
  const xValues = Float64Array.from(xs.values);
  const txValues = Float64Array.from(txs.values);
  const TValues = Float64Array.from(Ts.values);
  const x = new Float64Array(n);
  const tx = new Float64Array(n);
  const T = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    x[k] = xValues[xi[k] as number] as number;
    tx[k] = txValues[ti[k] as number] as number;
    T[k] = TValues[Ti[k] as number] as number;
  }
  return {
    n,
    customers,
    x,
    tx,
    T,
    weight: w.slice(0, n),
    xValues,
    xIndex: xi.slice(0, n),
    txValues,
    txIndex: ti.slice(0, n),
    TValues,
    TIndex: Ti.slice(0, n),
    rowOfInput,
  };
}
