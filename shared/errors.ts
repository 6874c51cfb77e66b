/**
 * One error taxonomy for every path that accepts work from outside (webhooks,
 * outbound messages, change events, backfills, scoring, write-back).
 *
 * - PermanentError: the input itself is unusable (a malformed payload, an
 *   order with no customer, a foreign currency). Retrying cannot help: it is
 *   answered 4xx (`statusCode`) or recorded as rejected, and never retried.
 *   Which 4xx is said by the class alone, here: one class per status
 *   (BadRequestError, UnauthenticatedError, ForbiddenError, NotFoundError,
 *   ConflictError, PayloadTooLargeError, UnprocessableError), and a domain
 *   error extends the one that says what it is. No caller passes a status
 *   number (test/unit/errors/taxonomy.test.ts fails on a literal 4xx or 5xx
 *   anywhere else in the product code).
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
  cause?: unknown;
}

export abstract class ClvError extends Error {
  abstract readonly retriable: boolean;
  /** Whether the message may be shown to the caller (middy's `expose`): true for bad input, false for our failures. */
  abstract readonly expose: boolean;
  /**
   * The HTTP status a handler answers with: 4xx for permanent errors, 5xx for the others. Fixed by each class
   * below and by nothing else, so a status cannot drift from what the error is.
   */
  abstract readonly statusCode: number;

  constructor(message: string, options: ClvErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }
}

/**
 * Bad input: answered 4xx or recorded as rejected; a retry would fail the same way. Thrown as is, it is a 400;
 * a refusal that is more than a bad request says so with one of the classes below.
 */
export class PermanentError extends ClvError {
  readonly retriable = false;
  readonly expose = true;
  readonly statusCode: number = 400;
}

/** The request or the payload is malformed or names what we do not accept: fixing the input is the only cure. */
export class BadRequestError extends PermanentError {
  override readonly statusCode = 400;
}

/**
 * The credential is missing or not one we accept (a session token, a webhook's HMAC, an OAuth grant, the
 * outbound endpoint's token): the message names which credential, so the caller knows what to send again,
 * and never quotes it.
 */
export class UnauthenticatedError extends PermanentError {
  override readonly statusCode = 401;
}

/** The credential is genuine but opens nothing here (a shop not installed, an org not linked, a crawler). */
export class ForbiddenError extends PermanentError {
  override readonly statusCode = 403;
}

/** What the request names (a shop, a tenant, a route, an export) is not ours: a retry finds nothing either. */
export class NotFoundError extends PermanentError {
  override readonly statusCode = 404;
}

/** The request contradicts what is stored (a shop or an org already linked to another workspace). */
export class ConflictError extends PermanentError {
  override readonly statusCode = 409;
}

/** Refused by size before it is read: real payloads are far smaller, so a larger one is not one of them. */
export class PayloadTooLargeError extends PermanentError {
  override readonly statusCode = 413;
}

/**
 * Well-formed, and still not something the scores can use (an order with no customer, in a foreign currency):
 * unlike a 400, the sender did nothing wrong by its own rules, so the source is told what to change.
 */
export class UnprocessableError extends PermanentError {
  override readonly statusCode = 422;
}

/** A failure a retry can cure (throttling, a conflict, a dependency down): rethrown, retried, then dead-lettered. */
export class TransientError extends ClvError {
  readonly retriable = true;
  readonly expose = false;
  readonly statusCode = 503;
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
  readonly statusCode = 500;
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
export class OrderWithoutCustomerError extends UnprocessableError {
  override name = 'OrderWithoutCustomerError';
  readonly orderId: string;
  constructor(orderId: string, message = `order ${orderId} has no customer, so it cannot join any history`) {
    super(message);
    this.orderId = orderId;
  }
}
