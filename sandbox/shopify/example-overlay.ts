/**
 * A delivery laid over Shopify's documented example of its topic
 * (documented-examples.ts): the example is the shape, our values are the
 * content.
 *
 * - An object has exactly the example's keys, in the example's order: a key
 *   we render takes our value (overlaid in turn), a key we do not render keeps
 *   the example's (fields clv-sync never reads, such as
 *   `merchant_business_entity_id`), and a key the example lacks is not sent:
 *   Shopify's docs are the contract, not our idea of the payload.
 * - An array has our elements, each overlaid on the example's first element
 *   (the example's line item is the template of every line item). Where the
 *   example's array is empty, our elements stand as we render them.
 * - Anything else (a null, a scalar, an object where the example has null) is
 *   ours.
 */
import type { Json } from './documented-examples.ts';
import { copyJson } from './documented-examples.ts';

const isRaw = (JSON as unknown as { isRawJSON(value: unknown): boolean }).isRawJSON;

type JsonObject = { [key: string]: Json };
const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !isRaw(v);

/** `ours` on `example`; `example` is only read (what is kept of it is copied). */
export function overlayOnExample(example: Json | undefined, ours: Json): Json {
  if (Array.isArray(ours)) {
    const template = Array.isArray(example) ? example[0] : undefined;
    return ours.map((element) => overlayOnExample(template, element));
  }
  if (!isObject(ours) || !isObject(example)) return ours;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(example))
    out[key] = Object.hasOwn(ours, key) ? overlayOnExample(value, ours[key]!) : copyJson(value);
  return out;
}
