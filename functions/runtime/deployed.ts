/**
 * The exported Lambda handler of a function: built on its first invocation (lazy.ts), with the invocation's
 * context on every log line and, when the function counts anything, its metrics flushed at the end.
 * `resetKeys` drops the keys a handler appended, for functions that append per-delivery keys.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { lazy } from './lazy.ts';
import type { Metrics } from './observability.ts';

export interface DeployedOptions {
  logger: Logger;
  metrics?: Metrics;
  resetKeys?: boolean;
}

export function deployed<E, R>(
  build: () => Promise<(event: E, context: Context) => R> | ((event: E, context: Context) => R),
  { logger, metrics, resetKeys }: DeployedOptions,
) {
  const handler = middy<E, Awaited<R>>(lazy(build)).use(
    injectLambdaContext(logger, resetKeys ? { resetKeys: true } : undefined),
  );
  return metrics ? handler.use(logMetrics(metrics)) : handler;
}
