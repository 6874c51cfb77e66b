import { describe, expect, it } from 'vitest';
import {
  issueOutboundToken,
  outboundTokenHash,
  outboundTokenMatches,
} from '../../../integrations/salesforce/outbound-token.ts';
import {
  isTransientSalesforceError,
  withTransientRetry,
} from '../../../integrations/salesforce/transient-retry.ts';

describe('outbound token', () => {
  it('is 256 random bits, stored as its SHA-256, matched only by itself', () => {
    const a = issueOutboundToken();
    const b = issueOutboundToken();
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.token).not.toBe(b.token);
    expect(a.hash).toBe(outboundTokenHash(a.token));
    expect(a.hash).not.toContain(a.token);
    expect(outboundTokenMatches(a.hash, a.token)).toBe(true);
    expect(outboundTokenMatches(a.hash, b.token)).toBe(false);
    expect(outboundTokenMatches(a.hash, a.hash)).toBe(false);
    expect(outboundTokenMatches(a.hash, `${a.token} `)).toBe(false);
    expect(outboundTokenMatches('', a.token)).toBe(false);
  });
});

describe('transient Salesforce failures', () => {
  const named = (name: string, errorCode?: string) =>
    Object.assign(new Error(name), { name, ...(errorCode ? { errorCode } : {}) });

  it('are 503, 500 UNKNOWN_EXCEPTION, dropped connections and timeouts; nothing else', () => {
    expect(isTransientSalesforceError(named('SERVER_UNAVAILABLE', 'SERVER_UNAVAILABLE'))).toBe(true);
    expect(isTransientSalesforceError(named('UNKNOWN_EXCEPTION', 'UNKNOWN_EXCEPTION'))).toBe(true);
    expect(isTransientSalesforceError(named('FetchError'))).toBe(true);
    expect(isTransientSalesforceError(named('AbortError'))).toBe(true);
    expect(isTransientSalesforceError(new Error('Request Timeout'))).toBe(true);
    expect(isTransientSalesforceError(named('INVALID_FIELD', 'INVALID_FIELD'))).toBe(false);
    expect(isTransientSalesforceError(named('REQUEST_LIMIT_EXCEEDED', 'REQUEST_LIMIT_EXCEEDED'))).toBe(false);
    expect(isTransientSalesforceError('503')).toBe(false);
  });

  it('are retried with backoff up to the attempt limit; others are thrown at once', async () => {
    const waits: number[] = [];
    const sleep = async (ms: number) => void waits.push(ms);
    let calls = 0;
    const flaky = async () => {
      if (++calls < 3) throw named('SERVER_UNAVAILABLE', 'SERVER_UNAVAILABLE');
      return 'ok';
    };
    expect(await withTransientRetry(flaky, { sleep })).toBe('ok');
    expect(waits).toEqual([500, 1000]);
    calls = 0;
    await expect(
      withTransientRetry(
        async () => {
          calls++;
          throw named('INVALID_FIELD', 'INVALID_FIELD');
        },
        { sleep },
      ),
    ).rejects.toThrow('INVALID_FIELD');
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      withTransientRetry(
        async () => {
          calls++;
          throw named('FetchError');
        },
        { sleep, maxAttempts: 4 },
      ),
    ).rejects.toThrow('FetchError');
    expect(calls).toBe(4);
  });
});
