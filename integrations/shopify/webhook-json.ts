/**
 * A webhook body as JSON, with every integer too big for a double kept as
 * its digits. Shopify's REST payloads carry ids as JSON numbers (`order_id`
 * of `refunds/create`, `customer.id`, line item ids) and those ids are 64-bit:
 * Shopify's own documented examples use ids such as 820982911946154508, above
 * 2^53, which plain JSON.parse rounds to 820982911946154500.
 *
 * The reviver reads each number's source text (JSON.parse source text access,
 * TC39 stage 4, in Node 22+ / V8 11.4+: the reviver's third argument
 * `context.source`) and returns a string of digits where the number would lose
 * precision; the payload schemas accept ids as digits or numbers
 * (shopify-ids.ts). Safe integers and decimals stay numbers, so nothing else
 * changes shape.
 *
 * Bounded: the caller refuses oversized bodies before this runs, and the
 * reviver (about 10× slower than a plain parse) runs only on bodies with a run
 * of 16 or more digits, the shortest an unsafe integer can be written in.
 */
import { BadRequestError } from '../../shared/errors.ts';

/** A run of digits long enough to be an integer above 2^53 (9007199254740992 has 16). */
const LONG_DIGITS = /\d{16}/;
const INTEGER = /^-?\d+$/;

/** The reviver's third argument, which TypeScript's ES2024 lib does not describe yet. */
interface ReviverContext {
  source?: string;
}

function keepBigIntegers(_key: string, value: unknown, context?: ReviverContext): unknown {
  if (typeof value !== 'number' || Number.isSafeInteger(value)) return value;
  const source = context?.source;
  return source !== undefined && INTEGER.test(source) ? source : value;
}

export class WebhookJsonError extends BadRequestError {
  override name = 'WebhookJsonError';
}

/** The body's JSON; throws WebhookJsonError (a 400) when it is not JSON or nests too deeply to read. */
export function parseWebhookJson(text: string): unknown {
  try {
    return LONG_DIGITS.test(text) ? JSON.parse(text, keepBigIntegers) : JSON.parse(text);
  } catch (error) {
    // The reviver walks the parsed value recursively: a body nested tens of thousands deep exhausts the stack.
    // V8's message quotes part of the body, which may be a customer's data: it stays out of the message.
    const reason = error instanceof RangeError ? 'nests too deeply to read' : 'is not valid JSON';
    throw new WebhookJsonError(`body ${reason}`, { cause: error });
  }
}
