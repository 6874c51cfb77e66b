/**
 * The tenant report: what the CLI's `clv report` prints and the admin dashboard shows. One pass
 * over the stored scores, a page at a time, keeping only counts, sums, two bounded top-N selections
 * and the predicted CLVs in a Float64Array (8 bytes a customer, for the median and the histogram),
 * so a 100k-customer tenant is reported in a few MB. Recent changes come from the same pass: each
 * score carries its last visible change (shared/pipeline/score-customer.ts, lastChange), so they
 * need no index of their own; the cost is the full pass the report makes anyway.
 *
 * Money figures are the CRM-visible fields (predicted_clv, historic_clv: rounded to the cent, never
 * negative), so the report agrees with what merchants see in Shopify and Salesforce.
 */
import type { ReferralUplift } from '../segments/index.ts';
import { TIERS } from '../segments/index.ts';
import type { StoredModel } from '../store/models.ts';
import { getModel } from '../store/models.ts';
import type { StoredScore } from '../store/scores.ts';
import { scorePages } from '../store/scores.ts';
import type { Store } from '../store/store.ts';
import { getTenant } from '../store/tenants.ts';
import { clvHistogram } from './histogram.ts';
import { TopN } from './top-n.ts';

export interface TenantReport {
  tenantId: string;
  currency: string;
  generatedAt: string; // ISO
  customers: number; // customers with a stored score
  totals: { predictedClv: number; historicClv: number };
  medianPredictedClv: number | null;
  highChurnShare: number | null; // share of scored customers with churn_risk 'high'
  model: {
    method: 'model' | 'heuristic';
    name: string; // e.g. 'bgnbd', 'pareto-nbd', or 'heuristic'
    fallbackReason: string | null;
    holdout: {
      mae: number;
      rmse: number;
      correlation: number | null;
      predictedTotal: number;
      actualTotal: number;
      calibrationEnd: string;
    } | null;
    refittedAt: string; // the model version (ISO time of the fit)
    /** Added: how spend is predicted — Gamma-Gamma, or the pooled mean when it had no optimum; null for the heuristic. */
    spend: 'gamma-gamma' | 'pooled-mean' | null;
  } | null; // null: never refitted
  /** Plain-words reasons when the tenant is below the data minimums (empty when sufficient). */
  insufficientData: string[];
  clvHistogram: { low: number; high: number; customers: number }[];
  tiers: { tier: string; customers: number; predictedClv: number }[];
  segments: { segment: string; customers: number; predictedClv: number }[];
  topCustomers: {
    customerId: string;
    emails: string[];
    predictedClv: number;
    historicClv: number;
    churnRisk: 'low' | 'medium' | 'high';
    pAlive: number | null;
    tier: string;
    segment: string;
  }[];
  referrals: ReferralUplift | null; // null until a refit has measured it
  recentChanges: {
    customerId: string;
    emails: string[];
    scoredAt: string;
    predictedClv: number;
    previousPredictedClv: number | null;
    tier: string;
    previousTier: string | null;
  }[];
}

export interface TenantReportOptions {
  /** Customers in topCustomers (default 10). */
  top?: number;
  /** Entries in recentChanges (default 10). */
  recent?: number;
  /** Linear histogram bins before the tail bin (default 10). */
  bins?: number;
  /** Scores read per page (default 1000). */
  pageSize?: number;
  now?: number;
}

const cents = (v: number) => Math.round(v * 100) / 100;

/** A customer's emails, from its identity keys (`email:…`). */
export const emailsOf = (identities: readonly string[]) =>
  identities.filter((k) => k.startsWith('email:')).map((k) => k.slice('email:'.length));

const byId = (a: StoredScore, b: StoredScore) =>
  a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0;

/** Highest predicted CLV first; ties by customer id, so the order is the same on every run. */
const byPredictedClv = (a: StoredScore, b: StoredScore) =>
  b.fields.predicted_clv - a.fields.predicted_clv || byId(a, b);

const swing = (s: StoredScore) =>
  Math.abs(s.fields.predicted_clv - (s.lastChange?.previousPredictedClv ?? 0));

/** Latest change first; among changes made at once (a refit), the largest swing in predicted CLV first. */
const byRecentChange = (a: StoredScore, b: StoredScore) => {
  const at = (s: StoredScore) => s.lastChange!.at;
  return at(a) < at(b) ? 1 : at(a) > at(b) ? -1 : swing(b) - swing(a) || byId(a, b);
};

function median(sorted: Float64Array): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const mid = n >> 1;
  return n % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const MODEL_NAMES: Record<string, string> = { bgnbd: 'bgnbd', mbgnbd: 'mbgnbd', paretoNbd: 'pareto-nbd' };

