/**
 * Splits a purchase history at a calibration end: the model is fitted on the
 * calibration summaries and judged on what the same customers did in the
 * hold-out period (calibration end, hold-out end]. Only customers whose first
 * purchase falls in calibration are kept, as in Fader, Hardie & Lee (2005).
 */
import { InternalError } from '../errors.ts';
import type { Purchase, TimeUnit } from './purchases.ts';
import { dayNumber, unitDays } from './purchases.ts';
import type { CustomerSummary } from './summarize.ts';
import { summarize } from './summarize.ts';

export interface CalibrationHoldoutRow extends CustomerSummary {
  /** Purchase days in the hold-out period. */
  holdoutFrequency: number;
  /** Mean value of the hold-out purchase days; 0 without any. */
  holdoutMonetaryValue: number;
  /** Length of the hold-out period in the time unit. */
  holdoutDuration: number;
}

export interface SplitOptions {
  calibrationEnd: number;
  holdoutEnd: number;
  timeUnit?: TimeUnit;
  utcOffsetMinutes?: number;
  zeroValuePurchases?: 'count' | 'ignore';
}

export class InvalidSplitError extends InternalError {
  override name = 'InvalidSplitError';
}

export function calibrationHoldoutSplit(
  purchases: readonly Purchase[],
  options: SplitOptions,
): CalibrationHoldoutRow[] {
  const offset = options.utcOffsetMinutes ?? 0;
  const calDay = dayNumber(options.calibrationEnd, offset);
  const holdDay = dayNumber(options.holdoutEnd, offset);
  if (holdDay <= calDay) throw new InvalidSplitError('the hold-out end must come after the calibration end');
  const unit = unitDays(options.timeUnit ?? 'day');
  const common = {
    timeUnit: options.timeUnit,
    utcOffsetMinutes: offset,
    zeroValuePurchases: options.zeroValuePurchases,
  };
  const calibration = summarize(purchases, { ...common, observationEnd: options.calibrationEnd });
  // Hold-out behaviour: the same netting rules, applied to the hold-out window alone.
  const inHoldout = purchases.filter((p) => {
    const d = dayNumber(p.at, offset);
    return d > calDay && d <= holdDay;
  });
  const holdout = new Map(
    summarize(inHoldout, { ...common, observationEnd: options.holdoutEnd }).map((s) => [s.customerId, s]),
  );
  return calibration.map((c) => {
    const h = holdout.get(c.customerId);
    const n = h ? h.purchaseDays : 0;
    return {
      ...c,
      holdoutFrequency: n,
      holdoutMonetaryValue: h && n ? (h.monetaryValue * h.frequency + h.firstValue) / n : 0,
      holdoutDuration: (holdDay - calDay) / unit,
    };
  });
}
