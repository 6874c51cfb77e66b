/**
 * The few terms of Shopify's search syntax the sandbox understands in a
 * `query:` argument: `field:value`, `field:>value` (also >=, <, <=) joined
 * by spaces or AND. Anything else is refused with an error, not silently
 * ignored, so a test never passes on a filter the sandbox did not apply.
 */
import { GraphQLError } from 'graphql';

type Value = string | number | boolean | null;

export function searchFilter<T>(
  query: string | null | undefined,
  fields: Record<string, (item: T) => Value>,
): (item: T) => boolean {
  if (!query?.trim()) return () => true;
  const tokens = query.match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
  const tests: ((item: T) => boolean)[] = [];
  for (const token of tokens) {
    if (token === 'AND') continue;
    const m = /^(\w+):(>=|<=|>|<)?(.+)$/.exec(token);
    const field = m ? fields[m[1]!] : undefined;
    if (!m || !field)
      throw new GraphQLError(
        `The sandbox does not support the search term '${token}' (it knows ${Object.keys(fields).join(', ')}, with :, :>, :>=, :<, :<=, joined by AND).`,
      );
    const op = m[2] ?? '=';
    const raw = m[3]!.replace(/^"|"$/g, '');
    tests.push((item) => {
      const value = field(item);
      if (value === null) return false;
      if (typeof value === 'boolean') return String(value) === raw.toLowerCase();
      const asTime = typeof value === 'string' ? Date.parse(value) : NaN;
      const a = Number.isNaN(asTime) ? value : asTime;
      const b = Number.isNaN(asTime)
        ? typeof value === 'number'
          ? Number(raw)
          : raw.toLowerCase()
        : Date.parse(raw);
      const left = typeof a === 'string' ? a.toLowerCase() : a;
      if (op === '=') return left === b;
      if (op === '>') return left > b;
      if (op === '>=') return left >= b;
      if (op === '<') return left < b;
      return left <= b;
    });
  }
  return (item) => tests.every((t) => t(item));
}
