/**
 * Churn bands from the model's churn risk (1 − P(alive)): low below 33 %, high above 66 %, medium in
 * between, both edges included in medium. The bands are what a rep reads on a Contact, so the edges
 * are configurable per tenant rather than hard-wired.
 */
import { InternalError } from '../errors.ts';

export const CHURN_BANDS = ['low', 'medium', 'high'] as const;
export type ChurnBand = (typeof CHURN_BANDS)[number];

/** Risk strictly below `low` is low, strictly above `high` is high; 0 ≤ low < high ≤ 1. */
export interface ChurnBandThresholds {
  low: number;
  high: number;
}

export const DEFAULT_CHURN_BAND_THRESHOLDS: Readonly<ChurnBandThresholds> = Object.freeze({
  low: 0.33,
  high: 0.66,
});

export class InvalidChurnRiskError extends InternalError {
  override name = 'InvalidChurnRiskError';
}

export class InvalidChurnThresholdsError extends InternalError {
  override name = 'InvalidChurnThresholdsError';
}

export function churnBand(
  churnRisk: number,
  thresholds: ChurnBandThresholds = DEFAULT_CHURN_BAND_THRESHOLDS,
): ChurnBand {
  assertValidThresholds(thresholds);
  // Written so that NaN fails too: NaN is neither ≥ 0 nor ≤ 1.
  if (!(churnRisk >= 0 && churnRisk <= 1)) {
    throw new InvalidChurnRiskError(
      `churn risk is ${churnRisk}; it must be a probability between 0 and 1 (1 − P(alive))`,
    );
  }
  if (churnRisk < thresholds.low) return 'low';
  if (churnRisk > thresholds.high) return 'high';
  return 'medium';
}

function assertValidThresholds({ low, high }: ChurnBandThresholds): void {
  if (!(low >= 0 && high <= 1 && low < high)) {
    throw new InvalidChurnThresholdsError(
      `churn band thresholds {low: ${low}, high: ${high}} are not valid: they are probabilities with ` +
        '0 ≤ low < high ≤ 1, e.g. {low: 0.33, high: 0.66}',
    );
  }
}
