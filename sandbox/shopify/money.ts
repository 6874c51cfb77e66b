/**
 * Money as exact integers of minor units (cents), because the two views of an
 * order (REST webhook JSON and GraphQL) must agree to the cent, and floating
 * point sums of decimals would not. Shopify writes amounts as strings in two
 * spellings: REST with the currency's digits (`"86.40"`, `"1000"` for JPY),
 * GraphQL `Decimal` with trailing zeros trimmed but one kept (`"96.0"`, `"14.5"`).
 */

/** ISO 4217 currencies without minor units that a shop might use. */
const ZERO_DECIMAL = new Set([
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'ISK',
  'JPY',
  'KMF',
  'KRW',
  'PYG',
  'RWF',
  'UGX',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
]);

export const minorDigits = (currency: string): number => (ZERO_DECIMAL.has(currency.toUpperCase()) ? 0 : 2);

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** `"19.99"` in EUR → 1999. More fractional digits than the currency has are rounded half away from zero. */
export function toMinor(amount: string, currency: string): number {
  const match = DECIMAL.exec(amount.trim());
  if (!match) throw new Error(`${JSON.stringify(amount)} is not a decimal amount`);
  const [, sign, whole, fraction = ''] = match;
  const digits = minorDigits(currency);
  const kept = fraction.slice(0, digits).padEnd(digits, '0');
  let minor = Number(whole) * 10 ** digits + Number(kept || '0');
  if (fraction.length > digits && Number(fraction[digits]) >= 5) minor += 1;
  if (!Number.isSafeInteger(minor)) throw new Error(`${amount} is too large an amount`);
  return sign && minor !== 0 ? -minor : minor;
}

/** REST spelling: the currency's digits, always (`"86.40"`). */
export function restAmount(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  if (digits === 0) return `${sign}${abs}`;
  const scale = 10 ** digits;
  return `${sign}${Math.floor(abs / scale)}.${String(abs % scale).padStart(digits, '0')}`;
}

/** GraphQL `Decimal` spelling: trailing zeros trimmed, at least one fractional digit (`"96.0"`). */
export function decimalAmount(minor: number, currency: string): string {
  const rest = restAmount(minor, currency);
  if (!rest.includes('.')) return `${rest}.0`;
  return rest.replace(/0+$/, '').replace(/\.$/, '.0');
}

/** Shop money converted to another currency at `rate`, rounded to that currency's minor unit. */
export function convertMinor(minor: number, from: string, to: string, rate: number): number {
  const major = minor / 10 ** minorDigits(from);
  return Math.round(major * rate * 10 ** minorDigits(to));
}

/** `amount × num / den` in minor units, rounded half away from zero: Shopify's proportional allocation. */
export function prorate(minor: number, num: number, den: number): number {
  if (den === 0) return 0;
  const exact = (minor * num) / den;
  return Math.sign(exact) * Math.round(Math.abs(exact));
}
