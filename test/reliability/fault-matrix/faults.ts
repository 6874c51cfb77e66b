/**
 * The fault matrix's injector: it stands at the two boundaries a Lambda of
 * clv-sync talks through — the DynamoDB DocumentClient's `send` (a Proxy, as
 * crash-consistency.test.ts's dyingStore) and the queue sender (an Enqueue) —
 * and never inside our own code. A clean run records the sequence of calls
 * (command, and what each touches); a faulty run answers call k with one of
 * the failures AWS documents, in the shape the SDK raises it:
 *
 * - TransactionCanceledException, reasons per item (DynamoDB API Reference,
 *   TransactWriteItems, Errors): `ConditionalCheckFailed` where the call
 *   carries a condition, `TransactionConflict` and `ThrottlingError` on
 *   transactions. The message is DynamoDB's own: "Transaction cancelled,
 *   please refer cancellation reasons for specific reasons [None, …]".
 * - ProvisionedThroughputExceededException and InternalServerError on any
 *   call (API Reference, Common Errors / each operation's Errors). AWS says of
 *   an InternalServerError that the request may have succeeded: a write
 *   answered with it here is committed first.
 * - ConditionalCheckFailed is only ever DynamoDB's answer to our condition,
 *   so it is injected the one way it can really come: a twin of this
 *   invocation (Shopify's retry racing the first delivery, SQS's duplicate
 *   delivery) committed the same write an instant earlier and then died.
 *   The write is committed, and this call is answered with the cancellation.
 * - An SQS SendMessage that fails after the DynamoDB write: RequestThrottled
 *   (SQS API Reference, SendMessage, Errors), nothing sent.
 * - A timeout: the invocation is killed after call k; no later call happens
 *   and the invocation counts as failed whatever it returned.
 */
import {
  ConditionalCheckFailedException,
  InternalServerError,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { RequestThrottled } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Store } from '../../../shared/store/store.ts';

export const FAULTS = [
  'ConditionalCheckFailed',
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'InternalServerError',
  'SqsSendFailed',
  'Timeout',
] as const;
export type Fault = (typeof FAULTS)[number];

/** One call across a boundary, as the clean run saw it. */
export interface Boundary {
  index: number;
  kind: 'dynamodb' | 'sqs';
  /** e.g. `TransactWrite(Put OWNER, Put ORDER)`, `Get(EVT)`, `enqueue(score)`. */
  label: string;
  conditional: boolean;
  transaction: boolean;
  write: boolean;
  /** Per item of a transaction: whether it carries a condition (the cancellation reasons' order). */
  itemConditions?: boolean[];
}

/** The faults that can really happen at a call. */
export function faultsAt(b: Boundary): Fault[] {
  if (b.kind === 'sqs') return ['SqsSendFailed', 'Timeout'];
  const out: Fault[] = [];
  if (b.conditional) out.push('ConditionalCheckFailed');
  if (b.transaction) out.push('TransactionConflict', 'ThrottlingError');
  out.push('ProvisionedThroughputExceeded', 'InternalServerError', 'Timeout');
  return out;
}

export class KilledError extends Error {
  override name = 'KilledError';
}

/** What an item is, by its sort key (ORDER, OWNER, EVT, SCORE…) or, for a route, its partition. */
const kindOf = (key: unknown): string => {
  const k = key as { pk?: unknown; sk?: unknown } | undefined;
  if (String(k?.pk ?? '').startsWith('ROUTE#')) return String(k?.pk);
  return String(k?.sk ?? '').split('#')[0] || '?';
};

const WRITES = new Set(['Put', 'Update', 'Delete', 'BatchWrite', 'TransactWrite']);

