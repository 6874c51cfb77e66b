/**
 * A function that throws answers 500 locally, as API Gateway's HTTP API answers it
 * (`{"message":"Internal Server Error"}`, AWS "Troubleshooting issues with HTTP API Lambda integrations"),
 * never 200 and never with its stack trace; the error is in the stack's own output instead. serverless-offline
 * alone answered 200 with the crash report as the body (local/offline-function-errors.ts says why).
 *
 * Two real crashes, from a newcomer's mistyped .env in a fresh copy run with `npm start` (sandboxes off, so
 * nothing needs the broken functions to start):
 * - at module init: POWERTOOLS_METRICS_DISABLED=maybe, which Powertools Metrics refuses when the webhook and
 *   outbound-message functions load (metrics are created at import);
 * - while invoked: SHOPIFY_APP_URL without its scheme, which the install function's settings (built on its
 *   first invocation, functions/runtime/lazy.ts) cannot parse as a URL.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOPIFY_API_VERSION } from '../../integrations/shopify/shopify-app.ts';
import { signWebhook } from '../../sandbox/shopify/webhook-sender.ts';
import { freshCopy, npmStart, type RunningStart } from './npm-start.ts';
import { freePort } from './ports.ts';

const START_TIMEOUT_MS = 600_000;
const API_GATEWAY_500 = { message: 'Internal Server Error' };

/** .env.example with `changes` applied to its lines. */
function envFrom(example: string, changes: Record<string, string>): string {
  return example
    .split('\n')
    .map((line) => {
      const name = /^([A-Z0-9_]+)=/.exec(line)?.[1];
      return name && name in changes ? `${name}=${changes[name]}` : line;
    })
    .join('\n');
}

describe('a function that throws answers 500 as API Gateway does, without its stack', () => {
  const copy = freshCopy();
  let start: RunningStart;
  const secret = 'function-errors-test-secret';

  beforeAll(async () => {
    const example = readFileSync(join(copy.dir, '.env.example'), 'utf8');
    const [http, dynamoDb, sqs] = [await freePort(), await freePort(), await freePort()];
    writeFileSync(
      join(copy.dir, '.env'),
      envFrom(example, {
        CLV_LOCAL_HTTP_PORT: String(http),
        CLV_LOCAL_DYNAMODB_PORT: String(dynamoDb),
        CLV_LOCAL_SQS_PORT: String(sqs),
        CLV_LOCAL_SANDBOXES: 'false',
        SHOPIFY_API_SECRET: secret,
        SHOPIFY_APP_URL: 'localhost',
        POWERTOOLS_METRICS_DISABLED: 'maybe',
      }),
    );
    start = await npmStart(copy.dir, { timeoutMs: START_TIMEOUT_MS - 30_000 });
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    if (start) {
      start.interrupt();
      const stopped = await Promise.race([
        start.exited.then(() => true),
        new Promise((r) => setTimeout(() => r(false), 30_000)),
      ]);
      if (!stopped) start.kill();
    }
    copy.remove();
  }, 60_000);

  /** The output once it shows `text` (the error line travels through two pipes after the answer). */
  async function outputShowing(text: string | RegExp): Promise<string> {
    const shows = () =>
      typeof text === 'string' ? start.output().includes(text) : text.test(start.output());
    for (const began = Date.now(); !shows() && Date.now() - began < 10_000;)
      await new Promise((r) => setTimeout(r, 100));
    return start.output();
  }

  async function expectApiGateway500(response: Response): Promise<string> {
    const body = await response.text();
    expect(response.status, body).toBe(500);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(body)).toEqual(API_GATEWAY_500);
    return body;
  }

  it('at module init: a signed webhook and an outbound message answer 500, and the error is in the output', async () => {
    const signed = signWebhook({
      secret,
      topic: 'orders/create',
      shop: 'demo.myshopify.com',
      body: JSON.stringify({ id: 1 }),
      apiVersion: SHOPIFY_API_VERSION,
    });
    const webhook = await fetch(`${start.url}/shopify/webhooks`, {
      method: 'POST',
      headers: signed.headers,
      body: signed.body,
    });
    const body = await expectApiGateway500(webhook);
    expect(body).not.toMatch(/stackTrace|errorMessage|POWERTOOLS|\bat /);
    const outbound = await fetch(start.outboundUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: '<x/>',
    });
    await expectApiGateway500(outbound);
    expect(
      await outputShowing('clv-sync local: function shopifyWebhooks failed on POST /shopify/webhooks'),
    ).toContain('clv-sync local: function shopifyWebhooks failed on POST /shopify/webhooks');
    expect(
      await outputShowing('clv-sync local: function salesforceOutbound failed on POST /salesforce/outbound'),
    ).toContain('clv-sync local: function salesforceOutbound failed on POST /salesforce/outbound');
    expect(
      await outputShowing('Environment variable POWERTOOLS_METRICS_DISABLED must be a boolean'),
    ).toContain('Environment variable POWERTOOLS_METRICS_DISABLED must be a boolean');
  });

  it('while invoked: the install answers 500, and the error is in the output', async () => {
    const install = await fetch(`${start.url}/shopify/install`, {
      method: 'POST',
      headers: { authorization: 'Bearer not-a-session-token' },
    });
    const body = await expectApiGateway500(install);
    expect(body).not.toMatch(/stackTrace|errorMessage|Invalid URL|\bat /);
    expect(
      await outputShowing('clv-sync local: function shopifyAuth failed on POST /shopify/install'),
    ).toContain('clv-sync local: function shopifyAuth failed on POST /shopify/install');
    expect(await outputShowing(/Invalid URL/)).toMatch(/Invalid URL/);
  });
});
