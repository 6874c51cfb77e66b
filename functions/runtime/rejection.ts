/**
 * A request refused for what it is (its size, its signature, its shape, whom it names), and the middy
 * middleware that answers it: one warn line, one count under the rejection's reason, and the answer in the
 * handler's own format (JSON, a SOAP fault, a result object). A Rejection picks no status: it carries the
 * warn line and the count around a permanent error of shared/errors.ts, whose class alone decides the status
 * and the message (`new Rejection(new PayloadTooLargeError(…), detail)`); anything transient is rethrown, so
 * the caller retries.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import { BadRequestError, isPermanent, PermanentError } from '../../shared/errors.ts';
import type { Metrics, MetricName } from './observability.ts';
import { countWith } from './observability.ts';

export interface RejectionDetail {
  /** The metric's `reason` dimension; undefined writes no count. */
  reason: string | undefined;
  /** The warn line's fields. */
  log: Record<string, unknown>;
  /** Another warn message than the handler's (`webhook for an unknown shop`). */
  logMessage?: string;
  cause?: unknown;
}

/** A refusal as answered: `refused`'s status and message, with the detail its warn line and count need. */
export class Rejection extends PermanentError {
  override name = 'Rejection';
  /** The refused error's, so the answer's status is its class's. */
  override readonly statusCode: number;
  readonly reason: string | undefined;
  readonly log: Record<string, unknown>;
  readonly logMessage: string | undefined;

  constructor(refused: PermanentError, detail: RejectionDetail) {
    super(refused.message, { cause: detail.cause });
    this.statusCode = refused.statusCode;
    this.reason = detail.reason;
    this.log = detail.log;
    this.logMessage = detail.logMessage;
  }
}

/**
 * A permanent error as a Rejection answered with its own status and message (a ZodError, which is no
 * ClvError, as a bad request); anything else (transient, by shared/errors.ts) is thrown as is. `describe`
 * gives the metric reason and the warn line's fields.
 */
export function rejectionOf(
  error: unknown,
  describe: (error: Error, statusCode: number) => Pick<RejectionDetail, 'reason' | 'log'>,
): Rejection {
  if (error instanceof Rejection) return error;
  if (!isPermanent(error) || !(error instanceof Error)) throw error;
  const refused =
    error instanceof PermanentError ? error : new BadRequestError(error.message, { cause: error });
  return new Rejection(refused, { ...describe(error, refused.statusCode), cause: error });
}

export interface RejectionOptions<R> {
  logger: Logger;
  metrics?: Metrics;
  /** The count written under the rejection's reason. */
  metric: MetricName | undefined;
  /** The warn line's message. */
  message: string;
  answer: (rejection: Rejection) => R;
}

export function rejection<E, R>({
  logger,
  metrics,
  metric,
  message,
  answer,
}: RejectionOptions<R>): MiddlewareObj<E, R> {
  return {
    onError: (request) => {
      const error = request.error;
      if (!(error instanceof Rejection)) return;
      logger.warn(error.logMessage ?? message, error.log);
      if (metrics && metric && error.reason !== undefined)
        countWith(metrics, metric, { reason: error.reason });
      // Set, not returned: the correlation keys' onError still runs after this one.
      request.response = answer(error);
    },
  };
}