/** What a DocumentClient command does, for the boundary list and the fault's shape. */
export function describeCommand(command: unknown): Omit<Boundary, 'index' | 'kind'> {
  const c = command as { constructor: { name: string }; input: Record<string, unknown> };
  const name = c.constructor.name.replace(/Command$/, '');
  const input = c.input ?? {};
  const write = WRITES.has(name);
  if (name === 'TransactWrite' || name === 'TransactGet') {
    const items = (input.TransactItems ?? []) as Record<string, Record<string, unknown>>[];
    const parts = items.map((i) => {
      const [op, body] = Object.entries(i)[0]!;
      return { op, body, conditional: op === 'ConditionCheck' || Boolean(body.ConditionExpression) };
    });
    return {
      label: `${name}(${parts.map((p) => `${p.op} ${kindOf(p.body.Item ?? p.body.Key)}`).join(', ')})`,
      conditional: parts.some((p) => p.conditional),
      transaction: true,
      write,
      itemConditions: parts.map((p) => p.conditional),
    };
  }
  let detail = '';
  if (name === 'Get' || name === 'Delete' || name === 'Update') detail = kindOf(input.Key);
  else if (name === 'Put') detail = kindOf(input.Item);
  else if (name === 'Query') {
    const values = (input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
    const pk = String(values[':pk'] ?? values[':t'] ?? '');
    detail = `${input.IndexName ? `${String(input.IndexName)} ` : ''}${pk.replace(/^T#[^#]+/, 'T').replace(/#C#[^#]+/, '#C')}`;
  } else if (name === 'BatchGet' || name === 'BatchWrite') {
    const req = Object.values((input.RequestItems ?? {}) as Record<string, unknown>)[0];
    const list = (name === 'BatchGet' ? (req as { Keys?: unknown[] })?.Keys : (req as unknown[])) ?? [];
    detail = [
      ...new Set(
        list.map((k) =>
          kindOf(
            name === 'BatchGet'
              ? k
              : (Object.values(k as object)[0]?.Item ?? Object.values(k as object)[0]?.Key),
          ),
        ),
      ),
    ].join(',');
  }
  return {
    label: `${name}(${detail})`,
    conditional: Boolean(input.ConditionExpression),
    transaction: false,
    write,
  };
}

const cancelled = (codes: string[]) =>
  new TransactionCanceledException({
    $metadata: {},
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    CancellationReasons: codes.map((Code) =>
      Code === 'None'
        ? { Code }
        : {
            Code,
            Message:
              Code === 'ConditionalCheckFailed'
                ? 'The conditional request failed'
                : Code === 'TransactionConflict'
                  ? 'Transaction is ongoing for the item'
                  : 'Throughput exceeds the current capacity for one or more global secondary indexes.',
          },
    ),
  });

/** The error the SDK raises for `fault` at call `b`. */
export function faultError(fault: Fault, b: Boundary): Error {
  const items = b.itemConditions ?? [];
  switch (fault) {
    case 'ConditionalCheckFailed':
      return b.transaction
        ? cancelled(items.map((c) => (c ? 'ConditionalCheckFailed' : 'None')))
        : new ConditionalCheckFailedException({ $metadata: {}, message: 'The conditional request failed' });
    case 'TransactionConflict':
      // The conflict is on the item another transaction holds: the first, the one all our transactions guard.
      return cancelled(items.map((_, i) => (i === 0 ? 'TransactionConflict' : 'None')));
    case 'ThrottlingError':
      return cancelled(items.map((_, i) => (i === 0 ? 'ThrottlingError' : 'None')));
    case 'ProvisionedThroughputExceeded':
      return new ProvisionedThroughputExceededException({
        $metadata: {},
        message:
          'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
      });
    case 'InternalServerError':
      return new InternalServerError({ $metadata: {}, message: 'Internal server error' });
    case 'SqsSendFailed':
      return new RequestThrottled({ $metadata: {}, message: 'Request is throttled.' });
    case 'Timeout':
      return new KilledError('the invocation was killed by its timeout here');
  }
}

export interface Plan {
  at: number;
  fault: Fault;
}

/**
 * One invocation's boundaries: wrap its store and its senders with `store()`
 * and `sender()`; every call is numbered in arrival order. With a plan, call
 * `plan.at` fails as planned (once); after a Timeout nothing gets through.
 */
export class Injector {
  readonly calls: Boundary[] = [];
  killed = false;
  fired = false;
  /** Calls held until released: how two scorings are made to overlap. */
  hold?: { at: number; until: Promise<void>; reached: () => void };

  readonly plan?: Plan;

  constructor(plan?: Plan) {
    this.plan = plan;
  }

  private async cross<T>(b: Omit<Boundary, 'index'>, run: () => Promise<T>): Promise<T> {
    if (this.killed) throw new KilledError('the invocation was killed by its timeout before this call');
    const boundary: Boundary = { ...b, index: this.calls.length };
    this.calls.push(boundary);
    if (this.hold && this.hold.at === boundary.index) {
      this.hold.reached();
      await this.hold.until;
    }
    if (!this.plan || this.plan.at !== boundary.index) return run();
    this.fired = true;
    const { fault } = this.plan;
    if (fault === 'Timeout') {
      const out = await run();
      this.killed = true;
      return out;
    }
    // Committed first: a twin won the condition (see above), or AWS's "may have succeeded".
    if (fault === 'ConditionalCheckFailed' || (fault === 'InternalServerError' && boundary.write))
      await run();
    throw faultError(fault, boundary);
  }

  store(base: Store): Store {
    const doc = new Proxy(base.doc, {
      get: (target, prop, receiver) => {
        if (prop !== 'send') return Reflect.get(target, prop, receiver) as unknown;
        return (...args: Parameters<DynamoDBDocumentClient['send']>) =>
          this.cross({ kind: 'dynamodb', ...describeCommand(args[0]) }, () =>
            (target.send as (...a: typeof args) => Promise<unknown>)(...args),
          );
      },
    });
    return { ...base, doc };
  }

  sender<M>(name: string, send: (message: M) => Promise<void>): (message: M) => Promise<void> {
    return (message) =>
      this.cross(
        { kind: 'sqs', label: `enqueue(${name})`, conditional: false, transaction: false, write: true },
        () => send(message),
      );
  }

  /**
   * Runs one invocation: it failed when it threw or was killed by its timeout, whatever it answered
   * (API Gateway answers 504, Lambda reports the batch failed). The next invocation starts alive.
   */
  async invoke<T>(run: () => Promise<T>): Promise<{ ok: boolean; value?: T; error?: unknown }> {
    this.killed = false;
    try {
      const value = await run();
      return this.killed ? { ok: false, error: new KilledError('timed out') } : { ok: true, value };
    } catch (error) {
      return { ok: false, error };
    } finally {
      this.killed = false;
    }
  }
}

/**
 * Every (call, fault) a path's clean run admits. A run of calls of one label (the same request per
 * order or per customer, made a few at once) is tried at its first and its last call: the calls between
 * stand in the same place of the same code, and the matrix stays fast enough for `npm test`.
 */
export function casesOf(boundaries: readonly Boundary[]): Plan[] {
  const tried = boundaries.filter(
    (b, i) => boundaries[i - 1]?.label !== b.label || boundaries[i + 1]?.label !== b.label,
  );
  return tried.flatMap((b) => faultsAt(b).map((fault) => ({ at: b.index, fault })));
}
