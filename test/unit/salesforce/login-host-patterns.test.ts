import { afterEach, describe, expect, it, vi } from 'vitest';
import { looksLikeSandbox } from '../../../integrations/salesforce/login-hosts.ts';

describe('looksLikeSandbox on a merchant-typed login URL', () => {
  afterEach(() => void vi.restoreAllMocks());

  it.each([
    ['https://acme--uat.my.salesforce.com', true],
    ['https://acme.my.salesforce.com', false],
    ['https://--uat.my.salesforce.com', false],
    ['https://acme--.my.salesforce.com', false],
    ['https://a.b--c.my.salesforce.com', false],
    ['https://acme--uat.sandbox.my.salesforce.com', true],
    ['https://test.salesforce.com', true],
  ])('%s → %s', (url, sandbox) => {
    expect(looksLikeSandbox(url)).toBe(sandbox);
  });

  it('a host longer than DNS allows is refused before any pattern sees it', () => {
    // Every RegExp method runs through exec, so this sees every pattern's input.
    let longest = 0;
    const exec = RegExp.prototype.exec;
    vi.spyOn(RegExp.prototype, 'exec').mockImplementation(function (this: RegExp, text: string) {
      longest = Math.max(longest, String(text).length);
      return exec.call(this, text);
    });
    // A long run of dashes made `^[^.]+--[^.]+\.my\.salesforce\.com$` backtrack quadratically.
    expect(looksLikeSandbox(`https://a${'-'.repeat(20_000)}/`)).toBe(false);
    expect(longest).toBeLessThanOrEqual(253);
  });
});
