/**
 * Salesforce setup: deploys the CLV fields on Contact and Account, the CLV
 * permission sets, and the outbound message + record-triggered flow that send
 * activated Orders to clv-sync, in one Metadata API deploy (all or nothing:
 * `rollbackOnError`). Deploying the same package again succeeds and changes
 * nothing, so setup can be rerun, e.g. to point the outbound message at a new
 * endpoint.
 *
 *   const result = await deploySalesforceSetup(conn, { outboundEndpoint: 'https://…/salesforce/outbound' });
 *
 * Page layouts are not deployed: a Layout deploy replaces the whole layout, so
 * the CLV section ships in `metadata/layouts/` for an admin to add (see
 * metadata/README.md).
 */
import { TransientError } from '../../shared/errors.ts';
import type { Connection } from 'jsforce';
import type { PackageMember } from './metadata-package.ts';
import { buildSetupPackage } from './metadata-package.ts';

/** The Metadata API version the package is written for (package.xml `<version>`). */
export const SALESFORCE_API_VERSION = '62.0';

export interface SalesforceSetupOptions {
  /** Where Salesforce POSTs the Order outbound messages: clv-sync's `/salesforce/outbound` route. */
  outboundEndpoint: string;
  /**
   * Username the outbound message is sent as (its `integrationUser`); by
   * default the user `conn` is logged in as. When that cannot be found out,
   * the outbound message and its flow are left out (see `warnings`).
   */
  integrationUser?: string;
  /** Between deploy status checks (default 2 s). */
  pollIntervalMs?: number;
  /** Give up waiting after this long (default 10 minutes); the deploy itself goes on in Salesforce. */
  timeoutMs?: number;
  /** The metadata source to deploy (default: the shipped `integrations/salesforce/metadata/`). */
  metadataDir?: string;
}

export interface DeployedComponent {
  type: string;
  fullName: string;
  created: boolean;
  changed: boolean;
}

export interface SalesforceSetupResult {
  /** The deploy request id (`0Af…`), as Setup › Deployment Status lists it. */
  id: string;
  status: string;
  /** Components deployed (package.xml's own entry not counted). */
  componentSuccesses: number;
  /** Always empty on success; a failed deploy throws SalesforceSetupError. */
  componentFailures: { fileName: string; problem: string }[];
  components: DeployedComponent[];
  /** The outbound message's endpoint and integration user, as deployed; null when it was not. */
  outboundEndpoint: string | null;
  integrationUser: string | null;
  /** Metadata files in the folder that were not deployed (the layout sections, for an admin). */
  notDeployed: string[];
  /** What setup left undone, and why. */
  warnings: string[];
}

/** The setup deploy failed, was rolled back, or did not finish in time. */
export class SalesforceSetupError extends TransientError {
  override name = 'SalesforceSetupError';
  /** The deploy request id, when the deploy was started. */
  readonly id: string | undefined;
  readonly status: string | undefined;
  readonly failures: { fileName: string; problem: string }[];

  constructor(
    message: string,
    details: { id?: string; status?: string; failures?: { fileName: string; problem: string }[] } = {},
  ) {
    super(message);
    this.id = details.id;
    this.status = details.status;
    this.failures = details.failures ?? [];
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Why an endpoint cannot take outbound messages, or undefined when it can. */
export function outboundEndpointProblem(endpoint: string): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return `the outbound endpoint must be an absolute URL, got "${endpoint}"`;
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname))) return undefined;
  return `the outbound endpoint must be an https URL (http only on loopback), got "${endpoint}"`;
}

