import { readFile } from 'node:fs/promises';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { SHOPIFY_API_VERSION, SHOPIFY_SCOPES } from '../../../integrations/shopify/shopify-app.ts';
import { COMPLIANCE_TOPICS, SUBSCRIBED_TOPICS } from '../../../integrations/shopify/webhook-topics.ts';

interface AppToml {
  embedded: boolean;
  access_scopes: { scopes: string };
  auth: { redirect_urls: string[] };
  webhooks: {
    api_version: string;
    subscriptions: { topics?: string[]; compliance_topics?: string[]; uri: string }[];
  };
}

describe('shopify.app.toml', () => {
  it('declares the scopes, API version, callback and every topic the code handles, and no other', async () => {
    const toml = parse(
      await readFile(new URL('../../../integrations/shopify/shopify.app.toml', import.meta.url), 'utf8'),
    ) as unknown as AppToml;
    expect(toml.embedded).toBe(true);
    expect(toml.access_scopes.scopes.split(',').sort()).toEqual([...SHOPIFY_SCOPES].sort());
    expect(toml.webhooks.api_version).toBe(SHOPIFY_API_VERSION);
    expect(toml.auth.redirect_urls.every((u) => u.endsWith('/shopify/auth/callback'))).toBe(true);
    const topics = toml.webhooks.subscriptions.flatMap((s) => s.topics ?? []);
    const compliance = toml.webhooks.subscriptions.flatMap((s) => s.compliance_topics ?? []);
    expect(compliance.sort()).toEqual([...COMPLIANCE_TOPICS].sort());
    expect([...topics, ...compliance].sort()).toEqual([...SUBSCRIBED_TOPICS].sort());
    expect(toml.webhooks.subscriptions.every((s) => s.uri.endsWith('/shopify/webhooks'))).toBe(true);
  });
});
