import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { deleteTenant } from '../../../shared/store/deletion.ts';
import { EVENT_RETENTION_SECONDS, recordEvent } from '../../../shared/store/events.ts';
import { keys } from '../../../shared/store/keys.ts';
import { putTenant } from '../../../shared/store/tenants.ts';
import { scanAll, tenantName, testStore } from '../../helpers/dynamo.ts';

const store = testStore();
const NOW = Date.parse('2026-05-01T12:00:00Z');

describe('delivery dedupe (DynamoDB Local)', () => {
  it('accepts a delivery id once, recognises its redelivery, and expires it after the retention', async () => {
    const tenantId = tenantName('events');
    expect(await recordEvent(store, tenantId, 'webhook-1', NOW)).toBe(true);
    expect(await recordEvent(store, tenantId, 'webhook-1', NOW + 60_000)).toBe(false);
    expect(await recordEvent(store, tenantId, 'webhook-2', NOW)).toBe(true);

    const { Item } = await store.doc.send(
      new GetCommand({ TableName: store.table, Key: keysOnly(keys.event(tenantId, 'webhook-1')) }),
    );
    // The first delivery's record stands: a redelivery does not push its expiry out.
    expect(Item?.seenAt).toBe(new Date(NOW).toISOString());
    expect(Item?.expiresAt).toBe(NOW / 1000 + EVENT_RETENTION_SECONDS);
    expect(EVENT_RETENTION_SECONDS).toBeGreaterThanOrEqual(48 * 3600); // Shopify retries for 48 hours
  });

  it('keeps delivery ids per tenant: the same id in another tenant is a new event', async () => {
    const [a, b] = [tenantName('events-a'), tenantName('events-b')];
    expect(await recordEvent(store, a, 'shared-id', NOW)).toBe(true);
    expect(await recordEvent(store, b, 'shared-id', NOW)).toBe(true);
    expect(await recordEvent(store, a, 'shared-id', NOW)).toBe(false);
  });

  it('forgets a tenant’s delivery ids when the tenant is deleted', async () => {
    const tenantId = tenantName('events-del');
    await putTenant(store, { tenantId, currency: 'USD' });
    await recordEvent(store, tenantId, 'w-1', NOW);
    await deleteTenant(store, tenantId);
    const left = (await scanAll(store)).filter((i) => String(i.pk).startsWith(`T#${tenantId}#`));
    expect(left).toEqual([]);
    expect(await recordEvent(store, tenantId, 'w-1', NOW)).toBe(true);
  });
});

function keysOnly(k: { pk: string; sk: string }) {
  return { pk: k.pk, sk: k.sk };
}
