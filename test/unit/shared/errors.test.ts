import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { isPermanent, permanentStatus, PermanentError, TransientError } from '../../../shared/errors.ts';
import { cancellationCodes, failedOnCondition } from '../../../shared/store/dynamo-errors.ts';
import { ForeignCurrencyError } from '../../../shared/store/orders.ts';
import { TenantNotFoundError } from '../../../shared/store/tenants.ts';
import {
  OrderWithoutCustomerError,
  ShopifyPayloadError,
} from '../../../integrations/shopify/payload-errors.ts';

/** A cancelled transaction as the SDK deserialises it (DynamoDB API Reference, TransactWriteItems). */
function cancelled(...codes: string[]) {
  return new TransactionCanceledException({
    $metadata: {},
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

describe('the error taxonomy', () => {
  it('answers bad input with its 4xx and nothing else', () => {
    expect(permanentStatus(new ShopifyPayloadError('bad'))).toBe(400);
    expect(permanentStatus(new OrderWithoutCustomerError('1'))).toBe(422);
    expect(permanentStatus(new ForeignCurrencyError('EUR'))).toBe(422);
    expect(permanentStatus(new TenantNotFoundError('gone'))).toBe(404);
    expect(permanentStatus(z.string().safeParse(1).error)).toBe(400);
    expect(new ShopifyPayloadError('bad').name).toBe('ShopifyPayloadError');
  });

  it('counts unknown errors, SDK errors included, as transient', () => {
    expect(isPermanent(new Error('socket hang up'))).toBe(false);
    expect(isPermanent(new TypeError('x is undefined'))).toBe(false);
    expect(isPermanent(cancelled('ConditionalCheckFailed'))).toBe(false);
    expect(isPermanent(new TransientError('throttled'))).toBe(false);
    expect(isPermanent(new PermanentError('bad'))).toBe(true);
    expect(new TransientError('x').statusCode).toBe(503);
  });
});

describe('a cancelled transaction', () => {
  it('is a condition failure only when every reason is None or ConditionalCheckFailed', () => {
    expect(failedOnCondition(cancelled('ConditionalCheckFailed', 'None'))).toBe(true);
    expect(failedOnCondition(cancelled('None', 'TransactionConflict'))).toBe(false);
    expect(failedOnCondition(cancelled('ConditionalCheckFailed', 'ThrottlingError'))).toBe(false);
    expect(failedOnCondition(cancelled('ProvisionedThroughputExceeded'))).toBe(false);
    expect(failedOnCondition(cancelled('None', 'None'))).toBe(false);
    expect(failedOnCondition(new Error('ConditionalCheckFailed'))).toBe(false);
  });

  it('lists its reasons in item order', () => {
    expect(cancellationCodes(cancelled('None', 'TransactionConflict'))).toEqual([
      'None',
      'TransactionConflict',
    ]);
    expect(cancellationCodes(new Error('x'))).toBeUndefined();
  });
});
