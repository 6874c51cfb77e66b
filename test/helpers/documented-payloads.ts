import { parseWebhookJson } from '../../integrations/shopify/webhook-json.ts';
import type { ExampleOptions } from '../../sandbox/shopify/documented-examples.ts';
import { documentedExampleBody } from '../../sandbox/shopify/documented-examples.ts';

/** A payload as tests poke at it: any field, any depth. */
export type LooseJson = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Shopify's documented example of a topic, parsed as the webhook handler parses bodies. */
export const parsedDocumentedExample = (topic: string, options: ExampleOptions = {}): LooseJson =>
  parseWebhookJson(documentedExampleBody(topic, options)) as LooseJson;
