/**
 * The N best items of a stream by a comparator, in bounded memory: candidates are buffered and the
 * buffer cut back to N whenever it reaches 2N, so a pass over 100k customers keeps at most 2N of
 * them and sorts small arrays only (O(n log N) overall), with no heap to hand-maintain.
 */
export class TopN<T> {
  private items: T[] = [];
  /** The N-th best at the last cut: anything not better can never make the top N. */
  private threshold: T | undefined;
  private readonly n: number;
  private readonly compare: (a: T, b: T) => number;

  /** `compare` orders best first: negative when `a` ranks above `b`. */
  constructor(n: number, compare: (a: T, b: T) => number) {
    this.n = Math.max(0, Math.floor(n));
    this.compare = compare;
  }

  offer(item: T): void {
    if (this.n === 0) return;
    if (this.threshold !== undefined && this.compare(item, this.threshold) >= 0) return;
    this.items.push(item);
    if (this.items.length >= 2 * this.n) this.cut();
  }

  /** The best N, best first. */
  result(): T[] {
    this.cut();
    return [...this.items];
  }

  private cut(): void {
    this.items.sort(this.compare);
    this.items.length = Math.min(this.items.length, this.n);
    if (this.items.length === this.n) this.threshold = this.items[this.n - 1];
  }
}
