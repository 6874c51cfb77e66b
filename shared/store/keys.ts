/**
 * Every key in the table, in one place. Every partition key starts with the
 * tenant, so no query can cross tenants; every item also carries
 * gsi1pk = the tenant, so a refit can page through a tenant's customers and a
 * tenant deletion can find everything it owns, except the Shopify session
 * (see shopifySession).
 */
const t = (tenantId: string): string => {
  if (!tenantId || tenantId.includes('#')) throw new RangeError(`invalid tenant id "${tenantId}"`);
  return `T#${tenantId}`;
};

export interface Key {
  pk: string;
  sk: string;
}

export interface Indexed extends Key {
  gsi1pk: string;
  gsi1sk: string;
}

/** An item's primary key alone: what GetItem and DeleteItem take (an indexed item's gsi1 keys are not part of it). */
export const keyOf = (item: { pk?: unknown; sk?: unknown }): Key => ({
  pk: String(item.pk),
  sk: String(item.sk),
});

export const keys = {
  tenant: (tenantId: string): Indexed => ({
    pk: t(tenantId),
    sk: 'TENANT',
    gsi1pk: t(tenantId),
    gsi1sk: 'TENANT',
  }),
  model: (tenantId: string): Indexed => ({
    pk: t(tenantId),
    sk: 'MODEL#CURRENT',
    gsi1pk: t(tenantId),
    gsi1sk: 'MODEL#CURRENT',
  }),
  /** A customer's partition: profile, score, orders and merge records. */
  customerPartition: (tenantId: string, customerId: string): string => `${t(tenantId)}#C#${customerId}`,
  profile: (tenantId: string, customerId: string): Indexed => ({
    pk: keys.customerPartition(tenantId, customerId),
    sk: 'PROFILE',
    gsi1pk: t(tenantId),
    gsi1sk: `CUSTOMER#${customerId}#PROFILE`,
  }),
  score: (tenantId: string, customerId: string): Indexed => ({
    pk: keys.customerPartition(tenantId, customerId),
    sk: 'SCORE',
    gsi1pk: t(tenantId),
    gsi1sk: `CUSTOMER#${customerId}#SCORE`,
  }),
  order: (tenantId: string, customerId: string, source: string, orderId: string): Indexed => ({
    pk: keys.customerPartition(tenantId, customerId),
    sk: `ORDER#${source}#${orderId}`,
    gsi1pk: t(tenantId),
    gsi1sk: `ORDER#${source}#${orderId}`,
  }),
  merge: (tenantId: string, survivor: string, absorbed: string): Indexed => ({
    pk: keys.customerPartition(tenantId, survivor),
    sk: `MERGED#${absorbed}`,
    gsi1pk: t(tenantId),
    gsi1sk: `MERGE#${survivor}#${absorbed}`,
  }),
  /** Which customer owns an order, and its stored version: the strongly consistent idempotency check. */
  orderOwner: (tenantId: string, source: string, orderId: string): Indexed => ({
    pk: `${t(tenantId)}#ORDER#${source}#${orderId}`,
    sk: 'OWNER',
    gsi1pk: t(tenantId),
    gsi1sk: `OWNER#${source}#${orderId}`,
  }),
  identity: (tenantId: string, identityKey: string): Indexed => ({
    pk: `${t(tenantId)}#ID#${identityKey}`,
    sk: 'ID',
    gsi1pk: t(tenantId),
    gsi1sk: `ID#${identityKey}`,
  }),
  event: (tenantId: string, eventId: string): Indexed => ({
    pk: `${t(tenantId)}#EVT#${eventId}`,
    sk: 'EVT',
    gsi1pk: t(tenantId),
    gsi1sk: `EVT#${eventId}`,
  }),
  outbox: (tenantId: string, target: string, customerId: string): Indexed => ({
    pk: `${t(tenantId)}#OUTBOX`,
    sk: `${target}#${customerId}`,
    gsi1pk: t(tenantId),
    gsi1sk: `OUTBOX#${target}#${customerId}`,
  }),
  outboxPartition: (tenantId: string): string => `${t(tenantId)}#OUTBOX`,
  tenantIndex: (tenantId: string): string => t(tenantId),
  /**
   * Which tenant a shop or an org belongs to: the routing table a webhook is
   * looked up in before its tenant is known. Carries gsi1pk, so a tenant
   * deletion removes its routes too.
   */
  route: (kind: 'shopify' | 'salesforce', externalId: string, tenantId: string): Indexed => {
    const key = keys.routeKey(kind, externalId);
    return { ...key, gsi1pk: t(tenantId), gsi1sk: `ROUTE#${kind}#${key.sk}` };
  },
  /** A route's key. An org is known by its 15-character id: the 18-character form only adds a checksum. */
  routeKey: (kind: 'shopify' | 'salesforce', externalId: string): Key => ({
    pk: `ROUTE#${kind}`,
    sk: kind === 'salesforce' ? externalId.slice(0, 15) : externalId,
  }),
  /**
   * Which tenant an outbound token belongs to, by the token's SHA-256
   * (integrations/salesforce/outbound-token.ts): the outbound endpoint finds
   * the workspace from the URL's token before it reads the body. The tenant's
   * own hash stays the authority; a route left by a rotated token finds a
   * tenant whose hash no longer matches.
   */
  outboundTokenRoute: (tokenHash: string, tenantId: string): Indexed => {
    const key = keys.outboundTokenRouteKey(tokenHash);
    return { ...key, gsi1pk: t(tenantId), gsi1sk: `ROUTE#salesforce-token#${key.sk}` };
  },
  outboundTokenRouteKey: (tokenHash: string): Key => ({ pk: 'ROUTE#salesforce-token', sk: tokenHash }),
  /**
   * A Shopify OAuth session (offline access token and its refresh token, sealed). The one item without
   * gsi1 keys: gsi1 projects ALL attributes, and a token must have no second copy in the index. A tenant
   * deletion finds sessions in their own partition instead.
   */
  shopifySession: (tenantId: string, sessionId: string): Key => ({
    pk: keys.shopifySessionPartition(tenantId),
    sk: `SESSION#${sessionId}`,
  }),
  shopifySessionPartition: (tenantId: string): string => `${t(tenantId)}#SHOPIFY`,
  /** Progress of a history import from one source, so an interrupted one resumes. */
  backfill: (tenantId: string, source: string): Indexed => ({
    pk: t(tenantId),
    sk: `BACKFILL#${source}`,
    gsi1pk: t(tenantId),
    gsi1sk: `BACKFILL#${source}`,
  }),
  /**
   * A customers/data_request export for the merchant to download: its header
   * (listed by the dashboard) and the parts holding the gzipped JSON.
   */
  dataExport: (tenantId: string, exportId: string): Indexed => ({
    pk: `${t(tenantId)}#EXPORTS`,
    sk: `EXPORT#${exportId}`,
    gsi1pk: t(tenantId),
    gsi1sk: `EXPORT#${exportId}`,
  }),
  dataExportPart: (tenantId: string, exportId: string, part: number): Indexed => ({
    pk: `${t(tenantId)}#EXPORTS`,
    sk: `PART#${exportId}#${String(part).padStart(4, '0')}`,
    gsi1pk: t(tenantId),
    gsi1sk: `EXPORTPART#${exportId}#${String(part).padStart(4, '0')}`,
  }),
  dataExportPartition: (tenantId: string): string => `${t(tenantId)}#EXPORTS`,
  /** The one partition that lists every tenant, for the scheduled refit. */
  registry: (tenantId: string): Indexed => ({
    pk: 'TENANTS',
    sk: tenantId,
    gsi1pk: t(tenantId),
    gsi1sk: 'REGISTRY',
  }),
};
