/**
 * The tenant report on DynamoDB Local, on tenants seeded through the real pipeline: every figure is
 * checked against a computation made here from the stored scores and model (sums, median, shares,
 * tier and segment groups, histogram counts, top-N order, recent changes).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { refitTenant } from '../../../shared/pipeline/refit-tenant.ts';
import { scoreCustomer } from '../../../shared/pipeline/score-customer.ts';
import type { TenantReport } from '../../../shared/report/tenant-report.ts';
import { tenantReport } from '../../../shared/report/tenant-report.ts';
import { keys } from '../../../shared/store/keys.ts';
import { getModel } from '../../../shared/store/models.ts';
import type { StoredModel } from '../../../shared/store/models.ts';
import type { Order } from '../../../shared/store/order.ts';
import { recordOrder } from '../../../shared/store/orders.ts';
import type { StoredScore } from '../../../shared/store/scores.ts';
import { putTenant, TenantNotFoundError } from '../../../shared/store/tenants.ts';
import { scoresOf, tenantName, testStore } from '../../helpers/dynamo.ts';
import { orderStream } from '../../helpers/order-stream.ts';
import { referredOrders, seedShop } from './referred-shop.ts';

const store = testStore();
const NOW = Date.parse('2026-03-01T00:00:00Z');
const LATER = NOW + 2 * 86_400_000;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const emails = (s: StoredScore) =>
  s.identities.filter((k) => k.startsWith('email:')).map((k) => k.slice('email:'.length));

describe('tenantReport on a shop with a fitted model (DynamoDB Local)', () => {
  const tenantId = tenantName('report');
  let report: TenantReport;
  let scores: StoredScore[];
  let before: Map<string, StoredScore>;
  let model: StoredModel;
  const rescored: string[] = [];

  beforeAll(async () => {
    const { tenant } = await seedShop(
      store,
      tenantId,
      referredOrders({ orders: 2000, customers: 600, seed: 31 }),
      NOW,
    );
    before = await scoresOf(store, tenantId);
    model = (await getModel(store, tenantId))!;
    // Two days later, five known customers and one new one order again, and are scored as the queue would.
    const known = [...before.values()].sort((a, b) => (a.customerId < b.customerId ? -1 : 1)).slice(0, 5);
    const newcomer = { shopifyCustomerId: '7999999', email: 'new.comer@example.com' };
    const identities = [
      ...known.map((s) => ({
        shopifyCustomerId: s.identities.find((k) => k.startsWith('shopify:'))!.slice(8),
      })),
      newcomer,
    ];
    for (const [i, customer] of identities.entries()) {
      const order: Order = {
        source: 'shopify',
        orderId: `later-${i}`,
        version: new Date(LATER - 3_600_000).toISOString(),
        customer,
        placedAt: new Date(LATER - 3_600_000).toISOString(),
        value: 40 + 35 * i,
        refunded: 0,
        currency: 'USD',
        margin: null,
        cancelled: false,
      };
      const { customerId } = await recordOrder(store, tenant, order, LATER);
      await scoreCustomer(store, tenant, customerId, model, LATER);
      rescored.push(customerId);
    }
    scores = [...(await scoresOf(store, tenantId)).values()];
    report = await tenantReport(store, tenantId, { top: 12, recent: 8, bins: 10, pageSize: 97, now: LATER });
  }, 300_000);

  it('counts every scored customer and sums their CRM-visible CLVs', () => {
    expect(report.tenantId).toBe(tenantId);
    expect(report.currency).toBe('USD');
    expect(report.generatedAt).toBe(new Date(LATER).toISOString());
    expect(report.customers).toBe(scores.length);
    expect(scores.length).toBeGreaterThan(400);
    expect(report.totals.predictedClv).toBeCloseTo(sum(scores.map((s) => s.fields.predicted_clv)), 2);
    expect(report.totals.historicClv).toBeCloseTo(sum(scores.map((s) => s.fields.historic_clv)), 2);
    const high = scores.filter((s) => s.fields.churn_risk === 'high').length;
    expect(report.highChurnShare).toBe(high / scores.length);
  });

  it('gives the median predicted CLV', () => {
    const sorted = scores.map((s) => s.fields.predicted_clv).sort((a, b) => a - b);
    const n = sorted.length;
    const median = n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
    expect(report.medianPredictedClv).toBe(median);
    // Half the customers on either side.
    expect(sorted.filter((v) => v < median!).length).toBeLessThanOrEqual(n / 2);
    expect(sorted.filter((v) => v > median!).length).toBeLessThanOrEqual(n / 2);
  });

  it('groups customers by tier and segment, the groups adding up to everyone', () => {
    expect(report.tiers.map((t) => t.tier)).toEqual(['platinum', 'gold', 'silver', 'bronze']);
    expect(sum(report.tiers.map((t) => t.customers))).toBe(scores.length);
    expect(sum(report.segments.map((g) => g.customers))).toBe(scores.length);
    for (const t of report.tiers) {
      const members = scores.filter((s) => s.fields.tier === t.tier);
      expect(t.customers, t.tier).toBe(members.length);
      expect(t.predictedClv, t.tier).toBeCloseTo(sum(members.map((s) => s.fields.predicted_clv)), 2);
    }
    expect(new Set(report.segments.map((g) => g.segment))).toEqual(
      new Set(scores.map((s) => s.fields.segment)),
    );
    for (const g of report.segments) {
      const members = scores.filter((s) => s.fields.segment === g.segment);
      expect(g.customers, g.segment).toBe(members.length);
      expect(g.predictedClv, g.segment).toBeCloseTo(sum(members.map((s) => s.fields.predicted_clv)), 2);
    }
  });

  it('bins predicted CLV into contiguous bins whose counts match the stored values', () => {
    const bins = report.clvHistogram;
    const values = scores.map((s) => s.fields.predicted_clv);
    expect(bins.length).toBeGreaterThan(3);
    expect(bins.length).toBeLessThanOrEqual(11);
    expect(sum(bins.map((b) => b.customers))).toBe(scores.length);
    expect(bins[0]!.low).toBeLessThanOrEqual(Math.min(...values));
    expect(bins.at(-1)!.high).toBe(Math.max(...values));
    bins.forEach((b, i) => {
      if (i > 0) expect(b.low).toBe(bins[i - 1]!.high);
      const last = i === bins.length - 1;
      const inside = values.filter((v) => v >= b.low && (v < b.high || (last && v === b.high)));
      expect(b.customers, `${b.low}–${b.high}`).toBe(inside.length);
    });
    // The linear bins share one width; only the tail bin (above the 99th percentile) may differ.
    const widths = new Set(bins.slice(0, -1).map((b) => Number((b.high - b.low).toPrecision(9))));
    expect(widths.size).toBe(1);
  });

  it('lists the top customers by predicted CLV, with their emails and fields', () => {
    const expected = [...scores]
      .sort(
        (a, b) => b.fields.predicted_clv - a.fields.predicted_clv || (a.customerId < b.customerId ? -1 : 1),
      )
      .slice(0, 12);
    expect(report.topCustomers.map((c) => c.customerId)).toEqual(expected.map((s) => s.customerId));
    report.topCustomers.forEach((c, i) => {
      const s = expected[i]!;
      const { predicted_clv, historic_clv, churn_risk, p_alive, tier, segment } = s.fields;
      expect(c).toEqual({
        customerId: s.customerId,
        emails: emails(s),
        predictedClv: predicted_clv,
        historicClv: historic_clv,
        churnRisk: churn_risk,
        pAlive: p_alive,
        tier,
        segment,
      });
      expect(c.emails.length).toBe(1);
    });
  });

  it('describes the stored model: method, name, hold-out and version', () => {
    const chosen = model.backtest!.candidates.find((c) => c.model === model.backtest!.chosen)!;
    expect(report.model).toMatchObject({
      method: 'model',
      name: { bgnbd: 'bgnbd', mbgnbd: 'mbgnbd', paretoNbd: 'pareto-nbd' }[model.purchaseModel!.name],
      fallbackReason: null,
      refittedAt: new Date(NOW).toISOString(),
      holdout: {
        mae: chosen.mae,
        rmse: chosen.rmse,
        correlation: chosen.correlation,
        predictedTotal: chosen.predictedTotal,
        actualTotal: chosen.actualTotal,
        calibrationEnd: model.backtest!.calibrationEnd,
      },
    });
    expect(report.insufficientData).toEqual([]);
  });

  it('reports the referral uplift measured by the refit', () => {
    expect(report.referrals).toEqual(model.referrals);
    expect(report.referrals!.referredCount).toBe(
      scores.filter(
        (s) => s.referredBy && scores.some((r) => r.customerId === s.referredBy!.customerId && r !== s),
      ).length,
    );
  });

  it('lists the latest visible changes first, with the values before them', () => {
    expect(report.recentChanges).toHaveLength(8);
    const latest = report.recentChanges.slice(0, rescored.length);
    expect(new Set(latest.map((c) => c.customerId))).toEqual(new Set(rescored));
    for (const c of latest) {
      const was = before.get(c.customerId);
      const now = scores.find((s) => s.customerId === c.customerId)!;
      expect(c.scoredAt).toBe(new Date(LATER).toISOString());
      expect(c.predictedClv).toBe(now.fields.predicted_clv);
      expect(c.tier).toBe(now.fields.tier);
      expect(c.previousPredictedClv).toBe(was ? was.fields.predicted_clv : null);
      expect(c.previousTier).toBe(was ? was.fields.tier : null);
      expect(c.emails).toEqual(emails(now));
    }
    // Within one moment, the largest swing in predicted CLV first.
    const swings = latest.map((c) => Math.abs(c.predictedClv - (c.previousPredictedClv ?? 0)));
    expect(swings).toEqual([...swings].sort((a, b) => b - a));
    // Then the refit's changes, which every other customer's last change is.
    for (const c of report.recentChanges.slice(rescored.length))
      expect(c.scoredAt).toBe(new Date(NOW).toISOString());
  });
});

describe('tenantReport below the data minimums, and before any score (DynamoDB Local)', () => {
  it('says in plain words what the tenant lacks and names the heuristic', async () => {
    const tenantId = tenantName('report-small');
    await seedShop(store, tenantId, orderStream({ orders: 40, customers: 25, seed: 3, days: 30 }), NOW);
    const model = (await getModel(store, tenantId))!;
    const report = await tenantReport(store, tenantId);
    expect(model.sufficiency.sufficient).toBe(false);
    expect(report.model).toMatchObject({
      method: 'heuristic',
      name: 'heuristic',
      holdout: null,
      spend: null,
    });
    expect(report.insufficientData).toHaveLength(model.sufficiency.reasons.length + 1);
    expect(report.insufficientData[0]).toMatch(
      /^Only \d+ customers have purchased; the model needs at least 100\.$/,
    );
    expect(report.insufficientData.at(-1)).toContain(`from ${model.sufficiency.customers} customers`);
    const scores = await scoresOf(store, tenantId);
    expect(report.customers).toBe(scores.size);
    expect(sum(report.clvHistogram.map((b) => b.customers))).toBe(scores.size);
  });

  it('reads scores and models stored before referrals and changes were recorded', async () => {
    const tenantId = tenantName('report-legacy');
    const { tenant } = await seedShop(
      store,
      tenantId,
      referredOrders({ orders: 300, customers: 120, seed: 5 }),
      NOW,
    );
    // Strip what older versions did not store: the score's referrer and last change, the model's uplift.
    for (const s of (await scoresOf(store, tenantId)).values()) {
      await store.doc.send(
        new UpdateCommand({
          TableName: store.table,
          Key: { pk: keys.score(tenantId, s.customerId).pk, sk: 'SCORE' },
          UpdateExpression: 'REMOVE referredBy, lastChange',
        }),
      );
    }
    await store.doc.send(
      new UpdateCommand({
        TableName: store.table,
        Key: { pk: keys.model(tenantId).pk, sk: keys.model(tenantId).sk },
        UpdateExpression: 'REMOVE model.referrals',
      }),
    );
    const legacy = await tenantReport(store, tenantId);
    const scores = await scoresOf(store, tenantId);
    expect(legacy.customers).toBe(scores.size);
    expect(legacy.referrals).toBeNull();
    expect(legacy.recentChanges).toEqual([]);
    // A refit reads them, measures referrals again (nobody is known to be referred now) and dates its changes.
    await refitTenant(store, tenant, LATER);
    const after = await tenantReport(store, tenantId, { recent: 1000 });
    expect(after.referrals).toMatchObject({ referredCount: 0, nonReferredCount: scores.size, ignored: 0 });
    const rescored = [...(await scoresOf(store, tenantId)).values()].filter(
      (s) => s.scoredAt === new Date(LATER).toISOString(),
    );
    expect(after.recentChanges.map((c) => c.customerId).sort()).toEqual(
      rescored.map((s) => s.customerId).sort(),
    );
    for (const c of after.recentChanges)
      expect(c.previousPredictedClv).toBe(scores.get(c.customerId)!.fields.predicted_clv);
  });

  it('reports an empty tenant with nulls, not zeros that look measured', async () => {
    const tenantId = tenantName('report-empty');
    await putTenant(store, { tenantId, currency: 'EUR' });
    const report = await tenantReport(store, tenantId);
    expect(report).toMatchObject({
      currency: 'EUR',
      customers: 0,
      totals: { predictedClv: 0, historicClv: 0 },
      medianPredictedClv: null,
      highChurnShare: null,
      model: null,
      insufficientData: [],
      clvHistogram: [],
      segments: [],
      topCustomers: [],
      referrals: null,
      recentChanges: [],
    });
    expect(report.tiers.every((t) => t.customers === 0)).toBe(true);
  });

  it('refuses an unknown tenant with TenantNotFoundError', async () => {
    await expect(tenantReport(store, tenantName('no-such'))).rejects.toBeInstanceOf(TenantNotFoundError);
  });
});
