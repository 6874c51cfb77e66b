/**
 * How serverless-offline's process reports a function that threw (local/offline-function-errors.ts): a line
 * starting with this prefix, then the error's stack. local/stack.ts shows these lines even when
 * serverless-offline's own output is hidden, so a 500 in the terminal always comes with its cause.
 */
export const FUNCTION_ERROR_PREFIX = 'clv-sync local: function';
