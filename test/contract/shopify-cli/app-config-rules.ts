/**
 * The Shopify CLI's checks of app configuration TOML (validate-app-config.ts),
 * run in a child process whose home is a temporary directory: the CLI keeps
 * its settings under ~/.config, and a test must not write there.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNNER = fileURLToPath(new URL('./validate-app-config.ts', import.meta.url));

/** For each TOML text, the messages `shopify app config validate` reports for it (none: valid). */
export async function shopifyCliIssues(tomls: string[]): Promise<string[][]> {
  const home = await mkdtemp(join(tmpdir(), 'clv-shopify-cli-home-'));
  try {
    const child = spawn(process.execPath, [RUNNER], {
      env: { ...process.env, HOME: home, XDG_CONFIG_HOME: home, SHOPIFY_CLI_NO_ANALYTICS: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.end(JSON.stringify(tomls));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) throw new Error(`validate-app-config.ts exited with ${code}: ${stderr.trim()}`);
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as string[][];
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
