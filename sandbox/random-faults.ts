/**
 * Random fault injection shared by both sandboxes: a seeded draw per call
 * (sandbox/prng.ts, so a failing run replays exactly) decides whether
 * the call fails, and the kinds take turns — throttled (Shopify's THROTTLED answer; Salesforce's
 * 503 load shedding), a server error (5xx), a timeout (the request is held
 * past the client's timeout, then its socket destroyed) or a dropped
 * connection (the socket destroyed at once). A faulted call never reaches
 * its handler, so it changes nothing: what a client sees as failed was not
 * written, and the sandbox's record of received writes proves exactly-once.
 */
import type { Socket } from 'node:net';
import type { Rng } from './prng.ts';
import { seededRng } from './prng.ts';

export const RANDOM_FAULT_KINDS = ['throttle', '5xx', 'timeout', 'drop'] as const;
export type RandomFaultKind = (typeof RANDOM_FAULT_KINDS)[number];

export interface RandomFaultOptions {
  seed: number;
  /** Share of eligible calls that fail, in [0, 1]. */
  rate: number;
  kinds?: readonly RandomFaultKind[];
  /** How long a 'timeout' holds the request before destroying its socket: longer than the client waits. */
  holdMs?: number;
  /** Which calls may fault (by the sandbox's call kind or path); all when absent. */
  eligible?: (callKind: string) => boolean;
}

export class RandomFaults {
  readonly injected: Record<RandomFaultKind, number> = { throttle: 0, '5xx': 0, timeout: 0, drop: 0 };
  /** Calls that were eligible for a fault, faulted or not. */
  eligibleCalls = 0;
  /** Held ('timeout') calls the client abandoned before the sandbox hung up: its timeout worked. */
  clientGaveUp = 0;
  /** Held calls the client was still waiting on when the sandbox hung up: it has no working timeout. */
  sandboxHungUp = 0;
  readonly holdMs: number;
  private readonly rng: Rng;
  private readonly options: RandomFaultOptions;

  constructor(options: RandomFaultOptions) {
    this.options = options;
    this.rng = seededRng(options.seed);
    this.holdMs = options.holdMs ?? 1000;
  }

  /** The fault for this call, if it draws one (counted in `injected`). */
  draw(callKind: string): RandomFaultKind | undefined {
    if (this.options.eligible && !this.options.eligible(callKind)) return undefined;
    this.eligibleCalls++;
    if (!this.rng.chance(this.options.rate)) return undefined;
    // Which calls fail is random; the kinds take turns, so a short run still meets every kind.
    const kinds = this.options.kinds ?? RANDOM_FAULT_KINDS;
    const kind = kinds[this.total % kinds.length]!;
    this.injected[kind]++;
    return kind;
  }

  /** Ends a 'timeout' or 'drop' call with no answer: at once, or after holding it past the client's timeout. */
  abandon(socket: Socket, kind: 'timeout' | 'drop'): void {
    if (kind === 'drop') {
      socket.destroy();
      return;
    }
    let hungUp = false;
    const timer = setTimeout(() => {
      hungUp = true;
      this.sandboxHungUp++;
      socket.destroy();
    }, this.holdMs);
    timer.unref(); // a held call never keeps the test process alive
    socket.once('close', () => {
      if (hungUp) return;
      clearTimeout(timer);
      this.clientGaveUp++;
    });
  }

  get total(): number {
    return Object.values(this.injected).reduce((a, b) => a + b, 0);
  }
}
