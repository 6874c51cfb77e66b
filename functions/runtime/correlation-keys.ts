/**
 * The keys a handler appends to every log line of its invocation (a delivery id, a shop, an org) are
 * removed when the invocation starts and ends, so none outlives it on a warm function's logger, whether the
 * handler runs under Lambda's middy chain (which also resets keys) or is called as is.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';

export function correlationKeys<E, R>(logger: Logger, keys: readonly string[]): MiddlewareObj<E, R> {
  const clear = () => {
    logger.removeKeys([...keys]);
  };
  return { before: clear, after: clear, onError: clear };
}
