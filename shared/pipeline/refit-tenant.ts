/**
 * A tenant refit: read every customer's compact history (a page at a time,
 * tens of bytes a customer), choose the purchase model by backtest, fit it
 * and Gamma-Gamma on everyone, store the model with its diagnostics, and
 * rescore every customer, writing in batches only those whose visible fields
 * changed, each with its outbox entries.
 *
 * The histories are the scores', so a customer never scored from all of its
 * orders would be refitted on what it had (or not at all): before reading,
 * the refit scores every customer whose orders changed since its score
 * (profiles.ts), and after its writes, those whose orders changed while it ran.
 */
import type { Purchase, PurchaseModelName } from '../clv/index.ts';
import {
  DAY_MS,
  NoModelFitsError,
  PURCHASE_MODEL_NAMES,
  checkDataSufficiency,
  chooseModelByBacktest,
  dayNumber,
  heuristicRates,
  pooledMeanValue,
  runEngine,
  summarize,
} from '../clv/index.ts';
import { changedFields, crmFields } from '../crm/fields.ts';
import type { ReferralCustomer } from '../segments/index.ts';
import { referralMetrics, segmentCustomers } from '../segments/index.ts';
import { putAll } from '../store/batch.ts';
import type { StoredModel } from '../store/models.ts';
import { removeScoresOfGoneCustomers } from '../store/gone-customers.ts';
import { getModel, putModel, storedEvaluation } from '../store/models.ts';
import { customersBehind, writtenBehind } from '../store/profiles.ts';
import type { StoredScore } from '../store/scores.ts';
import { outboxItem, scoreItem, scorePages } from '../store/scores.ts';
import type { Store } from '../store/store.ts';
import type { TenantSettings } from '../store/tenants.ts';
import { mapLimited } from './map-limited.ts';
import { buildOutbox, lastChange, scoreCustomer, scoringOptions, storedScore } from './score-customer.ts';

/** Backtests run on at most this many customers: model choice needs the shape of the data, not all of it. */
const BACKTEST_CUSTOMERS = 20_000;

export interface RefitReport {
  customers: number;
  method: 'model' | 'heuristic';
  model: string;
  fallbackReason: string | null;
  /** Models ranked above the one used that did not fit the whole history, with why. */
  modelFailures: string[];
  changed: number;
  outboxEntries: number;
  /** Customers merged away or deleted while the refit ran, whose scores it wrote and then removed again. */
  removedGone: number;
  /** Customers scored before the fit because their score was missing or older than their orders. */
  caughtUp: number;
  /** Customers whose orders changed while the refit ran, rescored after its writes with the new model. */
  rescoredAfterWrite: number;
  seconds: number;
  /** Where the time went: reading histories, the backtest, fitting and scoring, writing. */
  phases: { read: number; backtest: number; fitAndScore: number; write: number };
}

interface Known {
  previous: Map<string, StoredScore['fields']>;
  identities: Map<string, string[]>;
  history: Map<string, StoredScore['history']>;
  referredBy: Map<string, NonNullable<StoredScore['referredBy']>>;
  lastChange: Map<string, NonNullable<StoredScore['lastChange']>>;
  /** The order set each score was computed from (0 when it predates the order-set version). */
  orderSet: Map<string, number>;
}

/**
 * Each customer's referrer as one of our customer ids: by the referrer's identities as the scores
 * know them now (the referrer may have bought, or been merged, since the referral was scored), else
 * the id resolved at scoring time. A referrer nobody knows stays an identity key, which
 * referralMetrics counts as ignored.
 */
function referrers(known: Known): Map<string, string> {
  const owner = new Map<string, string>();
  for (const [customerId, identities] of known.identities)
    for (const k of identities) owner.set(k, customerId);
  const out = new Map<string, string>();
  for (const [customerId, link] of known.referredBy) {
    const resolved =
      link.identities.map((k) => owner.get(k)).find((id) => id !== undefined) ??
      (link.customerId !== null && known.identities.has(link.customerId) ? link.customerId : undefined);
    out.set(customerId, resolved ?? link.identities[0] ?? '');
  }
  return out;
}

