/** Shopify global ids (`gid://shopify/Customer/123`), the only ids the GraphQL Admin API speaks. */

export const gid = (type: string, id: string | number): string => `gid://shopify/${type}/${id}`;

const GID = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)$/;

/** `{ type, id }` of a well-formed gid, else null. */
export function parseGid(value: string): { type: string; id: string } | null {
  const match = GID.exec(value);
  return match ? { type: match[1]!, id: match[2]! } : null;
}
