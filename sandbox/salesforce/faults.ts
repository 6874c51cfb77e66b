/**
 * Fault injection: `failNext(kind, n, fault)` makes the next n calls of a kind
 * fail the way Salesforce fails — 503 SERVER_UNAVAILABLE, 500 UNKNOWN_EXCEPTION
 * with an ErrorId, 403 REQUEST_LIMIT_EXCEEDED — or drops the connection with no
 * answer at all. SOAP calls get the same faults as SOAP faults. A faulted call
 * never reaches its handler, so it changes nothing in the org.
 */
import type { SandboxContext } from './context.ts';
import { soapFault } from './metadata-soap.ts';
import type { ApiError } from './reply.ts';
import { requestLimitExceeded, serverUnavailable, unknownException } from './reply.ts';

export type Fault = '503' | '500' | 'limit' | 'drop';

export class FaultPlan {
  private readonly pending = new Map<string, Fault[]>();

  add(kind: string, n: number, fault: Fault): void {
    const queue = this.pending.get(kind) ?? [];
    for (let i = 0; i < n; i++) queue.push(fault);
    this.pending.set(kind, queue);
  }

  /** The fault for this call, if one is queued for its kind. */
  take(kind: string): Fault | undefined {
    return this.pending.get(kind)?.shift();
  }
}

/** The error a fault answers with (not for 'drop', which answers nothing). */
export function faultError(ctx: SandboxContext, kind: string, fault: Exclude<Fault, 'drop'>): ApiError {
  const soap = kind === 'metadata';
  switch (fault) {
    case '503':
      return soap ? soapFault('SERVER_UNAVAILABLE', 'Server Unavailable', 503) : serverUnavailable();
    case 'limit':
      return soap
        ? soapFault('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.')
        : requestLimitExceeded();
    default: {
      const err = unknownException(++ctx.errorSeq);
      if (!soap) return err;
      const message = JSON.parse(String(err.reply.body))[0].message as string;
      return soapFault('UNKNOWN_EXCEPTION', message);
    }
  }
}
