/** A single-item write whose refused condition is an answer, not a failure. */
import { isConditionalCheckFailed } from './dynamo-errors.ts';

/** True when the write went through, false when its ConditionExpression refused it; anything else is thrown. */
export async function conditionally(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}
