/**
 * Open-addressing hash tables over typed arrays, for compressing a million
 * summary rows. A JavaScript Map keyed by numbers or strings costs ~1 µs a row
 * at that size (boxing, rehashing, GC); these cost tens of nanoseconds. Written
 * here because no kept npm package offers a numeric-tuple hash set.
 */
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function mix(h: number, k: number): number {
  h = Math.imul(h ^ k, 0x9e3779b1);
  return (h ^ (h >>> 15)) >>> 0;
}

function hashDouble(v: number): number {
  f64[0] = v === 0 ? 0 : v; // -0 and 0 are one key
  return mix(mix(0x811c9dc5, u32[0] as number), u32[1] as number);
}

function capacityFor(n: number): number {
  let c = 16;
  while (c < 2 * n) c *= 2;
  return c;
}

/** Assigns each distinct double a dense index, in first-seen order. */
export class DoubleInterner {
  private keys: Float64Array;
  private slots: Int32Array;
  private mask: number;
  readonly values: number[] = [];

  constructor(expected: number) {
    const c = capacityFor(expected);
    this.keys = new Float64Array(c);
    this.slots = new Int32Array(c).fill(-1);
    this.mask = c - 1;
  }

  of(v: number): number {
    let i = hashDouble(v) & this.mask;
    for (;;) {
      const at = this.slots[i] as number;
      if (at < 0) {
        const index = this.values.length;
        this.slots[i] = index;
        this.keys[i] = v;
        this.values.push(v);
        if (2 * this.values.length > this.slots.length) this.grow();
        return index;
      }
      if (this.keys[i] === v) return at;
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.values;
    const c = this.slots.length * 2;
    this.keys = new Float64Array(c);
    this.slots = new Int32Array(c).fill(-1);
    this.mask = c - 1;
    old.forEach((v, index) => {
      let i = hashDouble(v) & this.mask;
      while ((this.slots[i] as number) >= 0) i = (i + 1) & this.mask;
      this.slots[i] = index;
      this.keys[i] = v;
    });
  }
}

/** Assigns each distinct triple of small non-negative integers a dense index. */
export class TripleInterner {
  private readonly keys: Int32Array;
  private readonly slots: Int32Array;
  private readonly mask: number;
  size = 0;

  /** `maxDistinct` bounds the number of distinct triples (e.g. the row count). */
  constructor(maxDistinct: number) {
    const c = capacityFor(maxDistinct);
    this.keys = new Int32Array(3 * c);
    this.slots = new Int32Array(c).fill(-1);
    this.mask = c - 1;
  }

  /** The index of (a, b, c), and whether it was new. */
  of(a: number, b: number, c: number): number {
    let i = mix(mix(mix(0x811c9dc5, a), b), c) & this.mask;
    for (;;) {
      const at = this.slots[i] as number;
      if (at < 0) {
        this.slots[i] = this.size;
        this.keys[3 * i] = a;
        this.keys[3 * i + 1] = b;
        this.keys[3 * i + 2] = c;
        return this.size++;
      }
      if (this.keys[3 * i] === a && this.keys[3 * i + 1] === b && this.keys[3 * i + 2] === c) return at;
      i = (i + 1) & this.mask;
    }
  }
}