/** jsforce hands a single element where the WSDL says "array" and there is one. */
function list<T>(value: T | T[] | null | undefined): T[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Metadata types that send Orders to clv-sync: the outbound message and the flow that sends it. */
const OUTBOUND_TYPES = ['Workflow', 'Flow'];

/** The username of a User, by an id already checked to be a well-formed `005…` id. */
export const usernameSoql = (userId: string) => `SELECT Username FROM User WHERE Id = '${userId}'`;

/**
 * The username of the user `conn` is logged in as, from the identity service
 * or, when the token may not read it, from User by the id the login returned.
 */
async function connectedUsername(conn: Connection): Promise<{ username?: string; problem?: string }> {
  try {
    return { username: (await conn.identity()).username };
  } catch (error) {
    const userId = conn.userInfo?.id;
    if (!userId || !/^005\w{12}(\w{3})?$/.test(userId)) return { problem: (error as Error).message };
    try {
      const { records } = await conn.query<{ Username: string }>(usernameSoql(userId));
      if (records[0]?.Username) return { username: records[0].Username };
      return { problem: `no User ${userId}` };
    } catch (queryError) {
      return { problem: `${(error as Error).message}; ${(queryError as Error).message}` };
    }
  }
}

export async function deploySalesforceSetup(
  conn: Connection,
  options: SalesforceSetupOptions,
): Promise<SalesforceSetupResult> {
  const problem = outboundEndpointProblem(options.outboundEndpoint);
  if (problem) throw new SalesforceSetupError(problem);
  const warnings: string[] = [];
  let integrationUser = options.integrationUser;
  if (integrationUser === undefined) {
    const found = await connectedUsername(conn);
    integrationUser = found.username;
    if (!integrationUser) {
      // An outbound message must name the user it is sent as; rather than guess, leave it (and its flow) out.
      warnings.push(
        `the Order outbound message and its flow were not deployed: cannot tell which user Salesforce should send them as (${found.problem}); deploy again with integrationUser (--integration-user)`,
      );
    }
  }
  const pkg = buildSetupPackage(
    { outboundEndpoint: options.outboundEndpoint, integrationUser },
    options.metadataDir,
    { omitTypes: integrationUser ? [] : OUTBOUND_TYPES },
  );

  const { id } = await conn.metadata.deploy(pkg.zip, { singlePackage: true, rollbackOnError: true });
  const pollIntervalMs = options.pollIntervalMs ?? 2000;
  const timeoutMs = options.timeoutMs ?? 600_000;
  const deadline = Date.now() + timeoutMs;
  let result = await conn.metadata.checkDeployStatus(id, true);
  while (!result.done) {
    if (Date.now() > deadline) {
      throw new SalesforceSetupError(
        `deploy ${id} is still ${result.status} after ${timeoutMs} ms; follow it in Setup › Deployment Status`,
        { id, status: result.status },
      );
    }
    await sleep(pollIntervalMs);
    result = await conn.metadata.checkDeployStatus(id, true);
  }

  const failures = list(result.details?.componentFailures).map((m) => ({
    fileName: m.fileName,
    problem: m.problem ?? '',
  }));
  if (!result.success || result.status !== 'Succeeded') {
    const reasons = failures.map((f) => `${f.fileName}: ${f.problem}`);
    if (result.errorMessage) reasons.unshift(result.errorMessage);
    throw new SalesforceSetupError(
      `Salesforce setup deploy ${id} ${result.status}${reasons.length ? `:\n  ${reasons.join('\n  ')}` : ''}`,
      { id, status: result.status, failures },
    );
  }
  const components = list(result.details?.componentSuccesses)
    // Salesforce lists package.xml itself among the successes, with no component type.
    .filter((m) => m.componentType && m.fullName !== 'package.xml')
    .map((m) => ({
      type: m.componentType as string,
      fullName: m.fullName,
      created: m.created,
      changed: m.changed,
    }));
  return {
    id,
    status: result.status,
    componentSuccesses: components.length,
    componentFailures: [],
    components: orderLike(components, pkg.members),
    outboundEndpoint: integrationUser ? options.outboundEndpoint : null,
    integrationUser: integrationUser ?? null,
    notDeployed: pkg.notDeployed,
    warnings,
  };
}

/** Components in package.xml's order (Salesforce reports them in its own). */
function orderLike(components: DeployedComponent[], members: PackageMember[]): DeployedComponent[] {
  const rank = new Map(members.map((m, i) => [`${m.type}:${m.fullName}`.toLowerCase(), i]));
  const at = (c: DeployedComponent) => rank.get(`${c.type}:${c.fullName}`.toLowerCase()) ?? members.length;
  return [...components].sort((a, b) => at(a) - at(b));
}
