/**
 * The operations commands against a running stack, registered lazily: their modules load the AWS SDK
 * (DynamoDB, SQS), which `clv score` and the other file commands must not pay for. `.env` is loaded
 * only when one of them runs.
 */
import type { Values } from '../options.ts';
import type { OperationsDeps } from './stack.ts';

export const OPERATIONS_HELP = `clv backfill (--shop SHOP.myshopify.com | --org 00D…)
clv refit --tenant WORKSPACE [--json]
clv report --tenant WORKSPACE [--top 10] [--json]
clv customer --tenant WORKSPACE (--email ADDRESS | --id CUSTOMER_ID) [--json]`;

export const OPERATIONS_SETTINGS = `The backfill, refit, report and customer commands read CLV_TABLE (and CLV_DYNAMODB_ENDPOINT for
DynamoDB Local), CLV_BACKFILL_QUEUE_URL and CLV_WRITEBACK_QUEUE_URL from the environment or ./.env, and AWS
credentials from the default chain.`;

export type OperationCommand = (
  values: Values,
  args: readonly string[],
  deps: OperationsDeps,
) => Promise<string>;

const lazy =
  (load: () => Promise<OperationCommand>): OperationCommand =>
  async (values, args, deps) => {
    const { loadDotEnv } = await import('./stack.ts');
    if (!deps.env) loadDotEnv();
    return (await load())(values, args, deps);
  };

export const OPERATIONS: Record<string, OperationCommand> = {
  backfill: lazy(async () => (await import('./backfill.ts')).backfillCommand),
  refit: lazy(async () => (await import('./refit.ts')).refitCommand),
  report: lazy(async () => (await import('./report.ts')).reportCommand),
  customer: lazy(async () => (await import('./customer.ts')).customerCommand),
};
