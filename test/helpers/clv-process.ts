/** Runs the `clv` command in a child process, as a user's shell would, for the end-to-end CLI tests. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(repoRoot, 'bin', 'clv.ts');
const SPAWN_TIMEOUT_MS = 60_000;

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** The environment a child `clv` gets: no progress bar, so stderr carries errors only. */
export function quietEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.CLV_PROGRESS;
  return env;
}

/** Runs `clv args…` in `cwd` (the repository by default) and returns what a shell would see. */
export function clv(args: readonly string[], cwd = repoRoot): Run {
  const run = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    env: quietEnv(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: SPAWN_TIMEOUT_MS,
  });
  if (run.status === null) throw run.error ?? new Error(`clv ${args.join(' ')} was killed (${run.signal})`);
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Parses `clv`'s JSON output, failing with the output shown when it is not JSON. */
export function json(run: Run): Record<string, unknown> {
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}
