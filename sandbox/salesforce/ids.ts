/**
 * Salesforce record ids, made the way Salesforce makes them: a 3-character
 * key prefix naming the sObject type, 12 more case-sensitive characters, and
 * (for the 18-character form every API returns) a 3-character suffix that
 * encodes which of the first 15 characters are upper case. The sandbox checks
 * the suffix and the prefix on input, so an id typed by hand, truncated or
 * meant for another object fails with MALFORMED_ID as it would in a real org.
 */

/** Key prefixes of the objects the sandbox models, plus the non-record ids it issues. */
export const KEY_PREFIX = {
  Account: '001',
  Contact: '003',
  Opportunity: '006',
  OpportunityContactRole: '00K',
  Order: '801',
  OrderItem: '802',
  User: '005',
  Organization: '00D',
  CustomField: '00N',
  PermissionSet: '0PS',
  Layout: '00h',
  BulkJob: '750',
  QueryLocator: '01g',
  DeployRequest: '0Af',
  OutboundNotification: '04l',
  OutboundAction: '04k',
} as const;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** The 3-character case-encoding suffix for a 15-character id. */
export function idSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += SUFFIX_CHARS[bits];
  }
  return suffix;
}

/** 15 → 18 characters; an 18-character id is returned as is. */
export function to18(id: string): string {
  return id.length === 15 ? id + idSuffix(id) : id;
}

/**
 * Whether a string is a well-formed id: 15 alphanumerics, or 18 whose last
 * three match the case of the first fifteen (Salesforce compares the suffix
 * case-insensitively, so `…AAA` and `…aaa` are the same id).
 */
export function isWellFormedId(id: string): boolean {
  if (!/^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$/.test(id)) return false;
  if (id.length === 15) return true;
  return idSuffix(id.slice(0, 15)) === id.slice(15).toUpperCase();
}

/**
 * Mints ids for one org: `prefix + pod (2) + zeros + a base-62 counter`,
 * shaped like `0035g00000AbC12` + suffix. Different pods keep ids minted by
 * fixtures and by the org itself apart.
 */
export class IdFactory {
  private readonly counters = new Map<string, number>();
  private readonly pod: string;

  constructor(pod = '5g') {
    if (!/^[0-9A-Za-z]{2}$/.test(pod)) throw new Error(`pod must be two alphanumerics, got ${pod}`);
    this.pod = pod;
  }

  next(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    let digits = '';
    for (let v = n; v > 0; v = Math.floor(v / 62)) digits = BASE62[v % 62] + digits;
    const body = `${prefix}${this.pod}`;
    return to18(body + digits.padStart(15 - body.length, '0'));
  }
}

/** An 18-character org id for a seed, e.g. `00D5g0000012345EAA`. */
export function orgIdFor(seed: string): string {
  let h = 0;
  for (const ch of seed) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0;
  return to18(`00D5g${String(h % 1e10).padStart(10, '0')}`);
}
