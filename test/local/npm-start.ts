/**
 * `npm start` as the README has a newcomer run it, for tests: in a fresh copy of the repository (the files
 * git knows, nothing built, no .env) with the installed node_modules linked in to save the install, as a
 * child process with a newcomer's environment (none of the project's settings, nothing vitest sets), read
 * from its output the way a person reads it. Stopping sends SIGINT to its process group, as Ctrl-C in a
 * terminal does.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { descendantsOf, liveProcesses, type ProcessInfo } from './processes.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A copy of the repository as a clone of it would be (tracked files, and new files not ignored, so that
 * uncommitted work is tested too) in a new temporary directory; `node_modules` is a link to ours.
 */
export function freshCopy(): { dir: string; remove(): void } {
  const parent = mkdtempSync(join(tmpdir(), 'clv-fresh-'));
  const dir = join(parent, 'clv-sync');
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
    .split('\0')
    .filter(Boolean);
  for (const file of new Set(files)) {
    const from = join(ROOT, file);
    try {
      if (!statSync(from).isFile()) continue;
    } catch {
      continue; // deleted in the working tree, not yet in the index
    }
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(from, join(dir, file), { preserveTimestamps: true });
  }
  symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(dir, 'node_modules'), 'dir');
  // CI clones with ../shared beside the clone, and the sandboxes read Salesforce's real field lists there.
  const shared = join(ROOT, '..', 'shared');
  if (existsSync(shared)) symlinkSync(realpathSync(shared), join(parent, 'shared'), 'dir');
  return { dir, remove: () => rmSync(parent, { recursive: true, force: true }) };
}

/**
 * This process's environment as a newcomer's shell would have it: without the project's settings (every
 * name .env.example lists, and the families they belong to) and without what vitest and npm set for us.
 */
export function newcomerEnv(): Record<string, string> {
  const listed = new Set(Object.keys(parseEnv(readFileSync(join(ROOT, '.env.example'), 'utf8'))));
  const ours = /^(CLV_|SHOPIFY_|SALESFORCE_|POWERTOOLS_|AWS_|VITEST|npm_)/;
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || listed.has(name) || ours.test(name)) continue;
    if (['NODE_ENV', 'NODE_OPTIONS', 'LOG_LEVEL', 'TEST', 'FORCE_COLOR'].includes(name)) continue;
    env[name] = value;
  }
  return env;
}

export interface RunningStart {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr, as a terminal shows them). */
  output(): string;
  /** The stack's URL as printed, e.g. http://localhost:3000 */
  url: string;
  /** The demo org's outbound-message URL, with its token, as printed. */
  outboundUrl: string;
  /** The Shopify sandbox's origin, as printed; null when the sandboxes are off. */
  shopifyOrigin: string | null;
  /** Resolves with the exit code (or signal) once the `npm start` process has exited. */
  exited: Promise<number | string>;
  /** Every process it started that is alive now (npm, its shell, node, Java, serverless and its group). */
  processes(): ProcessInfo[];
  /** Ctrl-C: SIGINT to the process group, as a terminal sends it to its foreground job. */
  interrupt(): void;
  /** For cleanup after a failure: SIGKILL to everything it started that is still alive. */
  kill(): void;
}

const READY = 'Ctrl-C stops everything.';

/** Runs `npm start` in `dir` and resolves once it says it is running (or rejects with its output). */
export async function npmStart(
  dir: string,
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<RunningStart> {
  const child = spawn('npm', ['start'], {
    cwd: dir,
    env: options.env ?? newcomerEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, as a terminal's foreground job: interrupt() signals the whole group.
    detached: true,
  });
  let text = '';
  child.stdout!.on('data', (c: Buffer) => void (text += c.toString()));
  child.stderr!.on('data', (c: Buffer) => void (text += c.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  // Remembered while alive: after an exit, /proc no longer tells whose children they were.
  const seen = new Map<number, ProcessInfo>();
  const remember = () => {
    for (const p of descendantsOf(child.pid!)) seen.set(p.pid, p);
  };
  const processes = () => {
    remember();
    const groups = new Set([child.pid!, ...[...seen.values()].map((p) => p.pgrp)]);
    return liveProcesses().filter((p) => p.pid === child.pid || seen.has(p.pid) || groups.has(p.pgrp));
  };
  const signal = (pid: number, s: NodeJS.Signals) => {
    try {
      process.kill(pid, s);
    } catch {
      // Already gone.
    }
  };
  const kill = () => {
    for (const p of processes()) signal(p.pid, 'SIGKILL');
  };

  const timeoutMs = options.timeoutMs ?? 480_000;
  const started = Date.now();
  while (!text.includes(READY)) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`npm start exited (${child.exitCode ?? child.signalCode}) before it was up:\n${text}`);
    if (Date.now() - started > timeoutMs) {
      kill();
      throw new Error(`npm start was not up within ${timeoutMs / 1000} s:\n${text}`);
    }
    remember();
    await new Promise((r) => setTimeout(r, 250));
  }
  remember();
  const find = (pattern: RegExp, what: string) => {
    const match = pattern.exec(text);
    if (!match) throw new Error(`npm start printed no ${what}:\n${text}`);
    return match[1]!;
  };
  const sandbox = /Shopify sandbox (http:\/\/[^\s,]+)/.exec(text);
  return {
    child,
    output: () => text,
    url: find(/clv-sync is running[^\n]*\n\s*(http:\/\/\S+)/, 'URL'),
    outboundUrl: find(/with its token: (http:\/\/\S+?)\)/, 'outbound-message URL'),
    shopifyOrigin: sandbox ? sandbox[1]! : null,
    exited,
    processes,
    interrupt: () => signal(-child.pid!, 'SIGINT'),
    kill,
  };
}
