/**
 * The deployable stack as CloudFormation gets it: `serverless package --stage ci` (offline, no credentials;
 * into .serverless/, as `npm run package:check` does: osls ignores `--package` here), then the rules of .ci/operations-rules.ts over its template, one group per
 * test, and the whole CI check (.ci/check-package.ts: bundles under 1 MB, least-privilege roles) over the
 * same output. Slow (it builds every bundle): about a minute.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Template } from '../../.ci/operations-rules.ts';
import { operationsProblems } from '../../.ci/operations-rules.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const output = join(ROOT, '.serverless');
let template: Template;
let problems: string[];

beforeAll(async () => {
  // The page function's package carries the built dashboard (CI runs the tests before package:check builds it).
  if (!existsSync(join(ROOT, 'web/dist/manifest.json'))) await run('node', ['web/build.ts'], { cwd: ROOT });
  await run('npx', ['serverless', 'package', '--stage', 'ci'], {
    cwd: ROOT,
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  template = JSON.parse(
    readFileSync(join(output, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as Template;
  problems = operationsProblems(template);
}, 900_000);

describe('the packaged CloudFormation template (serverless package --stage ci)', () => {
  it.each([
    [
      'an alarm on every dead-letter queue depth, to a topic the deployer subscribes to',
      /dead-letter queue|AlarmTopic|email/,
    ],
    ["an alarm on every function's errors and throttles", /'s (Errors|Throttles)/],
    ['bounded reserved concurrency on every function, within the default quota', /concurrency|reserves less/],
    [
      'HTTP API throttling, tighter on the outbound route',
      /HTTP API throttling|route throttling|HttpApiStage/,
    ],
    ["a retention on every function's log group", /retention/],
    ['deletion protection and a retain policy on the table', /table/],
    ['an aws:SourceArn condition on the dead-letter queue policy', /aws:SourceArn|queue policy/],
    ['a customer-managed token key only the token roles may use', /TokenKey|kms:|token key|IAM policy/],
  ])('holds %s', (_what, pattern) => {
    expect(problems.filter((p) => pattern.test(p))).toEqual([]);
  });

  it('breaks none of the rules (a rule no group above names included)', () => {
    expect(problems).toEqual([]);
  });

  it("passes CI's whole package check, least-privilege roles included, over the same output", async () => {
    const { stdout } = await run('node', [join(ROOT, '.ci/check-package.ts')], { cwd: ROOT });
    expect(stdout).toMatch(/one least-privilege role per function/);
  });
});
