/**
 * One error taxonomy for every path that accepts work from outside (webhooks,
 * outbound messages, change events, backfills, scoring, write-back).
 *
 * - PermanentError: the input itself is unusable (a malformed payload, an
 *   order with no customer, a foreign currency). Retrying cannot help: it is
 *   answered 4xx (`statusCode`) or recorded as rejected, and never retried.
 * - Everything else is transient: a DynamoDB throttle, a transaction
 *   conflict, a queue that did not answer, a CRM outage (TransientError), our
 *   own bug or a deployment missing a setting (InternalError). It is
 *   rethrown, so the delivery or the queue message is retried and, in the
 *   end, dead-lettered where someone sees it. "Anything else counts as
 *   rejected" loses data: a `catch` decides by class, with `isPermanent`.
 *
 * Every domain error of the product code (functions/, integrations/, shared/,
 * cli/) extends ClvError through one of the classes below, so its class alone
 * decides its status and whether a retry can help
 * (test/unit/errors/taxonomy.test.ts fails on a class outside it). Errors of
 * the platform and of libraries (TypeError, the AWS SDK's, shopify-api's,
 * jsforce's) are classified where they are caught.
 *
 * No exception is kept: the engine's argument errors (shared/clv,
 * shared/segments) used to extend RangeError and are InternalErrors now; no
 * product code catches RangeError, and the tests assert each one's own class.
 *
 * The shape follows middy's http-errors (`statusCode`, `expose`) and
 * shopify-api's lib/error.ts (`HttpRetriableError` vs the rest): the class
 * carries the status and whether a retry can help, and the message says what
 * the user can do about it.
 */
import { ZodError } from 'zod';

export interface ClvErrorOptions {
  /** The HTTP status a handler answers with; 4xx for permanent errors, 5xx for transient ones. */
  statusCode?: number;
  cause?: unknown;
}

export abstract class ClvError extends Error {
  abstract readonly retriable: boolean;
  /** Whether the message may be shown to the caller (middy's `expose`): true for bad input, false for our failures. */
  abstract readonly expose: boolean;
  readonly statusCode: number;

  constructor(message: string, defaultStatus: number, options: ClvErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.statusCode = options.statusCode ?? defaultStatus;
  }
}

/** Bad input: answered 4xx or recorded as rejected; a retry would fail the same way. */
export class PermanentError extends ClvError {
  readonly retriable = false;
  readonly expose = true;
  constructor(message: string, options: ClvErrorOptions = {}) {
    super(message, 400, options);
  }
}

/** A failure a retry can cure (throttling, a conflict, a dependency down): rethrown, retried, then dead-lettered. */
export class TransientError extends ClvError {
  readonly retriable = true;
  readonly expose = false;
  constructor(message: string, options: ClvErrorOptions = {}) {
    super(message, 503, options);
  }
}

/**
 * Our own code or deployment is at fault, not the input and not a dependency: a setting or bundle missing
 * from the deployment, the engine called with numbers its caller should have checked, data no model can
 * fit. Retried like a transient failure (a deploy or a setting may cure it, and a message that keeps
 * failing is dead-lettered where someone sees it), answered 500, its message never shown to the caller.
 * The CLI shows it: there the numbers are the user's file (cli/main.ts decides the exit code).
 */
export class InternalError extends ClvError {
  readonly retriable = true;
  readonly expose = false;
  constructor(message: string, options: ClvErrorOptions = {}) {
    super(message, 500, options);
  }
}

/**
 * True only for errors known to be about the input. A ZodError counts: every
 * schema we parse external input with is the input's contract. Unknown errors
 * (AWS SDK, network, TypeError) are transient by default: losing an order to
 * a misclassified throttle is worse than retrying a bad one a few times.
 */
export function isPermanent(error: unknown): boolean {
  if (error instanceof ClvError) return !error.retriable;
  return error instanceof ZodError;
}

/** The 4xx a permanent error is answered with, or null when the error must be rethrown (transient). */
export function permanentStatus(error: unknown): number | null {
  if (!isPermanent(error)) return null;
  return error instanceof ClvError ? error.statusCode : 400;
}

/**
 * A well-formed order or purchase that names no customer (Shopify: no customer and no email; Salesforce: no
 * Contact or Account at the tenant's grain): it cannot join any customer's history. One concept for every
 * source; the source says in the message what to fix.
 */
export class OrderWithoutCustomerError extends PermanentError {
  override name = 'OrderWithoutCustomerError';
  readonly orderId: string;
  constructor(orderId: string, message = `order ${orderId} has no customer, so it cannot join any history`) {
    super(message, { statusCode: 422 });
    this.orderId = orderId;
  }
}
