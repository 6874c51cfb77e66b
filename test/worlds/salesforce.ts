/**
 * The Salesforce world the tests share: a sandbox org (loaded with a
 * generated history when asked), a workspace linked to it whose connected
 * app logs in to the sandbox, and the ways Salesforce reaches the production
 * handlers: outbound messages (SOAP on POST /salesforce/outbound), change
 * events (the EventBridge envelope Event Relay puts on the partner bus), and
 * the write-back queue, flushed until only dead letters are left.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { EventBridgeEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, vi } from 'vitest';
import type { createSalesforceOutboundHandler } from '../../functions/salesforce-outbound.ts';
import { createWritebackHandler } from '../../functions/writeback.ts';
import { backfillSalesforceOrders } from '../../integrations/salesforce/backfill.ts';
import { salesforceConnection } from '../../integrations/salesforce/connection.ts';
import { issueOutboundToken } from '../../integrations/salesforce/outbound-token.ts';
import { deploySalesforceSetup } from '../../integrations/salesforce/setup.ts';
import { createShopifyApp } from '../../integrations/shopify/shopify-app.ts';
import type { LocalQueue, SqsHandler } from '../../local/sqs-queue.ts';
import type { PendingWrite } from '../../shared/store/outbox.ts';
import { isDeadLetter, MAX_WRITE_ATTEMPTS } from '../../shared/store/outbox.ts';
import { outboxEntries } from '../../shared/store/scores.ts';
import type { Store } from '../../shared/store/store.ts';
import type { TenantSettings } from '../../shared/store/tenants.ts';
import { putTenant } from '../../shared/store/tenants.ts';
import type {
  OrgHistory,
  OrgHistoryOptions,
  OutboundNotification,
  SalesforceSandbox,
} from '../../sandbox/salesforce/index.ts';
import {
  generateOrgHistory,
  outboundMessage,
  startSalesforceSandbox,
  to18,
} from '../../sandbox/salesforce/index.ts';
import { apiEvent } from '../helpers/api-event.ts';
import { tenantName, testStore } from '../helpers/dynamo.ts';

export const store = testStore();

/** The functions' logger, silent unless TEST_LOG_LEVEL says otherwise (tests spy on its warn). */
export const testLogger = () =>
  new Logger({
    serviceName: 'clv-test',
    logLevel: (process.env.TEST_LOG_LEVEL as 'ERROR' | undefined) ?? 'SILENT',
  });

/** A workspace's connected app that logs in to the sandbox with client credentials. */
export const connectedApp = (sf: SalesforceSandbox, clientId: string): TenantSettings['salesforce'] => ({
  loginUrl: sf.loginUrl,
  clientId,
  flow: 'client-credentials',
  apiVersion: sf.apiVersion,
});

/** The fields the deployed outbound message sends: its field list in our metadata, as `clv salesforce setup` deploys it. */
export const OUTBOUND_FIELDS = [
  ...readFileSync(
    new URL('../../integrations/salesforce/metadata/workflows/Order.workflow', import.meta.url),
    'utf8',
  ).matchAll(/<fields>([^<]+)<\/fields>/g),
].map((m) => m[1]!);

/** A random, well-formed id with a key prefix (`00D` an org, `801` an Order): unique per test run. */
export const randomSalesforceId = (prefix: string) =>
  to18(
    prefix +
      Array.from(
        { length: 12 },
        () => '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'[Math.floor(Math.random() * 36)],
      ).join(''),
  );

/** An Order's fields billed to `contact` (and its Account, if it has one). */
export const orderBilledTo = (
  contact: { Id: string; AccountId?: string | null },
  fields: Record<string, unknown>,
) => ({ AccountId: contact.AccountId ?? null, BillToContactId: contact.Id, ...fields });

/** The Contact id an outbox entry writes to, if it has one. */
export const contactOf = (e: { identities: string[] }) =>
  e.identities.find((k) => k.startsWith('sfcontact:'))?.slice('sfcontact:'.length);

export type OutboundHandler = ReturnType<typeof createSalesforceOutboundHandler>;

