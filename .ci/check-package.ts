/**
 * CI's check of `npx serverless package`: the CloudFormation template holds
 * the table (with its index, TTL and point-in-time recovery), every queue with
 * its dead-letter queue, every HTTP route and every function, and each
 * function's bundle is under 1 MB, and the page function carries the web
 * bundle, whose chunks are all in its own package. Each function runs under a role of its own granting only what its
 * code calls (no "*" action or resource), and no secret is in any function's
 * environment: only the names of the SSM parameters holding them. The
 * operations rules (.ci/operations-rules.ts: alarms, queue policy source,
 * table retention, reserved concurrency, route throttling, log retention, the
 * token key's policy) hold too. Exits 1 naming what is missing.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import type { Template } from './operations-rules.ts';
import { FUNCTIONS, operationsProblems } from './operations-rules.ts';

const template = JSON.parse(
  readFileSync('.serverless/cloudformation-template-update-stack.json', 'utf8'),
) as Template;
const resources = template.Resources;
const problems: string[] = [];
const expect = (ok: boolean, what: string) => {
  if (!ok) problems.push(what);
};

const table = resources.Table?.Properties as
  | {
      GlobalSecondaryIndexes?: { IndexName: string }[];
      TimeToLiveSpecification?: { Enabled: boolean };
      PointInTimeRecoverySpecification?: { PointInTimeRecoveryEnabled: boolean };
    }
  | undefined;
expect(resources.Table?.Type === 'AWS::DynamoDB::Table', 'the DynamoDB table');
expect(table?.GlobalSecondaryIndexes?.some((i) => i.IndexName === 'gsi1') ?? false, 'the table index gsi1');
expect(table?.TimeToLiveSpecification?.Enabled === true, 'TTL on the table');
expect(
  table?.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled === true,
  'point-in-time recovery',
);

for (const queue of ['ScoreQueue', 'WritebackQueue', 'BackfillQueue', 'RefitQueue']) {
  const redrive = resources[queue]?.Properties.RedrivePolicy as { deadLetterTargetArn?: unknown } | undefined;
  expect(resources[queue]?.Type === 'AWS::SQS::Queue', `the queue ${queue}`);
  expect(redrive?.deadLetterTargetArn !== undefined, `a dead-letter queue for ${queue}`);
}

const routes = Object.values(resources)
  .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
  .map((r) => String(r.Properties.RouteKey));
for (const route of [
  'POST /shopify/webhooks',
  'POST /shopify/install',
  'GET /shopify/auth',
  'GET /shopify/auth/callback',
  'POST /salesforce/outbound',
  'GET /shopify/app',
  'GET /shopify/app/assets/{file}',
  'GET /api/dashboard',
  'GET /api/settings',
  'PUT /api/settings',
  'GET /api/data-requests',
  'GET /api/data-requests/{exportId}',
])
  expect(routes.includes(route), `the route ${route}`);

const functions = FUNCTIONS;
for (const fn of functions) {
  const logical = `${fn[0]!.toUpperCase()}${fn.slice(1)}LambdaFunction`;
  const props = resources[logical]?.Properties as { Runtime?: string } | undefined;
  expect(props?.Runtime === 'nodejs24.x', `the function ${fn} on nodejs24.x`);
  const bytes = statSync(`.serverless/${fn}.zip`, { throwIfNoEntry: false })?.size;
  expect(
    bytes !== undefined && bytes < 1024 * 1024,
    `a bundle under 1 MB for ${fn} (${bytes ?? 'none'} bytes)`,
  );
  const handler = (props as { Handler?: string } | undefined)?.Handler;
  if (bytes !== undefined && handler) expectChunksComplete(fn, handler);
}

/**
 * Code splitting (esbuild.plugins.ts) puts each function's chunks beside its bundle: its zip must hold every
 * module its code imports by relative path (a missing one fails only when that path is first taken, in
 * production), and none of another function's chunks.
 */
