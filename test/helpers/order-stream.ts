/**
 * A seeded stream of order versions as a store would emit them: orders
 * created, some later paid/edited (a newer version), partly refunded or
 * cancelled; each customer known by a Shopify id and an email.
 */
import { rng } from '../../shared/clv/simulate.ts';
import type { Order } from '../../shared/store/order.ts';

export interface StreamOptions {
  orders: number;
  customers: number;
  seed?: number;
  start?: string;
  days?: number;
}

export function orderStream({
  orders,
  customers,
  seed = 1,
  start = '2025-01-01',
  days = 400,
}: StreamOptions): Order[] {
  const u = rng(seed);
  const t0 = Date.parse(`${start}T00:00:00Z`);
  const stream: Order[] = [];
  for (let i = 0; i < orders; i++) {
    // Skewed: a few customers buy often, many once.
    const c = Math.floor(customers * u() ** 2);
    const placed = t0 + Math.floor(u() * days * 86_400_000);
    const value = Math.round((10 + 200 * u() ** 3) * 100) / 100;
    const base: Order = {
      source: 'shopify',
      orderId: String(100_000 + i),
      version: new Date(placed).toISOString(),
      customer: { shopifyCustomerId: String(7_000_000 + c), email: `Customer.${c}@Example.com` },
      placedAt: new Date(placed).toISOString(),
      value,
      refunded: 0,
      currency: 'USD',
      margin: u() < 0.5 ? Math.round(value * 0.4 * 100) / 100 : null,
      cancelled: false,
    };
    stream.push(base);
    const r = u();
    const later = (hours: number) => new Date(placed + hours * 3_600_000).toISOString();
    if (r < 0.1) stream.push({ ...base, version: later(2), cancelled: true });
    else if (r < 0.2) {
      const refunded = Math.round(value * 0.5 * 100) / 100;
      stream.push({
        ...base,
        version: later(30),
        value: Math.round((value - refunded) * 100) / 100,
        refunded,
      });
    } else if (r < 0.25) stream.push({ ...base, version: later(48), value: 0, refunded: value });
  }
  return stream.sort((a, b) => Date.parse(a.version) - Date.parse(b.version));
}

/** The same deliveries, messy: `share` of them delivered twice more, the lot shuffled. */
export function messy<T>(stream: readonly T[], share: number, seed = 2): T[] {
  const u = rng(seed);
  const out = [...stream];
  for (const item of stream) if (u() < share) out.push(item);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(u() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Runs `work` over items with at most `limit` in flight. */
export async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}
