/**
 * Which login URLs the client secret or the signed assertion may be posted to (issue 15, item 18): https
 * on Salesforce's login hosts and My Domain formats (Salesforce Help, "My Domain URL Formats"; the
 * DomainPartition values of OrgDomainLog), and http:// on the loopback address only when the local
 * stack's or the tests' sandbox allowance is on.
 */
import { describe, expect, it } from 'vitest';
import { LOOPBACK_LOGIN_SETTING, loginUrlProblem } from '../../../integrations/salesforce/login-hosts.ts';

const off = {};
const on = { [LOOPBACK_LOGIN_SETTING]: 'true' };

describe('loginUrlProblem', () => {
  it.each([
    'https://login.salesforce.com',
    'https://test.salesforce.com/',
    'https://acme.my.salesforce.com',
    'https://ACME.my.salesforce.com',
    'https://acme--uat.sandbox.my.salesforce.com',
    'https://acme--uat.my.salesforce.com',
    'https://acme-dev-ed.develop.my.salesforce.com',
    'https://fun-app-1234.scratch.my.salesforce.com',
    'https://acme.demo.my.salesforce.com',
    'https://acme.patch.my.salesforce.com',
    'https://acme.trailblaze.my.salesforce.com',
    'https://acme.my.salesforce.com:443',
  ])('takes %s', (url) => {
    expect(loginUrlProblem(url, off)).toBeUndefined();
  });

  it.each([
    ['http://acme.my.salesforce.com', /must be https/],
    ['ftp://acme.my.salesforce.com', /must be https/],
    ['https://evil.example.com', /not a Salesforce login host/],
    ['https://login.salesforce.com.evil.example', /not a Salesforce login host/],
    ['https://acme.my.salesforce.com.evil.example', /not a Salesforce login host/],
    ['https://evil.example/acme.my.salesforce.com', /origin only/],
    ['https://my.salesforce.com', /not a Salesforce login host/],
    ['https://a.b.my.salesforce.com', /not a Salesforce login host/],
    ['https://acme.other.my.salesforce.com', /not a Salesforce login host/],
    ['https://-acme.my.salesforce.com', /not a Salesforce login host/],
    ['https://acme.my.salesforce.com:8443', /origin only/],
    ['https://user:pw@acme.my.salesforce.com', /origin only/],
    ['https://acme.my.salesforce.com/services/oauth2/token', /origin only/],
    ['https://acme.my.salesforce.com?x=1', /origin only/],
    ['http://127.0.0.1:8080', /must be https/],
    ['http://localhost:8080', /must be https/],
    ['not a url', /not a URL/],
  ])('refuses %s', (url, reason) => {
    expect(loginUrlProblem(url, off)).toMatch(reason);
  });

  it('takes the sandbox on the loopback address only with the allowance, and nothing else more', () => {
    for (const url of ['http://127.0.0.1:41234', 'http://localhost:3000/', 'http://[::1]:9000'])
      expect(loginUrlProblem(url, on), url).toBeUndefined();
    for (const url of [
      'http://10.0.0.5:8080',
      'http://169.254.169.254',
      'http://acme.my.salesforce.com',
      'http://127.0.0.1.evil.example',
      'http://127.0.0.1:41234/steal',
    ])
      expect(loginUrlProblem(url, on), url).toBeDefined();
    // Only the exact value turns it on.
    expect(loginUrlProblem('http://127.0.0.1:41234', { [LOOPBACK_LOGIN_SETTING]: '1' })).toMatch(/https/);
  });
});
