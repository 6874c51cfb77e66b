/**
 * integrations/shopify/shopify.app.toml held to Shopify's rules, not ours:
 * - the Shopify CLI's own checks (`shopify app config validate`, run offline:
 *   shopify-cli/validate-app-config.ts says how), with broken copies showing
 *   they refuse what the CLI refuses, in the CLI's words;
 * - the names the CLI leaves to Shopify's servers (topics, scopes) against
 *   what Shopify publishes for the pinned API version: the Admin GraphQL
 *   introspection in @shopify/dev-mcp and the documented webhook topics in
 *   shopify-webhook-schemas;
 * - the API version, scopes and topics the same as the code's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { allTopicsForVersion, getPackageRootDir } from 'shopify-webhook-schemas';
import { parse } from 'smol-toml';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHOPIFY_API_VERSION, SHOPIFY_SCOPES } from '../../integrations/shopify/shopify-app.ts';
import { COMPLIANCE_TOPICS, SUBSCRIBED_TOPICS } from '../../integrations/shopify/webhook-topics.ts';
import { shopifyCliIssues } from './shopify-cli/app-config-rules.ts';

const TOML = readFileSync(new URL('../../integrations/shopify/shopify.app.toml', import.meta.url), 'utf8');
const DEV_MCP_DATA = new URL('../../node_modules/@shopify/dev-mcp/dist/data/', import.meta.url);

interface AppToml {
  access_scopes: { scopes: string };
  webhooks: { api_version: string; subscriptions: { topics?: string[]; compliance_topics?: string[] }[] };
}
const appToml = (text: string) => parse(text) as unknown as AppToml;
const topicsOf = (toml: AppToml) => toml.webhooks.subscriptions.flatMap((s) => s.topics ?? []);
const complianceTopicsOf = (toml: AppToml) =>
  toml.webhooks.subscriptions.flatMap((s) => s.compliance_topics ?? []);
const scopesOf = (toml: AppToml) => toml.access_scopes.scopes.split(',').map((s) => s.trim());

/** A broken copy of our TOML, in memory; fails loudly if the text to break is no longer there. */
function broken(find: string, replace: string): string {
  if (!TOML.includes(find)) throw new Error(`shopify.app.toml no longer contains ${JSON.stringify(find)}`);
  return TOML.replace(find, replace);
}

const SCOPES_LINE = /^scopes = .*$/m;
const BROKEN = {
  missingClientId: broken('client_id = "REPLACE_WITH_CLIENT_ID"\n', ''),
  plainHttpUri: broken(
    'uri = "https://REPLACE_WITH_API_DOMAIN/shopify/webhooks"',
    'uri = "http://REPLACE_WITH_API_DOMAIN/shopify/webhooks"',
  ),
  scopesAsList: TOML.replace(SCOPES_LINE, 'scopes = ["read_orders"]'),
  unknownScope: TOML.replace(SCOPES_LINE, 'scopes = "read_orders,read_order"'),
  unknownTopic: broken('"orders/create"', '"orders/created"'),
  unknownSection: `${TOML}\n[webhook]\napi_version = "2026-10"\n`,
  subscriptionWithoutTopics: `${TOML}\n[[webhooks.subscriptions]]\nuri = "/shopify/webhooks"\n`,
  complianceTopicTwice: `${TOML}\n[[webhooks.subscriptions]]\ncompliance_topics = ["shop/redact"]\nuri = "/elsewhere"\n`,
};

describe("shopify.app.toml by the Shopify CLI's own rules", () => {
  let issues: Record<keyof typeof BROKEN | 'ours', string[]>;
  beforeAll(async () => {
    const names = ['ours', ...Object.keys(BROKEN)] as (keyof typeof issues)[];
    const found = await shopifyCliIssues([TOML, ...Object.values(BROKEN)]);
    issues = Object.fromEntries(names.map((name, i) => [name, found[i]!])) as typeof issues;
  });

  it('passes them', () => {
    expect(issues.ours).toEqual([]);
  });

  it('refuses broken copies in the CLI words', () => {
    expect(issues.missingClientId.join('\n')).toContain('[client_id]: Required');
    expect(issues.plainHttpUri.join('\n')).toContain(
      "[webhooks.subscriptions.0.uri]: URI format isn't correct. Valid formats include: relative path starting with a slash, HTTPS URL",
    );
    expect(issues.scopesAsList.join('\n')).toContain(
      '[access_scopes.scopes]: Expected string, received array',
    );
    expect(issues.unknownSection).toEqual(['Unsupported section(s) in app configuration: webhook']);
    expect(issues.subscriptionWithoutTopics.join('\n')).toContain(
      'Either topics or compliance_topics must be added to the webhook subscription',
    );
    expect(issues.complianceTopicTwice.join('\n')).toContain(
      'You can\u2019t have multiple subscriptions with the same compliance topic',
    );
  });

  it('leaves topic and scope names to Shopify (checked below against its schema)', () => {
    // The CLI's webhook schema takes any string as a topic and its scopes schema only trims and sorts the list:
    // Shopify's servers refuse unknown names at deploy. So these pass here and are caught by the tests below.
    expect(issues.unknownTopic).toEqual([]);
    expect(issues.unknownScope).toEqual([]);
  });
});

