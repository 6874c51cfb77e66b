/**
 * Asking for a tenant's refit, coalesced: a message is sent only when no
 * request of the tenant is pending (shared/store/refit-requests.ts), so fifty
 * settings saves before the refit starts queue one refit, and the nightly
 * schedule adds none where a save's refit is still waiting.
 */
import { markRefitRequested, withdrawRefitRequest } from '../store/refit-requests.ts';
import type { Store } from '../store/store.ts';
import type { EnqueueRefit } from './messages.ts';

/** 'queued': this call sent the message; 'pending': a queued refit, not yet started, covers it. */
export async function requestRefit(
  store: Store,
  tenantId: string,
  send: EnqueueRefit,
  now: number,
): Promise<'queued' | 'pending'> {
  const requestId = await markRefitRequested(store, tenantId, now);
  if (!requestId) return 'pending';
  try {
    await send({ tenantId, requestId });
  } catch (error) {
    // The send's failure is what the caller must see; a marker left behind goes stale and is replaced.
    await withdrawRefitRequest(store, tenantId, requestId).catch(() => undefined);
    throw error;
  }
  return 'queued';
}
