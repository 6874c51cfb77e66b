/**
 * The README and docs/ as a test: every `npx clv` command they give for the file commands (example, fit,
 * evaluate, score), in code blocks and inline, run as written, in the order written (the README, then
 * docs/ by name), in an empty directory. That is a fresh clone without ../shared: a command that needs a
 * file no earlier command wrote fails here.
 * The operations commands (backfill, refit, report, customer) need a running stack and are tested in
 * operations.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clv, quietEnv, repoRoot } from '../helpers/clv-process.ts';

const FILE_COMMANDS = new Set(['example', 'fit', 'evaluate', 'score']);

interface Example {
  command: string;
  section: string;
  file: string;
}

/** `npx clv …` commands of one markdown file, in order, with the `##` section each is in. */
function readmeExamples(markdown: string, file: string): Example[] {
  const found: Example[] = [];
  let section = '';
  let fenced = false;
  let pending = '';
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) {
      fenced = !fenced;
      continue;
    }
    if (fenced) {
      // A shell line continued with a backslash is one command.
      const joined = pending + line.trim();
      if (joined.endsWith('\\')) {
        pending = `${joined.slice(0, -1).trimEnd()} `;
        continue;
      }
      pending = '';
      if (joined.startsWith('npx clv ')) found.push({ command: joined, section, file });
      continue;
    }
    if (line.startsWith('## ')) section = line.slice(3).trim();
    for (const match of line.matchAll(/`(npx clv [^`]+)`/g))
      found.push({ command: (match[1] as string).trim(), section, file });
  }
  return found.filter((e) => FILE_COMMANDS.has(e.command.split(/\s+/)[2] ?? ''));
}

const documents = [
  'README.md',
  ...readdirSync(join(repoRoot, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
];
const examples = documents.flatMap((file) =>
  readmeExamples(readFileSync(join(repoRoot, file), 'utf8'), file),
);

describe('the README’s and docs/’ clv examples, run as written in an empty directory', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'clv-readme-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('give, in "The `clv` command", a history to generate and then fit, evaluate and score it', () => {
    const section = examples
      .filter((e) => e.file === 'README.md' && e.section === 'The `clv` command')
      .map((e) => e.command);
    expect(section.map((c) => c.split(/\s+/)[2])).toEqual(['example', 'fit', 'evaluate', 'score']);
    const written = /--out (\S+)/.exec(section[0] as string)?.[1];
    expect(written).toBeDefined();
    for (const command of section.slice(1)) expect(command).toContain(`--transactions ${written}`);
  });

  it('npx clv is this project’s command, run by its pinned Node, from any directory given --prefix', () => {
    const env = quietEnv();
    // What `npx` puts first on PATH inside the project: its pinned Node, which runs bin/clv.ts.
    env.PATH = `${join(repoRoot, 'node_modules', '.bin')}${delimiter}${env.PATH ?? ''}`;
    env.npm_config_update_notifier = 'false'; // npm's own notices would land on stderr
    // --prefix: npx resolves `clv` in the project while running in `dir`; --offline: never from the registry.
    const run = spawnSync('npx', ['--offline', '--prefix', repoRoot, 'clv', '--help'], {
      cwd: dir,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
    expect(run.error).toBeUndefined();
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^clv — customer lifetime value/);
    // So each example below runs what npx runs (package.json "bin"), without npm's seconds of start-up each.
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { bin: { clv: string } };
    expect(pkg.bin.clv).toBe('bin/clv.ts');
  });

  it.each(examples.map((e) => [e.command]))('%s', (command) => {
    // Split on spaces as a shell would here: the examples use no quotes, globs or variables.
    expect(command).not.toMatch(/["'`$*?;&|<>]/);
    const out = /--out (\S+)/.exec(command)?.[1];
    // An earlier example may have written the same file: this one must write it again.
    if (out) rmSync(join(dir, out), { force: true });
    const run = clv(command.split(/\s+/).slice(2), dir);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).not.toBe('');
    if (out) {
      expect(existsSync(join(dir, out)), out).toBe(true);
      expect(statSync(join(dir, out)).size, out).toBeGreaterThan(0);
    }
  });
});
