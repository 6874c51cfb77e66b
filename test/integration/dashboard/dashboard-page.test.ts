/**
 * The page function on its own: the HTML shell loads App Bridge from Shopify's CDN first and
 * synchronously with the API key in its meta tag (as Shopify requires), allows framing by the shop's
 * admin only, and serves exactly the built bundle's files (gzipped when the browser accepts it),
 * nothing else from the disk.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  APP_BRIDGE_URL,
  createDashboardPageHandler,
  webAssets,
  WebBundleMissingError,
} from '../../../functions/dashboard-page.ts';
import { buildWeb } from '../../../web/build.ts';
import { apiEvent } from '../../helpers/api-event.ts';
import { APP_BRIDGE_CDN_URL } from '../../../sandbox/shopify/app-bridge.ts';

let page: ReturnType<typeof createDashboardPageHandler>;
let manifest: { js: string; css: string };
// Its own build directory: test files run in parallel, and web/dist is the deployable one.
const dist = pathToFileURL(`${mkdtempSync(join(tmpdir(), 'clv-web-'))}/`);

describe('dashboard page', () => {
  beforeAll(async () => {
    manifest = await buildWeb(dist.pathname);
    page = createDashboardPageHandler({ apiKey: 'page-api-key', assets: webAssets(dist) });
  }, 120_000);

  it('loads App Bridge from the CDN before anything else, with the API key, then the bundle', async () => {
    const shop = 'page-test.myshopify.com';
    const response = await page(
      apiEvent({ method: 'GET', path: '/shopify/app', query: `shop=${shop}&host=x&embedded=1` }),
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toMatch(/^text\/html/);
    expect(response.headers?.['content-security-policy']).toBe(
      `frame-ancestors https://${shop} https://admin.shopify.com;`,
    );
    const html = String(response.body);
    expect(APP_BRIDGE_URL).toBe(APP_BRIDGE_CDN_URL);
    expect(html).toContain('<meta name="shopify-api-key" content="page-api-key" />');
    const scripts = [...html.matchAll(/<script[^>]*>/g)].map((m) => m[0]);
    expect(scripts).toEqual([
      `<script src="${APP_BRIDGE_URL}">`,
      `<script type="module" src="/shopify/app/assets/${manifest.js}">`,
    ]);
    expect(html).toContain(`href="/shopify/app/assets/${manifest.css}"`);
  });

  it('allows framing by the admin only when the shop parameter is not a shop', async () => {
    const response = await page(
      apiEvent({
        method: 'GET',
        path: '/shopify/app',
        query: 'shop=evil.example.com%20https://evil.example.com',
      }),
    );
    expect(response.headers?.['content-security-policy']).toBe('frame-ancestors https://admin.shopify.com;');
  });

  it('serves the bundle gzipped, byte for byte, with a year of caching', async () => {
    for (const name of [manifest.js, manifest.css]) {
      const response = await page(
        apiEvent({
          method: 'GET',
          path: `/shopify/app/assets/${name}`,
          headers: { 'accept-encoding': 'gzip, br' },
        }),
      );
      expect(response.statusCode).toBe(200);
      expect(response.headers?.['content-encoding']).toBe('gzip');
      expect(response.headers?.['cache-control']).toContain('immutable');
      const body = gunzipSync(Buffer.from(String(response.body), 'base64'));
      expect(body.equals(readFileSync(new URL(name, dist)))).toBe(true);
      const plain = await page(apiEvent({ method: 'GET', path: `/shopify/app/assets/${name}` }));
      expect(plain.headers?.['content-encoding']).toBeUndefined();
      expect(Buffer.from(String(plain.body), 'base64').equals(body)).toBe(true);
    }
  });

  it('serves the plain files when the build left no gzipped copy', async () => {
    const plainDist = pathToFileURL(`${mkdtempSync(join(tmpdir(), 'clv-web-'))}/`);
    const built = await buildWeb(plainDist.pathname);
    for (const name of [built.js, built.css]) rmSync(new URL(`${name}.gz`, plainDist));
    const plainPage = createDashboardPageHandler({ apiKey: 'k', assets: webAssets(plainDist) });
    const response = await plainPage(
      apiEvent({
        method: 'GET',
        path: `/shopify/app/assets/${built.js}`,
        headers: { 'accept-encoding': 'gzip' },
      }),
    );
    expect(response.statusCode).toBe(200);
    expect(
      gunzipSync(Buffer.from(String(response.body), 'base64')).equals(
        readFileSync(new URL(built.js, plainDist)),
      ),
    ).toBe(true);
  }, 120_000);

  it('serves nothing outside the bundle', async () => {
    for (const path of [
      '/shopify/app/assets/manifest.json',
      '/shopify/app/assets/../../package.json',
      '/shopify/app/assets/%2e%2e%2fmanifest.json',
      '/shopify/app/other',
    ]) {
      const response = await page(apiEvent({ method: 'GET', path }));
      expect(response.statusCode, path).toBe(404);
    }
    expect((await page(apiEvent({ method: 'POST', path: '/shopify/app' }))).statusCode).toBe(404);
  });

  it('says how to build the bundle when it is missing', () => {
    expect(() => webAssets(new URL('file:///nonexistent/dist/'))).toThrow(WebBundleMissingError);
    expect(() => webAssets(new URL('file:///nonexistent/dist/'))).toThrow(/npm run build:web/);
  });
});
