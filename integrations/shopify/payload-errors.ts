/**
 * What can be wrong with a Shopify payload, as named errors a handler can map
 * to a status: a malformed field (ShopifyPayloadError, with the field's path
 * and, for bulk JSONL, the line), or a well-formed order that names no
 * customer (OrderWithoutCustomerError). An order in another currency than the
 * tenant's is the store's ForeignCurrencyError, re-exported here.
 */
import {
  OrderWithoutCustomerError as AnyOrderWithoutCustomerError,
  BadRequestError,
} from '../../shared/errors.ts';
import type { ZodError } from 'zod';

export { ForeignCurrencyError } from '../../shared/store/orders.ts';

export class ShopifyPayloadError extends BadRequestError {
  override name = 'ShopifyPayloadError';
  /** Dotted path of the first bad field, e.g. `current_subtotal_price_set.shop_money.amount`; '' for the whole payload. */
  readonly path: string;
  /** 1-based line of a bulk-operation JSONL file, when the payload came from one. */
  readonly line: number | undefined;

  constructor(message: string, options: { path?: string; line?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.path = options.path ?? '';
    this.line = options.line;
  }
}

/** The shared concept (shared/errors.ts), with what to fix in the Shopify admin. */
export class OrderWithoutCustomerError extends AnyOrderWithoutCustomerError {
  override name = 'OrderWithoutCustomerError';
  constructor(orderId: string) {
    super(
      orderId,
      `Shopify order ${orderId} has no customer and no email, so it cannot join any customer's history; ` +
        'it is left out of the scores (attach a customer to the order in the Shopify admin to count it)',
    );
  }
}

/** A dotted path: `refunds.0.transactions.1.amount`. */
export function dottedPath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

/** Reads a value at a path of an unknown payload, for quoting it in an error message. */
function valueAt(payload: unknown, path: readonly PropertyKey[]): unknown {
  let at: unknown = payload;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}

function quote(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // JSON.parse accepts nesting deeper than JSON.stringify can recurse: the error message must not throw.
    return 'a value nested too deeply to show';
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * A ZodError from parsing a `what` payload as a ShopifyPayloadError naming the
 * first bad field, what it held and what was expected.
 */
export function payloadErrorFromZod(
  what: string,
  error: ZodError,
  payload: unknown,
  line?: number,
): ShopifyPayloadError {
  const issue = error.issues[0];
  const path = issue ? dottedPath(issue.path) : '';
  const where = line === undefined ? '' : ` (line ${line})`;
  const field = path || 'the payload';
  const detail = issue ? issue.message : 'invalid';
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem(s))` : '';
  return new ShopifyPayloadError(
    `${what}${where}: ${field} is ${quote(issue ? valueAt(payload, issue.path) : payload)}: ${detail}${more}; ` +
      'this is not the shape clv-sync reads (REST JSON for webhooks, API 2026-10; the ORDERS_BULK_QUERY for bulk lines)',
    { path, ...(line === undefined ? {} : { line }), cause: error },
  );
}
