/** A tenant's current model: what the last refit chose and fitted, with its diagnostics. */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DataSufficiency, HeuristicRates, HoldoutEvaluation, PurchaseModelName } from '../clv/index.ts';
import type { ReferralUplift, TierCuts } from '../segments/index.ts';
import { keys } from './keys.ts';
import type { Store } from './store.ts';

/**
 * A hold-out evaluation as stored: the correlation is undefined (null) when
 * nobody, or everybody alike, bought in the hold-out — DynamoDB has no NaN.
 */
export type StoredEvaluation = Omit<HoldoutEvaluation, 'correlation'> & { correlation: number | null };

export const storedEvaluation = (e: HoldoutEvaluation): StoredEvaluation => ({
  ...e,
  correlation: Number.isFinite(e.correlation) ? e.correlation : null,
});

export interface StoredModel {
  /** ISO time of the fit; scores carry it as their model version. */
  version: string;
  method: 'model' | 'heuristic';
  fallbackReason: string | null;
  purchaseModel: {
    name: PurchaseModelName;
    params: Record<string, number>;
    logLikelihood: number;
    customers: number;
    rows: number;
    seconds: number;
  } | null;
  spendModel: {
    params: { p: number; q: number; v: number };
    logLikelihood: number;
    customers: number;
    seconds: number;
  } | null;
  /** Stands in for Gamma-Gamma when it had no interior optimum (see shared/clv/score.ts). */
  pooledMeanValue: number | null;
  spendFallbackReason: string | null;
  backtest: { chosen: string; calibrationEnd: string; candidates: StoredEvaluation[] } | null;
  heuristicRates: HeuristicRates;
  sufficiency: DataSufficiency;
  tierCuts: TierCuts;
  /**
   * Referred customers' predicted CLV against the rest's, measured at the refit; absent on models
   * stored before referrals were wired.
   */
  referrals?: ReferralUplift;
  /** Day number the refit observed up to. */
  observationEndDay: number;
  refitSeconds: number;
}

export async function putModel(store: Store, tenantId: string, model: StoredModel): Promise<void> {
  await store.doc.send(
    new PutCommand({ TableName: store.table, Item: { ...keys.model(tenantId), kind: 'model', model } }),
  );
}

export async function getModel(store: Store, tenantId: string): Promise<StoredModel | null> {
  const { pk, sk } = keys.model(tenantId);
  const out = await store.doc.send(
    new GetCommand({ TableName: store.table, Key: { pk, sk }, ConsistentRead: true }),
  );
  return (out.Item?.model as StoredModel | undefined) ?? null;
}
