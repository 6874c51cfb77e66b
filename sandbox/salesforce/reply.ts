/**
 * What a handler answers, and the error bodies Salesforce's REST APIs use.
 * REST errors are a JSON array of `{message, errorCode}` (jsforce, simple-salesforce
 * and every other client parse exactly that); a handler throws `ApiError` and the
 * server writes it, so no handler can forget the shape.
 */

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Records carried by this call (query page, collection, upload), for `sandbox.calls`. */
  records?: number;
}

export interface RestErrorBody {
  message: string;
  errorCode: string;
  fields?: string[];
}

export class ApiError extends Error {
  readonly reply: Reply;
  constructor(reply: Reply, message = `HTTP ${reply.status}`) {
    super(message);
    this.name = 'ApiError';
    this.reply = reply;
  }
}

export function json(status: number, value: unknown, extra: Omit<Reply, 'status' | 'body'> = {}): Reply {
  return {
    ...extra,
    status,
    headers: { 'Content-Type': 'application/json;charset=UTF-8', ...extra.headers },
    body: JSON.stringify(value),
  };
}

/** `[{"message": …, "errorCode": …}]`, Salesforce's REST error body. */
export function restError(status: number, errorCode: string, message: string, fields?: string[]): ApiError {
  const body: RestErrorBody = fields ? { message, errorCode, fields } : { message, errorCode };
  return new ApiError(json(status, [body]), `${errorCode}: ${message}`);
}

export const notFound = () => restError(404, 'NOT_FOUND', 'The requested resource does not exist');

export const invalidSession = () => restError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');

export const requestLimitExceeded = () =>
  restError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');

export const serverUnavailable = () => restError(503, 'SERVER_UNAVAILABLE', 'Server Unavailable');

/** Salesforce's 500: an error id support can look up, in this exact wording. */
export function unknownException(seq: number): ApiError {
  const id = `${1_000_000_000 + seq * 7919}-${10_000 + seq} (${-(1_500_000_000 + seq * 104_729)})`;
  return restError(
    500,
    'UNKNOWN_EXCEPTION',
    `An unexpected error occurred. Please include this ErrorId if you contact support: ${id}`,
  );
}

/** A SOQL error message as Salesforce prints it: the query, a caret under the column, the row and column. */
export function soqlMessage(soql: string, column: number, text: string): string {
  const line = soql.replace(/\s+/g, ' ').trim();
  return `\n${line}\n${' '.repeat(Math.max(0, column - 1))}^\nERROR at Row:1:Column:${column}\n${text}`;
}

/** Salesforce's date-time format in JSON and CSV: `2024-01-31T09:15:00.000+0000`. */
export function sfDateTime(iso: string | number | Date): string {
  return new Date(iso).toISOString().replace('Z', '+0000');
}
