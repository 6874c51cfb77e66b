/**
 * Rank-based quintile scores, 1 (bottom fifth) to 5 (top fifth), the scale of Shopify's RFM analysis:
 * "a score of 5 indicates that the customer is in the top 20% of the dimension for your store".
 *
 * A value scores by the share of the population it strictly exceeds: 1 + ⌊5 · below / n⌋. Tied values
 * exceed none of each other, so a tie shares one score wherever it falls and the result does not depend
 * on input order; the lowest value always scores 1. With distinct values and n a multiple of 5, each
 * score holds exactly n / 5 of the population.
 */
import { InternalError } from '../errors.ts';

export type QuintileScore = 1 | 2 | 3 | 4 | 5;

export class NonFiniteValueError extends InternalError {
  override name = 'NonFiniteValueError';
}

/** Scores in input order; a higher value earns a higher score. */
export function quintileScores(values: readonly number[]): QuintileScore[] {
  const n = values.length;
  values.forEach((value, i) => {
    if (!Number.isFinite(value)) {
      throw new NonFiniteValueError(`value ${i} is ${value}; quintile scores need finite numbers`);
    }
  });
  const ascending = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const scores = new Array<QuintileScore>(n);
  let below = 0;
  while (below < n) {
    const value = values[ascending[below]!]!;
    let end = below;
    while (end < n && values[ascending[end]!] === value) end++;
    const score = Math.min(5, 1 + Math.floor((5 * below) / n)) as QuintileScore;
    for (let k = below; k < end; k++) scores[ascending[k]!] = score;
    below = end;
  }
  return scores;
}
