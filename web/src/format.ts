/**
 * How figures are written on the page. The browser tests format the API's numbers with these same
 * functions to check that the page shows exactly what the API answered.
 */
export const money = (value: number, currency: string) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 2 }).format(value);

/** Axis labels: $1.2K rather than $1,234.56. */
export const shortMoney = (value: number, currency: string) =>
  new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency,
    notation: 'compact',
    maximumFractionDigits: 1,
  }).format(value);

export const count = (value: number) => new Intl.NumberFormat('en-US').format(value);

export const share = (value: number) =>
  new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 }).format(value);

export const dateTime = (iso: string) =>
  new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(
    new Date(iso),
  ) + ' UTC';

export const date = (iso: string) =>
  new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(iso));

export const time = (iso: string) =>
  new Intl.DateTimeFormat('en-US', { timeStyle: 'short', timeZone: 'UTC' }).format(new Date(iso)) + ' UTC';

const MODEL_NAMES: Record<string, string> = {
  bgnbd: 'BG/NBD',
  'pareto-nbd': 'Pareto/NBD',
  mbgnbd: 'MBG/NBD',
  heuristic: 'Heuristic',
};

export const modelName = (name: string) => MODEL_NAMES[name] ?? name;

/** A share as the number typed into a percent field: 0.05 → "5" (no 5.000000000000001). */
export const percentInput = (fraction: number) => String(Number((fraction * 100).toFixed(4)));
