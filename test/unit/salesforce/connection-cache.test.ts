import type { Connection } from 'jsforce';
import { describe, expect, it } from 'vitest';
import type { CachedConnection } from '../../../integrations/salesforce/connection-cache.ts';
import { connectionCache } from '../../../integrations/salesforce/connection-cache.ts';
import type { TenantSettings } from '../../../shared/store/tenants.ts';
import { TenantSettingsSchema } from '../../../shared/store/tenants.ts';

const tenant = (tenantId: string, clientId = 'key-1'): TenantSettings =>
  TenantSettingsSchema.parse({
    tenantId,
    currency: 'USD',
    salesforceOrgId: '00D000000000001AAA',
    salesforce: { loginUrl: 'https://login.example.test', clientId, flow: 'client-credentials' },
  });

/** A factory that counts its logins; `fail` makes the next one fail. */
function countingFactory() {
  const logins: string[] = [];
  let fail = false;
  const factory = async (t: TenantSettings): Promise<CachedConnection> => {
    logins.push(t.tenantId);
    if (fail) {
      fail = false;
      throw new Error('login refused');
    }
    return { conn: { id: logins.length } as unknown as Connection, stats: { refreshes: 0 } };
  };
  return { logins, factory, failNext: () => (fail = true) };
}

describe('connectionCache', () => {
  const secrets = async () => ({ clientSecret: 's' });

  it('logs in once per workspace while warm, again after maxAgeMs or when the org settings change', async () => {
    let clock = 0;
    const { logins, factory } = countingFactory();
    const cache = connectionCache(factory, secrets, { maxAgeMs: 1000, now: () => clock });
    const first = await cache.connect(tenant('a'));
    expect(await cache.connect(tenant('a'))).toBe(first);
    await cache.connect(tenant('b'));
    expect(logins).toEqual(['a', 'b']);
    clock = 999;
    expect(await cache.connect(tenant('a'))).toBe(first);
    clock = 1000;
    expect(await cache.connect(tenant('a'))).not.toBe(first);
    await cache.connect(tenant('a', 'key-2'));
    expect(logins).toEqual(['a', 'b', 'a', 'a']);
  });

  it('keeps no failed login, and forget() makes the next call log in afresh', async () => {
    const { logins, factory, failNext } = countingFactory();
    const cache = connectionCache(factory, secrets, { now: () => 0 });
    failNext();
    await expect(cache.connect(tenant('a'))).rejects.toThrow('login refused');
    const kept = await cache.connect(tenant('a'));
    expect(await cache.connect(tenant('a'))).toBe(kept);
    cache.forget('a');
    expect(await cache.connect(tenant('a'))).not.toBe(kept);
    expect(logins).toEqual(['a', 'a', 'a']);
  });
});
