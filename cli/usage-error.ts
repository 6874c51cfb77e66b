import { PermanentError } from '../shared/errors.ts';

/** A command line the `clv` command cannot act on; reported with exit code 2. */
export class UsageError extends PermanentError {
  override name = 'UsageError';
}
