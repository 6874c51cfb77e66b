/** API Gateway HTTP API (payload v2) ↔ Fetch Request/Response: what shopify-api's web-api adapter speaks. */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ClvError } from '../../shared/errors.ts';

export function rawBody(event: APIGatewayProxyEventV2): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

export function toRequest(event: APIGatewayProxyEventV2, body?: Buffer): Request {
  const host = event.headers?.host ?? 'localhost';
  const url = `https://${host}${event.rawPath}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`;
  const headers = new Headers();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers.set(k, v);
  if (event.cookies?.length) headers.set('cookie', event.cookies.join('; '));
  const method = event.requestContext?.http?.method ?? 'GET';
  return new Request(url, {
    method,
    headers,
    ...(body && method !== 'GET' && method !== 'HEAD' ? { body: new Uint8Array(body) } : {}),
  });
}

export function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/** A refusal as JSON `{ error }`: its message, with the status its class decides (shared/errors.ts). */
export function errorJson(
  error: ClvError,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return json(error.statusCode, { error: error.message }, headers);
}

export async function fromResponse(response: Response): Promise<APIGatewayProxyStructuredResultV2> {
  const headers: Record<string, string> = {};
  response.headers.forEach((v, k) => {
    if (k !== 'set-cookie') headers[k] = v;
  });
  // API Gateway v2 takes each Set-Cookie separately; joined with commas they would be misread.
  return {
    statusCode: response.status,
    headers,
    cookies: response.headers.getSetCookie(),
    body: await response.text(),
  };
}
