/**
 * Money as Shopify sends it: decimal strings (`"19.99"`, GraphQL's `"19.0"`),
 * sometimes bare numbers (older REST fields such as a refund line's
 * `subtotal`). Parsed strictly, so "abc", "", "1e3" or NaN never reach a sum:
 * they fail validation with the field's path.
 */
import * as z from 'zod';

const DECIMAL = /^-?\d+(?:\.\d+)?$/;

/** A finite amount, sign allowed (order adjustments are negative when money goes back). */
export const amountSchema = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const n = typeof value === 'number' ? value : DECIMAL.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n)) {
    ctx.addIssue({ code: 'custom', input: value, message: 'expected a decimal amount such as "19.99"' });
    return z.NEVER;
  }
  return n === 0 ? 0 : n;
});

/** An amount that cannot be negative: prices, subtotals, refunded line values. */
export const nonNegativeAmountSchema = amountSchema.refine((n) => n >= 0, {
  message: 'expected an amount of zero or more',
});

export const currencyCodeSchema = z.string().regex(/^[A-Za-z]{3}$/, 'expected a three-letter currency code');

/** REST `*_set` money bag: the shop currency's amount is the one we score in. */
export function restMoneySetSchema<A extends z.ZodType<number>>(amount: A) {
  return z.object({
    shop_money: z.object({ amount, currency_code: currencyCodeSchema.optional() }),
  });
}

/** Rounded to cents, half away from zero, without the binary noise a sum of decimals leaves (1.005, 0.1 + 0.2). */
export function roundCents(n: number): number {
  const cents = Math.round(Number((Math.abs(n) * 100).toPrecision(15)));
  return cents === 0 ? 0 : (Math.sign(n) * cents) / 100;
}
