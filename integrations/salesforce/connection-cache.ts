/**
 * Salesforce connections kept while a function is warm, one per workspace (a
 * new one when its org settings change). Without it every write-back flush,
 * and every outbound message naming an unknown Contact, was a login of its
 * own: 168 token requests in one demo run, and Salesforce limits logins per
 * user and hour. jsforce renews the token when a call answers
 * INVALID_SESSION_ID. A connection is kept at most `maxAgeMs` (default 5
 * minutes, the secrets' cache time), so a rotated client secret or key is
 * used from then on; a connection that failed is not kept.
 */
import type { Connection } from 'jsforce';
import type { TenantSettings } from '../../shared/store/tenants.ts';
import type { ConnectionStats, SecretSource } from './connection.ts';

export interface CachedConnection {
  conn: Connection;
  stats: ConnectionStats;
}

export type ConnectionFactory = (tenant: TenantSettings, secrets: SecretSource) => Promise<CachedConnection>;

/** salesforceConnection, with jsforce imported on the first login rather than at a handler's cold start. */
export const connectOnFirstUse: ConnectionFactory = async (tenant, secrets) =>
  (await import('./connection.ts')).salesforceConnection(tenant, secrets);

export interface ConnectionCache {
  connect(tenant: TenantSettings): Promise<CachedConnection>;
  /** Drops the tenant's connection: after a failure, the retry logs in afresh (a rotated secret, a revoked token). */
  forget(tenantId: string): void;
}

export function connectionCache(
  connect: ConnectionFactory,
  secrets: SecretSource,
  options: { maxAgeMs?: number; now?: () => number } = {},
): ConnectionCache {
  const maxAgeMs = options.maxAgeMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  const kept = new Map<string, { settings: string; at: number; connection: Promise<CachedConnection> }>();
  return {
    connect(tenant) {
      const settings = JSON.stringify(tenant.salesforce ?? null);
      const cached = kept.get(tenant.tenantId);
      if (cached && cached.settings === settings && now() - cached.at < maxAgeMs) return cached.connection;
      const connection = connect(tenant, secrets);
      kept.set(tenant.tenantId, { settings, at: now(), connection });
      connection.catch(() => {
        if (kept.get(tenant.tenantId)?.connection === connection) kept.delete(tenant.tenantId);
      });
      return connection;
    },
    forget(tenantId) {
      kept.delete(tenantId);
    },
  };
}
