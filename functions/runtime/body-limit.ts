/** Refuses a body over `max` bytes before anything reads it (413): real payloads are far smaller. */
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { rawBody } from './http.ts';
import { PayloadTooLargeError } from '../../shared/errors.ts';
import { Rejection } from './rejection.ts';

export function bodyLimit<R>(max: number): MiddlewareObj<APIGatewayProxyEventV2, R> {
  return {
    before: ({ event }) => {
      const bytes = rawBody(event).length;
      if (bytes > max)
        throw new Rejection(new PayloadTooLargeError(`body over ${max} bytes`), {
          reason: 'too-large',
          log: { reason: 'body too large', bytes },
        });
    },
  };
}
