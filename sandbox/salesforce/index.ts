/**
 * A Salesforce org for tests: a loopback server speaking the REST, Bulk API
 * 2.0, OAuth and Metadata SOAP endpoints clv-sync calls through jsforce 3,
 * strictly, with Salesforce's error shapes, so bad input fails here the way it
 * fails against a real org. The org's data, every field write, every call and
 * fault injection are open to the test.
 *
 *   const sf = await startSalesforceSandbox({ clientId: 'clv-sync' });
 *   sf.org.load(generateOrgHistory({ orders: 500, contacts: 120, accounts: 80, seed: 7, currency: 'USD', start, end }));
 *   const conn = new jsforce.Connection({ instanceUrl: sf.instanceUrl, accessToken: sf.issueAccessToken(), version: '62.0' });
 */
import { createPublicKey } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SandboxContext, SandboxHost } from './context.ts';
import type { Fault } from './faults.ts';
import { FaultPlan } from './faults.ts';
import type { RandomFaultOptions } from '../random-faults.ts';
import { RandomFaults } from '../random-faults.ts';
import { KEY_PREFIX, isWellFormedId, orgIdFor } from './ids.ts';
import { issueToken } from './oauth.ts';
import { OrgState } from './org-state.ts';
import type { FieldWrite } from './org-state.ts';
import type { OutboundDelivery, OutboundRequest } from './outbound-sender.ts';
import { sendOutbound } from './outbound-sender.ts';
import type { CallRecord } from './server.ts';
import { createSandboxServer } from './server.ts';

export { generateOrgHistory } from './fixtures.ts';
export type { OrgHistory, OrgHistoryOptions } from './fixtures.ts';
export { OUTBOUND_ACK, isAck, outboundMessage, MAX_NOTIFICATIONS } from './outbound-message.ts';
export type { OutboundMessageInput, OutboundNotification } from './outbound-message.ts';
export { OrgState } from './org-state.ts';
export type { FieldWrite, SfRecord, TokenRecord } from './org-state.ts';
export type { CallRecord } from './server.ts';
export type { Fault } from './faults.ts';
export type { OutboundDelivery, OutboundRequest } from './outbound-sender.ts';
export { writeZip, readZip } from './zip.ts';
export { isWellFormedId, to18 } from './ids.ts';

export interface SalesforceSandboxOptions {
  /** 18-character `00D…` id; derived from clientId when absent. */
  orgId?: string;
  /** The org's release, e.g. '62.0'; versions 31.0 up to it are served. */
  apiVersion?: string;
  /** The connected app's consumer key (JWT `iss`, client_credentials `client_id`). */
  clientId: string;
  /** Enables the client credentials flow. */
  clientSecret?: string;
  /** The connected app's certificate key, for JWT bearer. */
  jwtPublicKeyPem?: string;
  /** A sandbox org (JWT audience https://test.salesforce.com); a production org by default. */
  isSandboxOrg?: boolean;
  /** Experience Cloud site URLs the org has: also valid JWT audiences. */
  experienceSiteUrls?: string[];
  /** DailyApiRequests Max (default 100,000). */
  dailyApiLimit?: number;
  /** Rows per Bulk API 2.0 query results page when the client asks for no maxRecords (default 50,000). */
  bulkQueryPageSize?: number;
}

