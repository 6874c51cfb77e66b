/**
 * CI's check of `npx serverless package`: the CloudFormation template holds
 * the table (with its index, TTL and point-in-time recovery), every queue with
 * its dead-letter queue, every HTTP route and every function, and each
 * function's bundle is under 1 MB, and the page function carries the web
 * bundle. Exits 1 naming what is missing.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';

type Resource = { Type: string; Properties: Record<string, unknown> };
const template = JSON.parse(
  readFileSync('.serverless/cloudformation-template-update-stack.json', 'utf8'),
) as {
  Resources: Record<string, Resource>;
};
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
])
  expect(routes.includes(route), `the route ${route}`);

const functions = [
  'score',
  'refit',
  'writeback',
  'backfill',
  'shopifyWebhooks',
  'shopifyAuth',
  'salesforceOutbound',
  'salesforceEvents',
  'dashboardPage',
  'dashboardApi',
  'refitRequests',
];
for (const fn of functions) {
  const logical = `${fn[0]!.toUpperCase()}${fn.slice(1)}LambdaFunction`;
  const props = resources[logical]?.Properties as { Runtime?: string } | undefined;
  expect(props?.Runtime === 'nodejs24.x', `the function ${fn} on nodejs24.x`);
  const bytes = statSync(`.serverless/${fn}.zip`, { throwIfNoEntry: false })?.size;
  expect(
    bytes !== undefined && bytes < 1024 * 1024,
    `a bundle under 1 MB for ${fn} (${bytes ?? 'none'} bytes)`,
  );
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

if (problems.length) {
  console.error(`serverless package is missing:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(
  `serverless package: ${Object.keys(resources).length} resources, ${routes.length} routes, ${functions.length} functions, every bundle under 1 MB`,
);
