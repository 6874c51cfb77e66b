/**
 * What a failed DynamoDB transaction means. TransactWriteItems is cancelled
 * with one reason per item (AWS DynamoDB API Reference, TransactWriteItems,
 * "TransactionCanceledException"): `None`, `ConditionalCheckFailed`,
 * `ItemCollectionSizeLimitExceeded`, `TransactionConflict`,
 * `ProvisionedThroughputExceeded`, `ThrottlingError`, `ValidationError`.
 * Only a cancellation whose every reason is `None` or
 * `ConditionalCheckFailed` is the outcome of our conditions; any other
 * reason (another transaction on the same item, throttling) says nothing
 * about the data and must be retried.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';

/** The cancellation reasons' codes, in item order; undefined when the error is not a cancelled transaction. */
export function cancellationCodes(error: unknown): string[] | undefined {
  if (!isTransactionCanceled(error)) return undefined;
  return (error.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
}

/** True when a transaction was refused by our conditions alone (no conflict, throttle or validation reason). */
export function failedOnCondition(error: unknown): boolean {
  const codes = cancellationCodes(error);
  if (!codes) return false;
  return (
    codes.includes('ConditionalCheckFailed') &&
    codes.every((c) => c === 'None' || c === 'ConditionalCheckFailed')
  );
}

/** The SDK's class, or the same shape deserialised elsewhere (another SDK copy in a bundle, a test's injection). */
function isTransactionCanceled(error: unknown): error is TransactionCanceledException {
  return (
    error instanceof TransactionCanceledException ||
    (error instanceof Error && error.name === 'TransactionCanceledException')
  );
}

/** A single-item write refused by its ConditionExpression (the SDK's class, or the same shape from elsewhere). */
export function isConditionalCheckFailed(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}
