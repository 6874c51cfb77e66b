/**
 * The middy chain every request handler's factory returns, so tests run what Lambda runs: correlation keys,
 * the received count, rejections answered in the handler's format and, for HTTP, the body limit. Callable
 * as `handler(event)` or `handler(event, context)`.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { correlationKeys } from './correlation-keys.ts';
import type { Metrics, MetricName } from './observability.ts';
import { count } from './observability.ts';
import type { Rejection } from './rejection.ts';
import { rejection } from './rejection.ts';

export interface ChainOptions<E, R> {
  logger: Logger;
  metrics?: Metrics;
  /** Counted on every invocation, before anything can refuse it (none for a function that counts nothing). */
  received?: MetricName;
  /** Counted, under its reason, on every rejection. */
  rejected?: MetricName;
  /** The warn line of a rejection. */
  rejectedMessage: string;
  keys: readonly string[];
  answer: (rejection: Rejection) => R;
  /** Run after the above, before the handler (the body limit). */
  before?: MiddlewareObj<E, R>[];
}

export type Handler<E, R> = (event: E, context?: Context) => Promise<R>;

export function chain<E, R>(inner: (event: E) => Promise<R>, options: ChainOptions<E, R>): Handler<E, R> {
  const { logger, metrics } = options;
  const handler = middy<E, R>((event: E) => inner(event))
    .use(correlationKeys<E, R>(logger, options.keys))
    .use({
      before: () => {
        if (options.received) count(metrics, options.received);
      },
    })
    .use(
      rejection<E, R>({
        logger,
        metrics,
        metric: options.rejected,
        message: options.rejectedMessage,
        answer: options.answer,
      }),
    );
  for (const m of options.before ?? []) handler.use(m);
  return (event, context = {} as Context) => handler(event, context);
}
