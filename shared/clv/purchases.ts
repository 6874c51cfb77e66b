import { InternalError } from '../errors.ts';

/** The engine's view of an order line: who bought, when, for how much. */
export interface Purchase {
  customerId: string;
  /** When it was placed, in ms since the Unix epoch. */
  at: number;
  /** Net value in the tenant's currency: refunds negative, discounts already taken off. */
  amount: number;
  /** Profit on it when cost is known; undefined or null when it is not. */
  margin?: number | null;
  /** Rows with the same order id are one order: a refund nets against the order it refunds. */
  orderId?: string;
  /** Cancelled orders count zero and are not purchases. */
  cancelled?: boolean;
}

export type TimeUnit = 'day' | 'week';

export const DAY_MS = 86_400_000;

export function unitDays(unit: TimeUnit): number {
  return unit === 'week' ? 7 : 1;
}

export class InvalidPurchaseError extends InternalError {
  override name = 'InvalidPurchaseError';
}

/** Whole UTC day number of an instant, shifted into the tenant's time zone. */
export function dayNumber(at: number, utcOffsetMinutes = 0): number {
  return Math.floor((at + utcOffsetMinutes * 60_000) / DAY_MS);
}

/** Parses `YYYY-MM-DD` or `YYYYMMDD` (or a full ISO timestamp) as a UTC instant; NaN when it is not a date. */
export function parseDate(text: string): number {
  const t = text.trim();
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  const iso = compact ? `${compact[1]}-${compact[2]}-${compact[3]}` : t;
  if (!/^\d{4}-\d{2}-\d{2}/.test(iso)) return NaN;
  const ms = Date.parse(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  // Date.parse rolls 1997-02-30 over into March; a real calendar date survives the round trip.
  if (iso.length === 10 && Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) !== iso) return NaN;
  return ms;
}

export function formatDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