async function readHistories(
  store: Store,
  tenantId: string,
): Promise<{ purchases: Purchase[]; known: Known }> {
  const purchases: Purchase[] = [];
  const known: Known = {
    previous: new Map(),
    identities: new Map(),
    history: new Map(),
    referredBy: new Map(),
    lastChange: new Map(),
    orderSet: new Map(),
  };
  for await (const page of scorePages(store, tenantId)) {
    for (const s of page) {
      known.previous.set(s.customerId, s.fields);
      known.identities.set(s.customerId, s.identities);
      known.history.set(s.customerId, s.history);
      if (s.referredBy) known.referredBy.set(s.customerId, s.referredBy);
      if (s.lastChange) known.lastChange.set(s.customerId, s.lastChange);
      known.orderSet.set(s.customerId, s.orderSet ?? 0);
      s.history.days.forEach((day, i) => {
        purchases.push({
          customerId: s.customerId,
          at: day * DAY_MS,
          amount: s.history.values[i] as number,
          margin: s.history.margins[i] ?? null,
        });
      });
    }
  }
  return { purchases, known };
}

function backtestSample(purchases: readonly Purchase[], customers: number): Purchase[] {
  if (customers <= BACKTEST_CUSTOMERS) return [...purchases];
  const every = Math.ceil(customers / BACKTEST_CUSTOMERS);
  const keep = new Set<string>();
  let i = 0;
  for (const p of purchases) if (!keep.has(p.customerId) && i++ % every === 0) keep.add(p.customerId);
  return purchases.filter((p) => keep.has(p.customerId));
}