describe('shopify.app.toml against what Shopify publishes for the pinned API version', () => {
  const admin = JSON.parse(
    gunzipSync(readFileSync(new URL(`admin_${SHOPIFY_API_VERSION}.json.gz`, DEV_MCP_DATA))).toString('utf8'),
  ) as {
    data: {
      __schema: { types: { name: string; enumValues: { description: string; isDeprecated: boolean }[] }[] };
    };
  };

  /** Admin API `WebhookSubscriptionTopic` values name their topic: "The webhook topic for `orders/create` events." */
  const subscribableTopics = new Map(
    admin.data.__schema.types
      .find((t) => t.name === 'WebhookSubscriptionTopic')!
      .enumValues.map((v) => [/`([^`]+)`/.exec(v.description)?.[1], v.isDeprecated] as const),
  );

  /** shopify-webhook-schemas' documented topics for the newest version it has at or before the pinned one. */
  const documentedVersion = readdirSync(join(getPackageRootDir(), 'metadatas'))
    .filter((v) => v <= SHOPIFY_API_VERSION)
    .sort()
    .at(-1)!;
  const documentedTopics = new Set(allTopicsForVersion(documentedVersion));

  /**
   * The scopes the Admin schema names (each field's `requiredAccess`, and descriptions such as
   * read_all_orders's). A real scope the schema never mentions would be refused here: none of ours is.
   */
  const adminScopes = new Set(
    [...JSON.stringify(admin).matchAll(/`((?:read|write)_[a-z_]+)`/g)].map((m) => m[1]!),
  );
  const unknownScopes = (toml: AppToml) => scopesOf(toml).filter((s) => !adminScopes.has(s));
  const unsubscribable = (toml: AppToml) =>
    topicsOf(toml).filter((t) => subscribableTopics.get(t) !== false || !documentedTopics.has(t));

  it('subscribes only to topics the Admin API offers, undeprecated, and Shopify documents', () => {
    expect(subscribableTopics.size).toBeGreaterThan(100);
    expect(documentedVersion).toMatch(/^\d{4}-\d{2}$/);
    expect(unsubscribable(appToml(TOML))).toEqual([]);
    expect(unsubscribable(appToml(BROKEN.unknownTopic))).toEqual(['orders/created']);
  });

  it('names compliance topics Shopify documents (they are app-config only, not Admin API topics)', () => {
    const compliance = complianceTopicsOf(appToml(TOML));
    expect(compliance.filter((t) => !documentedTopics.has(t))).toEqual([]);
    expect(compliance.filter((t) => subscribableTopics.has(t))).toEqual([]);
  });

  it('asks only for scopes the Admin API names', () => {
    expect(unknownScopes(appToml(TOML))).toEqual([]);
    expect(unknownScopes(appToml(BROKEN.unknownScope))).toEqual(['read_order']);
  });

  it('pins an API version the Admin API still supports', () => {
    const supported = JSON.parse(
      readFileSync(new URL('supported-versions-schema.json', DEV_MCP_DATA), 'utf8'),
    ) as { admin: { name: string }[] };
    expect(supported.admin.map((v) => v.name)).toContain(appToml(TOML).webhooks.api_version);
  });
});

describe('shopify.app.toml and the code agree', () => {
  const toml = appToml(TOML);

  it('on the API version and the scopes', () => {
    expect(toml.webhooks.api_version).toBe(SHOPIFY_API_VERSION);
    expect(scopesOf(toml).sort()).toEqual([...SHOPIFY_SCOPES].sort());
  });

  it('on the topics: every one the code handles, and no other', () => {
    expect(complianceTopicsOf(toml).sort()).toEqual([...COMPLIANCE_TOPICS].sort());
    expect([...topicsOf(toml), ...complianceTopicsOf(toml)].sort()).toEqual([...SUBSCRIBED_TOPICS].sort());
  });
});