/** POST /salesforce/outbound as API Gateway hands it to the function. */
export function deliverOutbound(
  handler: OutboundHandler,
  body: string,
  query: string,
  headers: Record<string, string> = { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
) {
  return handler(apiEvent({ method: 'POST', path: '/salesforce/outbound', query, headers, body }));
}

/** The org's SOAP callback URLs, as an outbound message names them: each ends in the org's 15-character id. */
export function callbackUrls(instanceUrl: string, orgId: string, apiVersion = '62.0') {
  const org15 = orgId.slice(0, 15);
  return {
    enterpriseUrl: `${instanceUrl}/services/Soap/c/${apiVersion}/${org15}`,
    partnerUrl: `${instanceUrl}/services/Soap/u/${apiVersion}/${org15}`,
  };
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/salesforce/order-change-event.json', import.meta.url), 'utf8'),
) as EventBridgeEvent<'OrderChangeEvent', { payload: Record<string, unknown> }>;
let replayId = 1000;

export interface ChangeEventInput {
  orgId: string;
  changeType: string;
  recordIds: string[];
  entityName?: string;
  /** The field values the event carries: all of them for a CREATE, the changed ones for an UPDATE. */
  fields?: Record<string, unknown>;
  /** The header's changed fields when they are not the carried fields' names. */
  changedFields?: string[];
  commitTimestamp: number;
  eventUuid?: string;
  channelId?: string;
}

/** A change event as Event Relay puts it on the partner event bus (the fixture a real relay delivered, re-addressed). */
export function changeEvent(o: ChangeEventInput): EventBridgeEvent<string, unknown> {
  const event = structuredClone(fixture) as EventBridgeEvent<string, Record<string, unknown>>;
  const entityName = o.entityName ?? 'Order';
  const fields = o.fields ?? {};
  event.id = randomUUID();
  event.source = `aws.partner/salesforce.com/${o.orgId}/${o.channelId ?? to18('0YL5g000000CaGm')}`;
  event['detail-type'] = `${entityName}ChangeEvent`;
  event.time = new Date(o.commitTimestamp).toISOString().replace(/\.\d{3}Z$/, 'Z');
  event.detail = {
    ...event.detail,
    payload: {
      ChangeEventHeader: {
        ...((event.detail.payload as Record<string, unknown>).ChangeEventHeader as object),
        entityName,
        recordIds: o.recordIds,
        changeType: o.changeType,
        changedFields: o.changedFields ?? (o.changeType === 'UPDATE' ? Object.keys(fields) : []),
        commitTimestamp: o.commitTimestamp,
        transactionKey: randomUUID(),
      },
      ...fields,
    },
    event: { replayId: String(++replayId), EventUuid: o.eventUuid ?? randomUUID() },
  };
  return event;
}

/** The write-back consumer for Salesforce targets: its Shopify app is never called. */
type WritebackDeps = Parameters<typeof createWritebackHandler>[0];
export function salesforceWriteback(
  deps: Omit<WritebackDeps, 'shopify'> & Partial<Pick<WritebackDeps, 'shopify'>>,
) {
  return createWritebackHandler({
    shopify: createShopifyApp({ apiKey: 'unused', apiSecret: 'unused', appUrl: 'https://app.clv-sync.test' }),
    ...deps,
  });
}

/** Drains each queue with its consumer, in order: what the pipeline does after the call under test. */
export async function drainAll(...stages: [LocalQueue, SqsHandler][]): Promise<void> {
  for (const [queue, handler] of stages) await queue.drain(handler);
}

/** Flushes until only dead letters are left (each round one flush message, as a new score would send); the rounds taken. */
export async function flushUntilSettled(
  queue: LocalQueue,
  handler: SqsHandler,
  message: { tenantId: string; target: 'shopify' | 'salesforce' },
  on: Store = store,
): Promise<number> {
  for (let round = 1; round <= MAX_WRITE_ATTEMPTS + 2; round++) {
    await queue.send(message);
    await queue.drain(handler);
    const left = await outboxEntries(on, message.tenantId, message.target);
    if ((left as PendingWrite[]).every(isDeadLetter)) return round;
  }
  throw new Error('the outbox still holds live entries after every round');
}

/** A small org's half year (30 orders over 10 Contacts and 5 Accounts, January to June 2024): enough for one handler's tests. */
export const halfYearOrg = (seed: number) => ({
  orders: 30,
  contacts: 10,
  accounts: 5,
  seed,
  start: '2024-01-01',
  end: '2024-06-30',
});

export interface SalesforceWorldOptions {
  /** The workspace's label (its tenant id is tenantName(label)). */
  label: string;
  /** The connected app's consumer key; a tenant-named one by default. */
  clientId?: string;
  clientSecret?: string;
  /** A generated org history loaded into the org (USD unless said). */
  history?: Omit<OrgHistoryOptions, 'currency'> & { currency?: string };
  /** The workspace logs in to the sandbox with client credentials (default: yes). */
  connectedApp?: boolean;
  /** The workspace gets an outbound token, its hash stored, as `clv salesforce link` issues it. */
  outboundToken?: boolean;
  /** More of the workspace's settings. */
  tenant?: Partial<TenantSettings>;
}

/**
 * A scenario's org: the workspace `label`, whose connected app (`<app>-connected-app`, with a secret of its
 * own) logs in to a sandbox loaded with `history`. The e2e and reliability scenarios each start one.
 */
export const scenarioOrg = (
  app: string,
  label: string,
  history: NonNullable<SalesforceWorldOptions['history']>,
  more: Partial<SalesforceWorldOptions> = {},
): SalesforceWorldOptions => ({
  label,
  clientId: `${app}-connected-app`,
  clientSecret: `${app}-client-secret-not-real`,
  history,
  ...more,
});

export interface SalesforceWorld {
  sf: SalesforceSandbox;
  history: OrgHistory | undefined;
  tenant: TenantSettings;
  tenantId: string;
  /** The connected app's secret, as the functions read it from SSM. */
  secrets: () => Promise<{ clientSecret?: string }>;
  /** The workspace's outbound token (its query parameter is `token=…`). */
  outboundToken: { token: string; hash: string } | undefined;
  /** A one-message outbound envelope from the org (or `orgId`), with the org's callback URLs. */
  outboundEnvelope(notifications: OutboundNotification[], orgId?: string): string;
  /** POST /salesforce/outbound with the workspace's token (or `query`). */
  deliverOutbound(handler: OutboundHandler, body: string, query?: string): ReturnType<OutboundHandler>;
  /** A change event from the org, committed at the org's clock unless said. */
  changeEvent(
    o: Omit<ChangeEventInput, 'orgId' | 'commitTimestamp'> & Partial<ChangeEventInput>,
  ): EventBridgeEvent<string, unknown>;
  /** Another workspace whose connected app logs in to the sandbox, linked to an org id of its own (an org routes to one workspace). */
  linkTenant(
    label: string,
    extra?: Partial<TenantSettings>,
  ): Promise<{ tenant: TenantSettings; orgId: string }>;
  /** The CLV fields deployed (`clv salesforce setup`) and the org's orders backfilled by SOQL. */
  importHistory(now: number, outboundEndpoint?: string): ReturnType<typeof backfillSalesforceOrders>;
  stop(): Promise<void>;
}

/** Starts the sandbox org, loads its history and links a workspace to it. */
export async function startSalesforceWorld(o: SalesforceWorldOptions): Promise<SalesforceWorld> {
  const clientId = o.clientId ?? tenantName(`clv-${o.label}`);
  const sf = await startSalesforceSandbox({ clientId, clientSecret: o.clientSecret });
  const history = o.history && generateOrgHistory({ currency: 'USD', ...o.history });
  if (history) sf.org.load(history);
  const token = o.outboundToken ? issueOutboundToken() : undefined;
  const link = (label: string, orgId: string, withApp: boolean, extra?: Partial<TenantSettings>) =>
    putTenant(store, {
      tenantId: tenantName(label),
      salesforceOrgId: orgId,
      currency: 'USD',
      ...(withApp && { salesforce: connectedApp(sf, clientId) }),
      ...extra,
    });
  const tenant = await link(o.label, sf.orgId, o.connectedApp !== false, {
    ...(token && { salesforceOutboundTokenHash: token.hash }),
    ...o.tenant,
  });
  const secrets = async () => ({ clientSecret: o.clientSecret });
  return {
    sf,
    history,
    tenant,
    tenantId: tenant.tenantId,
    secrets,
    outboundToken: token,
    outboundEnvelope: (notifications, orgId = sf.orgId) =>
      outboundMessage({
        orgId,
        actionId: randomSalesforceId('04k'),
        ...callbackUrls(sf.instanceUrl, orgId),
        notifications,
      }),
    deliverOutbound: (handler, body, query = token ? `token=${token.token}` : '') =>
      deliverOutbound(handler, body, query),
    async linkTenant(label, extra) {
      const orgId = randomSalesforceId('00D');
      return { tenant: await link(label, orgId, true, extra), orgId };
    },
    changeEvent: (e) => changeEvent({ orgId: sf.orgId, commitTimestamp: sf.org.now(), ...e }),
    async importHistory(now, outboundEndpoint = 'https://app.clv-sync.test/salesforce/outbound?token=t') {
      const { conn } = await salesforceConnection(tenant, secrets);
      await deploySalesforceSetup(conn, { outboundEndpoint, pollIntervalMs: 5 });
      return backfillSalesforceOrders(store, conn, tenant, { now });
    },
    stop: () => sf.stop(),
  };
}

export interface SalesforceWorldHooks {
  /** Once the world is up (in beforeAll): where a file keeps the parts of it its tests use. */
  started?: (world: SalesforceWorld) => void | Promise<void>;
  /** Before each test, after the spies are restored: where a file empties what it records. */
  reset?: () => void;
  /** Before the sandbox stops (in afterAll): where a file closes what it started beside the world. */
  stopping?: () => void | Promise<void>;
}

/**
 * One world for the whole file: started before its tests, the spies restored and `reset` run before each
 * test, the sandbox stopped after them. Returns the world, for tests that read it after beforeAll.
 */
export function useSalesforceWorld(o: SalesforceWorldOptions, hooks: SalesforceWorldHooks = {}) {
  let world: SalesforceWorld | undefined;
  beforeAll(async () => {
    world = await startSalesforceWorld(o);
    await hooks.started?.(world);
  });
  beforeEach(() => {
    vi.restoreAllMocks();
    hooks.reset?.();
  });
  afterAll(async () => {
    await hooks.stopping?.();
    await world?.stop();
  });
  return (): SalesforceWorld => {
    if (!world) throw new Error('the Salesforce world is read before its beforeAll has run');
    return world;
  };
}
