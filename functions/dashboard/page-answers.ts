/** The page function's answers: the HTML shell, framed by the shop's admin alone, and the bundle's files. */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { WebAssets } from './web-assets.ts';

const SHOP = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

/**
 * Shopify requires embedded apps to allow framing by the shop's admin and by nobody else
 * (clickjacking protection), per request, for the shop in the query string.
 */
function frameAncestors(event: APIGatewayProxyEventV2): string {
  const shop = new URLSearchParams(event.rawQueryString).get('shop') ?? '';
  return `frame-ancestors ${SHOP.test(shop) ? `https://${shop} ` : ''}https://admin.shopify.com;`;
}

export function pageAnswer(event: APIGatewayProxyEventV2, html: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': frameAncestors(event),
      'cache-control': 'no-store',
    },
    body: html,
  };
}

/** The named file of the bundle, or null when the manifest lists no such file. */
export function assetAnswer(
  event: APIGatewayProxyEventV2,
  assets: WebAssets,
  name: string,
): APIGatewayProxyStructuredResultV2 | null {
  const file = assets.file(name);
  if (!file) return null;
  // API Gateway does not compress: the bundle is sent gzipped to every browser that says it can take it.
  const gzip = /\bgzip\b/.test(event.headers?.['accept-encoding'] ?? '');
  return {
    statusCode: 200,
    headers: {
      'content-type': name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=31536000, immutable',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      vary: 'accept-encoding',
    },
    body: (gzip ? file.gzipped : file.body).toString('base64'),
    isBase64Encoded: true,
  };
}
