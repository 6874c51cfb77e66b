/** An API Gateway HTTP API (payload v2) event, as Lambda receives it behind the deployed routes. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export function apiEvent(request: {
  method: string;
  path: string;
  query?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  cookies?: string[];
}): APIGatewayProxyEventV2 {
  const headers = Object.fromEntries(
    Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  return {
    version: '2.0',
    routeKey: `${request.method} ${request.path}`,
    rawPath: request.path,
    rawQueryString: request.query ?? '',
    cookies: request.cookies,
    headers: { host: 'app.clv-sync.test', ...headers },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'app.clv-sync.test',
      domainPrefix: 'app',
      http: {
        method: request.method,
        path: request.path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'test',
      },
      requestId: 'req',
      routeKey: `${request.method} ${request.path}`,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    // Binary-safe, as API Gateway delivers bodies it cannot pass as text.
    body: body?.toString('base64'),
    isBase64Encoded: body !== undefined,
  };
}