export interface SalesforceSandbox {
  /** The org's instance URL: the server's origin. */
  instanceUrl: string;
  /** The org's My Domain URL (the same origin): where a tenant's token requests go. */
  loginUrl: string;
  /**
   * Stand-ins for Salesforce's shared login servers, on their own ports: the
   * token endpoint only, where client credentials are refused.
   */
  loginServers: { production: string; sandbox: string };
  /** The JWT audience this org accepts: https://login.salesforce.com, or https://test.salesforce.com for a sandbox. */
  jwtAudience: string;
  orgId: string;
  apiVersion: string;
  stop(): Promise<void>;
  org: OrgState;
  /** Every request, in arrival order, with its answer's status. */
  calls: CallRecord[];
  /** Every committed field write, per record and field. */
  writes: FieldWrite[];
  /** Fault injection for the next n calls of a kind (a `calls[].kind`). */
  failNext(kind: string, n: number, fault: Fault): void;
  /**
   * From now on a seeded share of calls fails at random (sandbox/random-faults.ts);
   * `undefined` stops it. Returns the injector, whose counts say what was injected.
   */
  injectFaults(options: RandomFaultOptions | undefined): RandomFaults | undefined;
  /** Every access token issued so far now answers 401 INVALID_SESSION_ID. */
  expireTokens(): void;
  /** A valid access token, as if a login had happened (for tests that do not exercise OAuth). */
  issueAccessToken(): string;
  /** Delivers outbound messages for records to a listener, as a workflow action would. */
  sendOutbound(request: OutboundRequest): Promise<OutboundDelivery[]>;
  /** Every outbound delivery attempted. */
  outbound: OutboundDelivery[];
}

export async function startSalesforceSandbox(options: SalesforceSandboxOptions): Promise<SalesforceSandbox> {
  const apiVersion = options.apiVersion ?? '62.0';
  if (!/^\d+\.0$/.test(apiVersion)) throw new Error(`apiVersion must look like '62.0', got ${apiVersion}`);
  const orgId = options.orgId ?? orgIdFor(options.clientId);
  if (orgId.length !== 18 || !isWellFormedId(orgId) || !orgId.startsWith(KEY_PREFIX.Organization)) {
    throw new Error(`orgId must be an 18-character 00D… id, got ${orgId}`);
  }
  const org = new OrgState({ orgId, dailyApiLimit: options.dailyApiLimit ?? 100_000 });
  const ctx: SandboxContext = {
    org,
    settings: {
      apiVersion,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      jwtPublicKey: options.jwtPublicKeyPem ? createPublicKey(options.jwtPublicKeyPem) : undefined,
      isSandboxOrg: options.isSandboxOrg ?? false,
      experienceSiteUrls: options.experienceSiteUrls ?? [],
      origin: '',
      bulkQueryPageSize: options.bulkQueryPageSize ?? 50_000,
    },
    cursors: new Map(),
    stores: new Map(),
    errorSeq: 0,
  };
  const faults = new FaultPlan();
  const calls: CallRecord[] = [];
  let random: RandomFaults | undefined;
  const listen = async (host: SandboxHost): Promise<{ server: Server; url: string }> => {
    const server = createSandboxServer(ctx, faults, calls, () => random, host);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  };
  const hosts = [
    await listen('my-domain'),
    await listen('login.salesforce.com'),
    await listen('test.salesforce.com'),
  ];
  const origin = hosts[0]!.url;
  ctx.settings.origin = origin;
  const outbound: OutboundDelivery[] = [];
  const actionId = org.ids.next(KEY_PREFIX.OutboundAction);

  return {
    instanceUrl: origin,
    loginUrl: origin,
    loginServers: { production: hosts[1]!.url, sandbox: hosts[2]!.url },
    jwtAudience: ctx.settings.isSandboxOrg ? 'https://test.salesforce.com' : 'https://login.salesforce.com',
    orgId,
    apiVersion,
    org,
    calls,
    writes: org.writes,
    outbound,
    failNext: (kind, n, fault) => faults.add(kind, n, fault),
    injectFaults: (o) => (random = o ? new RandomFaults(o) : undefined),
    expireTokens: () => {
      for (const t of org.tokens.values()) t.expired = true;
    },
    issueAccessToken: () => issueToken(org, 'test', org.username).token,
    sendOutbound: async (request) => {
      const deliveries = await sendOutbound(org, origin, apiVersion, actionId, request);
      outbound.push(...deliveries);
      return deliveries;
    },
    stop: async () => {
      await Promise.all(
        hosts.map(
          ({ server }) =>
            new Promise<void>((resolve, reject) => {
              server.closeAllConnections();
              server.close((err) => (err ? reject(err) : resolve()));
            }),
        ),
      );
    },
  };
}