function modelSummary(model: StoredModel | null): TenantReport['model'] {
  if (!model) return null;
  const chosen = model.backtest?.candidates.find((c) => c.model === model.backtest?.chosen);
  const purchase = model.method === 'model' ? model.purchaseModel : null;
  return {
    method: model.method,
    name: purchase ? (MODEL_NAMES[purchase.name] ?? purchase.name) : 'heuristic',
    fallbackReason: model.fallbackReason,
    holdout:
      chosen && model.backtest
        ? {
            mae: chosen.mae,
            rmse: chosen.rmse,
            correlation: chosen.correlation,
            predictedTotal: chosen.predictedTotal,
            actualTotal: chosen.actualTotal,
            calibrationEnd: model.backtest.calibrationEnd,
          }
        : null,
    refittedAt: model.version,
    spend: purchase ? (model.spendModel ? 'gamma-gamma' : 'pooled-mean') : null,
  };
}

/** The data minimums a tenant misses, as sentences a merchant can read. */
export function insufficientDataReasons(model: StoredModel | null): string[] {
  if (!model || model.sufficiency.sufficient) return [];
  const { customers, repeatBuyers, historyDays } = model.sufficiency;
  return [
    ...model.sufficiency.reasons.map((r) => `${r[0]!.toUpperCase()}${r.slice(1)}.`),
    `Until then predicted CLV is a labelled estimate (average order value × purchase rate × expected lifespan) from ${customers} customers, ${repeatBuyers} of them repeat buyers, over ${historyDays} days of orders; it improves as orders arrive.`,
  ];
}

interface Group {
  customers: number;
  predictedClv: number;
}

function add(groups: Map<string, Group>, key: string, predictedClv: number) {
  const g = groups.get(key) ?? { customers: 0, predictedClv: 0 };
  g.customers++;
  g.predictedClv += predictedClv;
  groups.set(key, g);
}

export async function tenantReport(
  store: Store,
  tenantId: string,
  options: TenantReportOptions = {},
): Promise<TenantReport> {
  const tenant = await getTenant(store, tenantId);
  const model = await getModel(store, tenantId);
  let clvs = new Float64Array(1024);
  let customers = 0;
  let predictedTotal = 0;
  let historicTotal = 0;
  let highChurn = 0;
  const tiers = new Map<string, Group>(TIERS.map((t) => [t, { customers: 0, predictedClv: 0 }]));
  const segments = new Map<string, Group>();
  const top = new TopN(options.top ?? 10, byPredictedClv);
  const recent = new TopN(options.recent ?? 10, byRecentChange);
  for await (const page of scorePages(store, tenantId, options.pageSize)) {
    for (const s of page) {
      const clv = s.fields.predicted_clv;
      if (customers === clvs.length) {
        const grown = new Float64Array(clvs.length * 2);
        grown.set(clvs);
        clvs = grown;
      }
      clvs[customers++] = clv;
      predictedTotal += clv;
      historicTotal += s.fields.historic_clv;
      if (s.fields.churn_risk === 'high') highChurn++;
      add(tiers, s.fields.tier, clv);
      add(segments, s.fields.segment, clv);
      top.offer(s);
      if (s.lastChange) recent.offer(s);
    }
  }
  const sorted = clvs.subarray(0, customers).sort();
  return {
    tenantId,
    currency: tenant.currency,
    generatedAt: new Date(options.now ?? Date.now()).toISOString(),
    customers,
    totals: { predictedClv: cents(predictedTotal), historicClv: cents(historicTotal) },
    medianPredictedClv: median(sorted),
    highChurnShare: customers ? highChurn / customers : null,
    model: modelSummary(model),
    insufficientData: insufficientDataReasons(model),
    clvHistogram: clvHistogram(sorted, options.bins),
    tiers: [...tiers].map(([tier, g]) => ({
      tier,
      customers: g.customers,
      predictedClv: cents(g.predictedClv),
    })),
    segments: [...segments]
      .map(([segment, g]) => ({ segment, customers: g.customers, predictedClv: cents(g.predictedClv) }))
      .sort((a, b) => b.predictedClv - a.predictedClv || b.customers - a.customers),
    topCustomers: top.result().map((s) => ({
      customerId: s.customerId,
      emails: emailsOf(s.identities),
      predictedClv: s.fields.predicted_clv,
      historicClv: s.fields.historic_clv,
      churnRisk: s.fields.churn_risk,
      pAlive: s.fields.p_alive,
      tier: s.fields.tier,
      segment: s.fields.segment,
    })),
    referrals: model?.referrals ?? null,
    recentChanges: recent.result().map((s) => ({
      customerId: s.customerId,
      emails: emailsOf(s.identities),
      scoredAt: s.lastChange!.at,
      predictedClv: s.fields.predicted_clv,
      previousPredictedClv: s.lastChange!.previousPredictedClv,
      tier: s.fields.tier,
      previousTier: s.lastChange!.previousTier,
    })),
  };
}
