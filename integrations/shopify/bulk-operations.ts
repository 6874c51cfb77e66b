/**
 * Shopify bulk operations: start one, wait for it, read its JSONL result as a
 * stream (constant memory, however many orders). Since API 2026-01 an app
 * may run up to five bulk query and five bulk mutation operations per shop
 * at once (https://shopify.dev/docs/api/usage/bulk-operations/queries); a
 * start refused for that limit (LIMIT_REACHED, "Please try again later") is
 * not waited out here — the operations holding the slots may be another
 * job's and take hours — but thrown as BulkOperationsBusyError, which is
 * transient: the queue delivers the message again later.
 */
import { TransientError } from '../../shared/errors.ts';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { AdminClient } from './admin-client.ts';
import { ShopifyUserErrors } from './admin-client.ts';
import {
  BULK_OPERATION_RUN_MUTATION,
  BULK_OPERATION_RUN_QUERY,
  BULK_OPERATION_STATUS,
  RUNNING_BULK_OPERATIONS,
  STAGED_UPLOADS_CREATE,
} from './operations.ts';

export interface BulkOperation {
  id: string;
  status: 'CREATED' | 'RUNNING' | 'COMPLETED' | 'CANCELING' | 'CANCELED' | 'FAILED' | 'EXPIRED';
  errorCode?: string | null;
  objectCount?: string | null;
  url?: string | null;
  partialDataUrl?: string | null;
  type?: 'QUERY' | 'MUTATION';
}

export class BulkOperationFailedError extends TransientError {
  override name = 'BulkOperationFailedError';
}

/** Transient: as many bulk operations as Shopify allows are running on the shop; try again later. */
export class BulkOperationsBusyError extends TransientError {
  override name = 'BulkOperationsBusyError';
  readonly transient = true;
}

/** The codes with which Shopify refuses a start because too many operations run (LIMIT_REACHED since 2026-01). */
const BUSY = new Set(['LIMIT_REACHED', 'OPERATION_IN_PROGRESS']);

export interface PollOptions {
  sleep?: (ms: number) => Promise<void>;
  /** Between status checks; Shopify suggests polling no more than every few seconds. */
  intervalMs?: number;
  /** Give up waiting after this long (the caller resumes later from the stored operation id). */
  timeoutMs?: number;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const FINISHED = new Set(['COMPLETED', 'CANCELED', 'FAILED', 'EXPIRED']);

type RunPayload = { bulkOperation: BulkOperation | null; userErrors: ShopifyUserErrors['userErrors'] };

async function start(
  client: AdminClient,
  type: 'QUERY' | 'MUTATION',
  run: () => Promise<RunPayload>,
): Promise<BulkOperation> {
  const payload = await run();
  if (payload.bulkOperation && !payload.userErrors.length) return payload.bulkOperation;
  const operation = `bulkOperationRun${type === 'QUERY' ? 'Query' : 'Mutation'}`;
  if (!payload.userErrors.some((e) => e.code && BUSY.has(e.code)))
    throw new ShopifyUserErrors(operation, payload.userErrors);
  const { bulkOperations } = await client.request<{
    bulkOperations: { nodes: Pick<BulkOperation, 'id' | 'status'>[] };
  }>(RUNNING_BULK_OPERATIONS, { query: `operation_type:${type.toLowerCase()}` });
  const running = bulkOperations.nodes.filter((op) => !FINISHED.has(op.status)).map((op) => op.id);
  throw new BulkOperationsBusyError(
    `${operation} on ${client.shop}: ${payload.userErrors.map((e) => e.message).join('; ')} ` +
      `(running: ${running.join(', ') || 'none listed'}); it is tried again later`,
  );
}

export function startBulkQuery(client: AdminClient, query: string): Promise<BulkOperation> {
  return start(
    client,
    'QUERY',
    async () =>
      (await client.request<{ bulkOperationRunQuery: RunPayload }>(BULK_OPERATION_RUN_QUERY, { query }))
        .bulkOperationRunQuery,
  );
}

export async function waitForBulkOperation(
  client: AdminClient,
  id: string,
  { sleep = defaultSleep, intervalMs = 2000, timeoutMs = 12 * 60_000 }: PollOptions = {},
): Promise<BulkOperation> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { bulkOperation: node } = await client.request<{ bulkOperation: BulkOperation | null }>(
      BULK_OPERATION_STATUS,
      { id },
    );
    if (!node) throw new BulkOperationFailedError(`bulk operation ${id} is unknown to ${client.shop}`);
    if (FINISHED.has(node.status)) return node;
    if (Date.now() > deadline)
      throw new BulkOperationFailedError(
        `bulk operation ${id} still ${node.status} after ${timeoutMs / 1000} s`,
      );
    await sleep(intervalMs);
  }
}

/** The result file, line by line, as it downloads. */
export async function* jsonlLines(url: string): AsyncGenerator<string> {
  const response = await fetch(url);
  if (!response.ok || !response.body)
    throw new BulkOperationFailedError(`downloading the bulk result failed: HTTP ${response.status}`);
  const lines = createInterface({ input: Readable.fromWeb(response.body), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim()) yield line;
}

/**
 * Runs `mutation` once per line of variables: the JSONL is staged with
 * stagedUploadsCreate, uploaded as the target's form, and named in
 * bulkOperationRunMutation. Returns the finished operation.
 */
export async function runBulkMutation(
  client: AdminClient,
  mutation: string,
  variables: readonly Record<string, unknown>[],
  poll: PollOptions = {},
): Promise<BulkOperation> {
  const staged = await client.request<{
    stagedUploadsCreate: {
      stagedTargets: {
        url: string;
        resourceUrl: string | null;
        parameters: { name: string; value: string }[];
      }[];
      userErrors: ShopifyUserErrors['userErrors'];
    };
  }>(STAGED_UPLOADS_CREATE, {
    input: [
      {
        resource: 'BULK_MUTATION_VARIABLES',
        filename: 'clv-variables.jsonl',
        mimeType: 'text/jsonl',
        httpMethod: 'POST',
      },
    ],
  });
  if (staged.stagedUploadsCreate.userErrors.length)
    throw new ShopifyUserErrors('stagedUploadsCreate', staged.stagedUploadsCreate.userErrors);
  const target = staged.stagedUploadsCreate.stagedTargets[0]!;
  const form = new FormData();
  for (const p of target.parameters) form.append(p.name, p.value);
  form.append(
    'file',
    new Blob([variables.map((v) => JSON.stringify(v)).join('\n') + '\n'], { type: 'text/jsonl' }),
  );
  const upload = await fetch(target.url, { method: 'POST', body: form });
  if (!upload.ok) throw new BulkOperationFailedError(`staged upload failed: HTTP ${upload.status}`);
  const key = target.parameters.find((p) => p.name === 'key')?.value;
  if (!key) throw new BulkOperationFailedError('the staged upload target named no key');
  const started = await start(
    client,
    'MUTATION',
    async () =>
      (
        await client.request<{ bulkOperationRunMutation: RunPayload }>(BULK_OPERATION_RUN_MUTATION, {
          mutation,
          stagedUploadPath: key,
        })
      ).bulkOperationRunMutation,
  );
  const done = await waitForBulkOperation(client, started.id, poll);
  if (done.status !== 'COMPLETED')
    throw new BulkOperationFailedError(
      `bulk mutation ${done.id} ended ${done.status} (${done.errorCode ?? 'no code'})`,
    );
  return done;
}
