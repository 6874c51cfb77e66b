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

export class InvalidSummaryError extends Error {
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

/** Maps each value to a dense index, in first-seen order. */
class Interner {
  readonly index = new Map<number, number>();
  readonly values: number[] = [];
  of(v: number): number {
    let i = this.index.get(v);
    if (i === undefined) {
      i = this.values.length;
      this.index.set(v, i);
      this.values.push(v);
    }
    return i;
  }
}

/**
 * Compresses summaries into weighted distinct rows. `weights` lets callers pass
 * rows that are already aggregated (e.g. a pattern table).
 */
export function compressRfm(rows: ArrayLike<Rfm>, weights?: ArrayLike<number>): RfmData {
  const xs = new Interner();
  const txs = new Interner();
  const Ts = new Interner();
  // Rows keyed by (x index, tx index, T index); nested maps avoid building a string per customer.
  const rowOf = new Map<number, Map<number, Map<number, number>>>();
  const outX: number[] = [];
  const outTx: number[] = [];
  const outT: number[] = [];
  const outW: number[] = [];
  let customers = 0;
  const rowOfInput = new Int32Array(rows.length).fill(-1);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as Rfm;
    checkRow(i, r.frequency, r.recency, r.T);
    const w = weights ? (weights[i] as number) : 1;
    if (!(w > 0)) continue;
    customers += w;
    const xi = xs.of(r.frequency);
    const ti = txs.of(r.recency);
    const Ti = Ts.of(r.T);
    let byTx = rowOf.get(xi);
    if (!byTx) rowOf.set(xi, (byTx = new Map()));
    let byT = byTx.get(ti);
    if (!byT) byTx.set(ti, (byT = new Map()));
    const at = byT.get(Ti);
    if (at === undefined) {
      rowOfInput[i] = outW.length;
      byT.set(Ti, outW.length);
      outX.push(r.frequency);
      outTx.push(r.recency);
      outT.push(r.T);
      outW.push(w);
    } else {
      rowOfInput[i] = at;
      outW[at] = (outW[at] as number) + w;
    }
  }
  const n = outW.length;
  const xIndex = new Int32Array(n);
  const txIndex = new Int32Array(n);
  const TIndex = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    xIndex[i] = xs.index.get(outX[i] as number) as number;
    txIndex[i] = txs.index.get(outTx[i] as number) as number;
    TIndex[i] = Ts.index.get(outT[i] as number) as number;
  }
  return {
    n,
    customers,
    x: Float64Array.from(outX),
    tx: Float64Array.from(outTx),
    T: Float64Array.from(outT),
    weight: Float64Array.from(outW),
    xValues: Float64Array.from(xs.values),
    xIndex,
    txValues: Float64Array.from(txs.values),
    txIndex,
    TValues: Float64Array.from(Ts.values),
    TIndex,
    rowOfInput,
  };
}
