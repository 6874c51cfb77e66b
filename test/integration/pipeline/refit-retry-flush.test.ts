/**
 * A refit whose first attempt wrote the scores and outbox entries and then
 * failed (DynamoDB answered the write InternalServerError after committing
 * it, as AWS says it may) is retried by its schedule: the retry finds no
 * field changed, but the entries are still unwritten and must be flushed.
 */
import { describe, expect, it } from 'vitest';
import { createRefitHandler } from '../../../functions/refit.ts';
import type { WritebackMessage } from '../../../shared/pipeline/messages.ts';
import { outboxEntries } from '../../../shared/store/scores.ts';
import { Injector } from '../../reliability/fault-matrix/faults.ts';
import { smallHistory, tenantWithOrders } from '../../reliability/fault-matrix/scoring.ts';
import { drainScores, logger, NOW, store } from '../../reliability/fault-matrix/world.ts';

describe('refit retried after a failure past its writes', () => {
  it('still asks for the flush of the entries the failed attempt wrote', { timeout: 60_000 }, async () => {
    const { tenant, queue } = await tenantWithOrders('refit-retry', smallHistory(6, 2));
    await drainScores(queue);
    const probe = new Injector();
    const at = NOW + 30 * 86_400_000;
    const refit = (i: Injector, sent: WritebackMessage[]) =>
      createRefitHandler({
        store: i.store(store),
        logger,
        now: () => at,
        enqueueWriteback: async (m) => void sent.push(m),
      });
    // Where the refit writes its scores, in a clean refit of a twin workspace.
    const twin = await tenantWithOrders('refit-retry-twin', smallHistory(6, 2));
    await drainScores(twin.queue);
    await refit(probe, [])({ tenantId: twin.tenant.tenantId });
    const write = probe.calls.findIndex((c) => c.label.startsWith('BatchWrite'));
    expect(write).toBeGreaterThan(0);

    const sent: WritebackMessage[] = [];
    const failing = new Injector({ at: write, fault: 'InternalServerError' });
    await expect(refit(failing, sent)({ tenantId: tenant.tenantId })).rejects.toThrow();
    expect(sent).toEqual([]);
    await refit(new Injector(), sent)({ tenantId: tenant.tenantId });
    expect((await outboxEntries(store, tenant.tenantId, 'shopify')).length).toBeGreaterThan(0);
    expect(sent).toEqual([{ tenantId: tenant.tenantId, target: 'shopify' }]);
  });
});