export async function refitTenant(
  store: Store,
  tenant: TenantSettings,
  now = Date.now(),
): Promise<RefitReport> {
  const started = performance.now();
  const lap = (() => {
    let last = performance.now();
    return () => {
      const now = performance.now();
      const seconds = (now - last) / 1000;
      last = now;
      return seconds;
    };
  })();
  let { purchases, known } = await readHistories(store, tenant.tenantId);
  const behind = await customersBehind(store, tenant.tenantId, known.orderSet);
  if (behind.length) {
    const current = await getModel(store, tenant.tenantId);
    await mapLimited(behind, 16, (id) => scoreCustomer(store, tenant, id, current, now));
    ({ purchases, known } = await readHistories(store, tenant.tenantId));
  }
  const read = lap();
  const endDay = dayNumber(now);
  const summaries = summarize(purchases, { observationEnd: now, timeUnit: 'day' });
  const sufficiency = checkDataSufficiency(summaries, endDay);
  let backtest: StoredModel['backtest'] = null;
  let preference: PurchaseModelName[] = ['bgnbd'];
  if (sufficiency.sufficient) {
    try {
      const choice = chooseModelByBacktest(backtestSample(purchases, summaries.length), now, {
        timeUnit: 'day',
      });
      // Ranked by hold-out error: should the winner not fit the whole history, the runner-up is used, not the heuristic.
      preference = [...choice.candidates]
        .sort((a, b) => a.evaluation.mae - b.evaluation.mae)
        .map((c) => c.fitted.model);
      backtest = {
        chosen: preference[0]!,
        calibrationEnd: new Date(choice.calibrationEnd).toISOString().slice(0, 10),
        candidates: choice.candidates.map((c) => storedEvaluation(c.evaluation)),
      };
    } catch (error) {
      if (!(error instanceof NoModelFitsError)) throw error;
      // None fits the calibration period alone; each may still fit the whole history.
      preference = [...PURCHASE_MODEL_NAMES];
    }
  }
  const backtestSeconds = lap();
  const result = runEngine(summaries, endDay, { model: preference, scoring: scoringOptions(tenant) });
  // The backtest's choice is the model in use, so the report's hold-out error is that model's.
  if (backtest && result.purchaseModel) backtest.chosen = result.purchaseModel.model;
  const { segments, tierCuts } = segmentCustomers(summaries, result.scores, endDay, {
    tierThresholds: tenant.tierThresholds,
  });
  // Referral value is measured in predicted CLV as the CRMs show it (never below zero), for everyone alike.
  const referredBy = referrers(known);
  const referrals = referralMetrics(
    result.scores.map((s): ReferralCustomer => ({
      customerId: s.customerId,
      clv: Math.max(0, s.predictedClv),
      referredBy: referredBy.get(s.customerId) ?? null,
    })),
  );
  const version = new Date(now).toISOString();
  const scoredAt = version;
  const writes: Record<string, unknown>[] = [];
  const written = new Map<string, number>();
  let changed = 0;
  let outboxEntries = 0;
  result.scores.forEach((score) => {
    const id = score.customerId;
    const previous = known.previous.get(id);
    const fields = crmFields(score, segments.get(id)!, referrals.customers.get(id));
    const identities = known.identities.get(id) ?? [];
    const outbox = buildOutbox(tenant, id, identities, previous ?? null, fields, scoredAt);
    // Compared field by field: DynamoDB does not keep a map's key order, so serialised forms differ.
    if (previous && !changedFields(previous, fields).length) return;
    changed++;
    outboxEntries += outbox.length;
    const before = previous && { fields: previous, lastChange: known.lastChange.get(id) };
    const stored = storedScore(id, score, fields, identities, known.history.get(id)!, version, scoredAt, {
      referredBy: known.referredBy.get(id) ?? null,
      lastChange: lastChange(before, fields, scoredAt),
      orderSet: known.orderSet.get(id),
    });
    writes.push(scoreItem(tenant.tenantId, stored), ...outbox.map((e) => outboxItem(tenant.tenantId, e)));
    written.set(id, known.orderSet.get(id) ?? 0);
  });
  const fitAndScore = lap();
  await putAll(store, writes);
  const gone = await removeScoresOfGoneCustomers(store, tenant.tenantId, [...written.keys()]);
  // BatchWriteItem cannot be conditional: a scoring that read newer orders meanwhile may have been overwritten.
  const overwritten = await writtenBehind(store, tenant.tenantId, written);
  const write = lap();
  const model: StoredModel = {
    version,
    method: result.fallbackReason ? 'heuristic' : 'model',
    fallbackReason: result.fallbackReason,
    purchaseModel: result.purchaseModel && {
      name: result.purchaseModel.model,
      params: result.purchaseModel.params,
      logLikelihood: result.purchaseModel.logLikelihood,
      customers: result.purchaseModel.customers,
      rows: result.purchaseModel.rows,
      seconds: result.purchaseModel.seconds,
    },
    spendModel: result.spendModel && {
      params: result.spendModel.params,
      logLikelihood: result.spendModel.logLikelihood,
      customers: result.spendModel.customers,
      seconds: result.spendModel.seconds,
    },
    pooledMeanValue: result.purchaseModel ? pooledMeanValue(summaries) : null,
    spendFallbackReason: result.spendFallbackReason,
    backtest,
    heuristicRates: heuristicRates(summaries, endDay),
    sufficiency,
    tierCuts,
    referrals: referrals.tenant,
    observationEndDay: endDay,
    refitSeconds: (performance.now() - started) / 1000,
  };
  await putModel(store, tenant.tenantId, model);
  await mapLimited(overwritten, 16, (id) => scoreCustomer(store, tenant, id, model, now));
  return {
    customers: summaries.length,
    method: model.method,
    model: model.purchaseModel
      ? `${model.purchaseModel.name}+${model.spendModel ? 'gammaGamma' : 'pooledMean'}`
      : 'heuristic',
    fallbackReason: model.fallbackReason,
    modelFailures: result.modelFailures,
    changed,
    outboxEntries,
    removedGone: gone.length,
    caughtUp: behind.length,
    rescoredAfterWrite: overwritten.length,
    seconds: model.refitSeconds,
    phases: { read, backtest: backtestSeconds, fitAndScore, write },
  };
}
