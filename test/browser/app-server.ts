/**
 * The app's HTTP face on loopback for the browser tests: each request becomes the API Gateway HTTP API
 * (payload v2) event the deployed routes deliver, and goes to the very same Lambda handler the route
 * names in serverless.yml (the page function for /shopify/app…, the dashboard API for /api/…).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { apiEvent } from '../helpers/api-event.ts';

export type HttpHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

export interface AppServer {
  url: string;
  /** Requests served, as "METHOD path status", for assertions and failure messages. */
  log: string[];
  close(): Promise<void>;
}

export async function startAppServer(routes: { prefix: string; handler: HttpHandler }[]): Promise<AppServer> {
  const log: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const body = Buffer.concat(chunks);
      const event = apiEvent({
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.search.slice(1),
        headers,
        ...(body.length ? { body } : {}),
      });
      const route = routes.find((r) => url.pathname.startsWith(r.prefix));
      try {
        const result: APIGatewayProxyStructuredResultV2 = route
          ? await route.handler(event)
          : { statusCode: 404, body: `no route ${url.pathname}` };
        log.push(`${req.method} ${url.pathname} ${result.statusCode}`);
        const payload = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
        res.writeHead(result.statusCode ?? 200, {
          ...Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)])),
          'content-length': String(payload.length),
        });
        res.end(payload);
      } catch (error) {
        // As API Gateway answers a failed invocation.
        log.push(`${req.method} ${url.pathname} 500 ${(error as Error).message}`);
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'Internal Server Error' }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
