/**
 * `clv backfill`: asks the stack to import a shop's (or an org's) order history again, by sending the
 * message the install flow sends (`{tenantId, source}`, functions/backfill.ts) to the backfill queue.
 * The consumer resumes an interrupted or failed import from its checkpoint; a Shopify import that
 * finished is not repeated (the message has no restart flag), which the output says.
 */
import type { BackfillMessage } from '../../shared/pipeline/messages.ts';
import { sqsSender } from '../../shared/queue/sqs-sender.ts';
import { getBackfill } from '../../shared/store/backfills.ts';
import { tenantIdFor } from '../../shared/store/tenants.ts';
import type { Values } from '../options.ts';
import { stringOption } from '../options.ts';
import { UsageError } from '../usage-error.ts';
import type { OperationCommand } from './operations.ts';
import { requireSetting, stackStore, UnknownRecordError } from './stack.ts';

const SHOP = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;
const ORG = /^00D[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/;

function source(values: Values): { kind: 'shopify' | 'salesforce'; id: string } {
  const shop = stringOption(values, 'shop');
  const org = stringOption(values, 'org');
  if (shop && org) throw new UsageError('give --shop or --org, not both: each backfill imports one source');
  if (shop) {
    if (!SHOP.test(shop))
      throw new UsageError(`--shop must be a shop domain like my-store.myshopify.com, got "${shop}"`);
    return { kind: 'shopify', id: shop };
  }
  if (org) {
    if (!ORG.test(org))
      throw new UsageError(`--org must be a Salesforce org id (00D…, 15 or 18 characters), got "${org}"`);
    return { kind: 'salesforce', id: org };
  }
  throw new UsageError('backfill needs --shop SHOP.myshopify.com or --org 00D…');
}

export const backfillCommand: OperationCommand = async (values, _args, deps) => {
  const env = deps.env ?? process.env;
  const { kind, id } = source(values);
  const store = stackStore(env);
  const send =
    deps.sendBackfill ??
    sqsSender<BackfillMessage>(
      requireSetting(env, 'CLV_BACKFILL_QUEUE_URL', "the stack's backfill queue URL"),
      'CLV_BACKFILL_QUEUE_URL',
    );
  const tenantId = await tenantIdFor(store, kind, id);
  if (!tenantId)
    throw new UnknownRecordError(
      kind === 'shopify'
        ? `no workspace is linked to shop ${id}: install the app on the shop first`
        : `no workspace is linked to org ${id}: link it first with clv salesforce link`,
    );
  const previous = await getBackfill(store, tenantId, kind);
  const message: BackfillMessage = { tenantId, source: kind };
  await send(message);
  return [
    `Queued a ${kind === 'shopify' ? 'Shopify' : 'Salesforce'} history import for workspace ${tenantId} (${id}): ${JSON.stringify(message)}`,
    previous
      ? `Previous import: ${previous.status}, ${previous.ordersRecorded} orders recorded, ${previous.customers} customers, updated ${previous.updatedAt}${previous.error ? ` (${previous.error})` : ''}.`
      : 'No earlier import is recorded for it.',
    ...(previous?.status === 'done' && kind === 'shopify'
      ? ['That import finished, so the consumer will skip this request; new orders keep arriving by webhook.']
      : []),
  ].join('\n');
};
