/**
 * How the dashboard API answers: JSON that no shared cache keeps (it is one shop's data), and a refused
 * request's answer with the body the API documents for it (web/src/api.ts reads `error`, `message`, `issues`).
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { PermanentError } from '../../shared/errors.ts';
import { json } from '../runtime/http.ts';
import type { RejectionDetail } from '../runtime/rejection.ts';
import { Rejection } from '../runtime/rejection.ts';

// Per-shop data must never sit in a shared cache.
export const PRIVATE = { 'cache-control': 'no-store' };

export const privateJson = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 =>
  json(statusCode, body, PRIVATE);

/**
 * A refusal: warned (rejection.ts) and answered with `refused`'s status, a body whose `error` is its
 * message followed by `body`'s other fields, and `headers` beside the private ones.
 */
export class DashboardRefusal extends Rejection {
  override name = 'DashboardRefusal';
  readonly body: { error: string } & Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    refused: PermanentError,
    detail: RejectionDetail & { body?: Record<string, unknown>; headers?: Record<string, string> },
  ) {
    super(refused, detail);
    this.body = { error: refused.message, ...detail.body };
    this.headers = detail.headers ?? {};
  }
}

/** A refused request's answer: a DashboardRefusal's own body, or any other permanent error's message. */
export function refusalAnswer(refusal: PermanentError): APIGatewayProxyStructuredResultV2 {
  if (!(refusal instanceof DashboardRefusal))
    return privateJson(refusal.statusCode, { error: refusal.message });
  return json(refusal.statusCode, refusal.body, { ...PRIVATE, ...refusal.headers });
}