function expectChunksComplete(fn: string, handler: string) {
  const zip = `.serverless/${fn}.zip`;
  const entry = `${handler.slice(0, handler.lastIndexOf('.'))}.mjs`;
  const files = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const modules = files.filter((f) => f.startsWith('functions/') && f.endsWith('.mjs'));
  const own = `${entry.slice(0, -'.mjs'.length)}.chunks/`;
  expect(modules.includes(entry), `${entry} in the ${fn} package`);
  const foreign = modules.filter((f) => f !== entry && !f.startsWith(own));
  expect(foreign.length === 0, `only ${fn}'s own modules in its package (also: ${foreign.join(', ')})`);
  for (const file of modules) {
    const code = execFileSync('unzip', ['-p', zip, file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    for (const [, path] of code.matchAll(/(?:from|import\(?)\s*["'](\.\.?\/[^"']+)["']/g)) {
      const target = posix.normalize(posix.join(posix.dirname(file), path!));
      expect(files.includes(target), `${target}, imported by ${file}, in the ${fn} package`);
    }
  }
}

// The page function serves the web bundle from its own package: without it, the app page cannot load.
const pageFiles = execFileSync('unzip', ['-Z1', '.serverless/dashboardPage.zip'], { encoding: 'utf8' }).split(
  '\n',
);
expect(pageFiles.includes('web/dist/manifest.json'), 'web/dist/manifest.json in the dashboardPage package');
expect(
  pageFiles.filter((f) => /^web\/dist\/.+\.(js|css)\.gz$/.test(f)).length === 2,
  'the gzipped web bundle (JS and CSS) in the dashboardPage package',
);

// Least privilege. The expected grants are what each handler's code calls (the DynamoDB commands in its
// bundle, the queues it sends to); a grant added to one role without a reason here fails the check.
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; NotAction?: unknown };
type RoleProps = { Policies?: { PolicyDocument: { Statement: Statement[] } }[] };
/** A resource reference as a readable string: `ScoreQueue.Arn`, `Table.Arn/index/gsi1`, an ARN. */
const refName = (r: unknown): string => {
  if (typeof r === 'string') return r;
  const o = r as Record<string, unknown>;
  if (o['Fn::GetAtt']) return (o['Fn::GetAtt'] as string[]).join('.');
  if (o['Fn::Sub']) return String(o['Fn::Sub']);
  if (o['Fn::Join']) {
    const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map(refName).join(sep);
  }
  if (o.Ref) return `Ref ${String(o.Ref)}`;
  return JSON.stringify(r);
};
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const parameterArn = (name: string) =>
  `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/clv-sync/ci/${name}`;
const SHOPIFY_SECRET = parameterArn('shopify-api-secret');
const SALESFORCE_SECRETS = [parameterArn('salesforce-client-secret'), parameterArn('salesforce-private-key')];
const expectedGrants: Record<string, { sendsTo: string[]; index: boolean; parameters: string[] }> = {
  shopifyWebhooks: { sendsTo: ['ScoreQueue'], index: true, parameters: [SHOPIFY_SECRET] },
  shopifyAuth: { sendsTo: ['BackfillQueue'], index: false, parameters: [SHOPIFY_SECRET] },
  salesforceOutbound: { sendsTo: ['ScoreQueue'], index: false, parameters: SALESFORCE_SECRETS },
  salesforceEvents: {
    sendsTo: ['ScoreQueue', 'SalesforceEventsFailedQueue'],
    index: false,
    parameters: SALESFORCE_SECRETS,
  },
  backfill: {
    sendsTo: ['WritebackQueue'],
    index: true,
    parameters: [SHOPIFY_SECRET, ...SALESFORCE_SECRETS],
  },
  writeback: { sendsTo: [], index: false, parameters: [SHOPIFY_SECRET, ...SALESFORCE_SECRETS] },
  score: { sendsTo: ['WritebackQueue'], index: false, parameters: [] },
  refit: { sendsTo: ['RefitQueue'], index: false, parameters: [] },
  refitRequests: { sendsTo: ['WritebackQueue'], index: true, parameters: [] },
  dashboardPage: { sendsTo: [], index: false, parameters: [] },
  dashboardApi: { sendsTo: ['RefitQueue'], index: true, parameters: [SHOPIFY_SECRET] },
};
const sameSet = (a: string[], b: string[]) =>
  a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
const roleOwners = new Map<string, string>();
expect(
  !resources.IamRoleLambdaExecution,
  'no shared default role (IamRoleLambdaExecution): give the function a role',
);
for (const fn of functions) {
  const logical = `${fn[0]!.toUpperCase()}${fn.slice(1)}`;
  const props = resources[`${logical}LambdaFunction`]?.Properties as
    { Role?: unknown; Environment?: { Variables?: Record<string, unknown> } } | undefined;
  const roleName = refName(props?.Role).replace(/\.Arn$/, '');
  const role = resources[roleName];
  expect(role?.Type === 'AWS::IAM::Role', `a role of its own for ${fn} (has ${refName(props?.Role)})`);
  expect(
    !roleOwners.has(roleName),
    `${fn} and ${roleOwners.get(roleName)} do not share the role ${roleName}`,
  );
  roleOwners.set(roleName, fn);
  const statements = ((role?.Properties as RoleProps | undefined)?.Policies ?? []).flatMap(
    (p) => p.PolicyDocument.Statement,
  );
  const granted = (action: string) =>
    statements.filter((s) => list(s.Action).includes(action)).flatMap((s) => list(s.Resource).map(refName));
  for (const s of statements) {
    const where = `${fn}'s role (${list(s.Action).join(', ')})`;
    expect(s.Effect === 'Allow' && !s.NotAction, `only Allow statements with Action in ${where}`);
    expect(
      list(s.Action).every((a) => !a.includes('*')),
      `no wildcard action in ${where}`,
    );
    expect(
      list(s.Resource).every((r) => typeof r !== 'string' || r !== '*'),
      `no Resource "*" in ${where}`,
    );
    if (list(s.Action).some((a) => a.startsWith('dynamodb:')))
      expect(
        list(s.Resource)
          .map(refName)
          .every((r) => r === 'Table.Arn' || r === 'Table.Arn/index/gsi1'),
        `${where} on the table (and gsi1) only`,
      );
  }
  const logs = [...granted('logs:CreateLogStream'), ...granted('logs:PutLogEvents')];
  expect(
    logs.length === 2 && logs.every((r) => r === `${logical}LogGroup.Arn`),
    `${fn} logs to its own log group only (has ${logs.join(', ') || 'none'})`,
  );
  const want = expectedGrants[fn]!;
  const sends = granted('sqs:SendMessage').map((r) => r.replace(/\.Arn$/, ''));
  expect(
    sameSet(sends, want.sendsTo),
    `${fn} sends to ${want.sendsTo.join(', ') || 'no queue'} only (may send to ${sends.join(', ') || 'none'})`,
  );
  const dynamo = statements.filter((s) => list(s.Action).some((a) => a.startsWith('dynamodb:')));
  const indexed = dynamo.some((s) => list(s.Resource).map(refName).includes('Table.Arn/index/gsi1'));
  expect(indexed === want.index, `${fn} ${want.index ? 'queries' : 'has no grant on'} the index gsi1`);
  const reads = granted('ssm:GetParameter');
  expect(
    sameSet(reads, want.parameters),
    `${fn} reads the SSM parameters ${want.parameters.join(', ') || 'none'} only (may read ${reads.join(', ') || 'none'})`,
  );
  // Secrets are read from SSM at run time: their values are never in the environment, only their names.
  const env = props?.Environment?.Variables ?? {};
  for (const secret of ['SHOPIFY_API_SECRET', 'SALESFORCE_CLIENT_SECRET', 'SALESFORCE_PRIVATE_KEY'])
    expect(
      !(secret in env),
      `no ${secret} in ${fn}'s environment (its ${secret}_PARAMETER names the SSM parameter)`,
    );
  for (const arn of want.parameters) {
    const name = arn.replace(/^.*:parameter/, '');
    expect(Object.values(env).includes(name), `${fn}'s environment names the parameter ${name}`);
  }
}

problems.push(...operationsProblems(template));

if (problems.length) {
  console.error(`serverless package is missing:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(
  `serverless package: ${Object.keys(resources).length} resources, ${routes.length} routes, ${functions.length} functions, every bundle under 1 MB, one least-privilege role per function, alarms, limits and the token key in place`,
);
