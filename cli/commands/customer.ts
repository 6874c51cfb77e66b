/**
 * `clv customer --tenant T (--email E | --id C)`: one customer as the stack knows it — the CRM fields
 * and how they were computed, its identities, who referred it, and its purchase history — for
 * answering "why does this customer show that CLV?".
 */
import { formatDay } from '../../shared/clv/index.ts';
import type { CrmFields } from '../../shared/crm/fields.ts';
import { findCustomers, partitionItems } from '../../shared/store/identities.ts';
import type { StoredScore } from '../../shared/store/scores.ts';
import type { Values } from '../options.ts';
import { stringOption } from '../options.ts';
import { table } from '../table.ts';
import { UsageError } from '../usage-error.ts';
import type { OperationCommand } from './operations.ts';
import { namedTenant, requiredOption, stackStore, UnknownRecordError } from './stack.ts';

export interface CustomerView {
  tenantId: string;
  customerId: string;
  identities: string[];
  score: Omit<StoredScore, 'history' | 'identities' | 'customerId'> | null;
  purchases: {
    orders: number;
    cancelled: number;
    refunded: number;
    purchaseDays: number;
    firstPurchase: string | null;
    lastPurchase: string | null;
    totalValue: number;
  };
  mergedFrom: string[];
}

function lookup(values: Values): { email?: string; id?: string } {
  const email = stringOption(values, 'email');
  const id = stringOption(values, 'id');
  if (email && id) throw new UsageError('give --email or --id, not both');
  if (!email && !id) throw new UsageError('customer needs --email ADDRESS or --id CUSTOMER_ID');
  return email ? { email } : { id: id! };
}

async function customerView(
  store: ReturnType<typeof stackStore>,
  tenantId: string,
  customerId: string,
): Promise<CustomerView | null> {
  const items = await partitionItems(store, tenantId, customerId);
  const profile = items.find((i) => i.sk === 'PROFILE');
  if (!profile) return null;
  const stored = items.find((i) => i.sk === 'SCORE') as (StoredScore & Record<string, unknown>) | undefined;
  const orders = items.filter((i) => String(i.sk).startsWith('ORDER#'));
  const history = stored?.history;
  let score: CustomerView['score'] = null;
  if (stored)
    score = {
      fields: stored.fields,
      method: stored.method,
      modelVersion: stored.modelVersion,
      scoredAt: stored.scoredAt,
      detail: stored.detail,
      ...(stored.referredBy ? { referredBy: stored.referredBy } : {}),
      ...(stored.lastChange ? { lastChange: stored.lastChange } : {}),
    };
  return {
    tenantId,
    customerId,
    identities: [...((profile.identities as Set<string> | undefined) ?? [])].sort(),
    score,
    purchases: {
      orders: orders.length,
      cancelled: orders.filter((o) => o.cancelled).length,
      refunded: orders.filter((o) => Number(o.refunded ?? 0) > 0).length,
      purchaseDays: history?.days.length ?? 0,
      firstPurchase: history?.days.length ? formatDay(history.days[0]!) : null,
      lastPurchase: history?.days.length ? formatDay(history.days.at(-1)!) : null,
      totalValue: Math.round((history?.values.reduce((a, b) => a + b, 0) ?? 0) * 100) / 100,
    },
    mergedFrom: items.filter((i) => String(i.sk).startsWith('MERGED#')).map((i) => String(i.sk).slice(7)),
  };
}

const FIELD_ORDER: readonly (keyof CrmFields)[] = [
  'predicted_clv',
  'historic_clv',
  'expected_orders',
  'p_alive',
  'churn_risk',
  'next_order_date',
  'segment',
  'tier',
  'referrals',
  'referral_value',
];

function describe(v: CustomerView): string {
  const lines = [
    `Customer ${v.customerId} in workspace ${v.tenantId}`,
    `Identities: ${v.identities.join(', ')}`,
  ];
  if (v.mergedFrom.length) lines.push(`Merged from: ${v.mergedFrom.join(', ')}`);
  const p = v.purchases;
  lines.push(
    `Purchases: ${p.orders} orders (${p.cancelled} cancelled, ${p.refunded} refunded), ${p.purchaseDays} purchase days${p.firstPurchase ? ` from ${p.firstPurchase} to ${p.lastPurchase}` : ''}, ${p.totalValue.toFixed(2)} of order value net of refunds`,
  );
  const s = v.score;
  if (!s)
    return [
      ...lines,
      'Not scored yet: nothing bought (or every order cancelled), or its scoring is still queued.',
    ].join('\n');
  lines.push(
    `Scored ${s.scoredAt} by the ${s.method}${s.modelVersion ? ` (model of ${s.modelVersion})` : ' (before any refit)'}`,
  );
  if (s.referredBy)
    lines.push(
      `Referred by: ${s.referredBy.customerId ?? 'a person who is not a customer yet'} (${s.referredBy.identities.join(', ')})`,
    );
  if (s.lastChange)
    lines.push(
      `Last visible change: ${s.lastChange.at}${s.lastChange.previousPredictedClv === null ? ' (first score)' : `, from predicted CLV ${s.lastChange.previousPredictedClv.toFixed(2)} (${s.lastChange.previousTier})`}`,
    );
  // In the contract's order (DynamoDB does not keep a map's), as the CRM stores them.
  const rows = FIELD_ORDER.map((k) => [k, s.fields[k] === null ? '–' : String(s.fields[k])] as const);
  lines.push(
    '',
    table(['CRM field', 'value'], rows),
    '',
    table(
      ['detail', 'value'],
      [
        ['p_alive (exact)', s.detail.pAlive === null ? '–' : s.detail.pAlive],
        ['churn risk (probability)', s.detail.churnRisk],
        ['expected order value', s.detail.expectedOrderValue],
        ['predicted CLV (unrounded)', s.detail.predictedClv],
      ],
    ),
  );
  return lines.join('\n');
}

export const customerCommand: OperationCommand = async (values, _args, deps) => {
  const env = deps.env ?? process.env;
  const tenantId = requiredOption(values, 'tenant', 'customer', 'WORKSPACE');
  const wanted = lookup(values);
  const store = stackStore(env);
  await namedTenant(store, tenantId);
  const ids = wanted.email ? await findCustomers(store, tenantId, { email: wanted.email }) : [wanted.id!];
  const view = ids[0] ? await customerView(store, tenantId, ids[0]) : null;
  if (!view)
    throw new UnknownRecordError(
      wanted.email
        ? `no customer with email ${wanted.email} in workspace ${tenantId}`
        : `no customer ${wanted.id} in workspace ${tenantId} (merged or deleted customers are gone: look them up by email)`,
    );
  return values.json ? JSON.stringify(view) : describe(view);
};
