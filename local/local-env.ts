/**
 * The local stack's settings: .env, copied from .env.example (working local defaults) on the first run,
 * read by shared/config/env-file.ts, where an empty value means "unset".
 */
import { copyFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { applyEnvFile } from '../shared/config/env-file.ts';

const ENV_FILE = fileURLToPath(new URL('../.env', import.meta.url));
const ENV_EXAMPLE = fileURLToPath(new URL('../.env.example', import.meta.url));

/** `env` without its empty variables: what the functions and their children are given. */
export function withoutEmptyValues(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '',
    ),
  );
}

/** Reads .env into process.env (variables already set win), creating it from .env.example when absent. */
export function loadLocalEnv(log: (line: string) => void): void {
  if (!existsSync(ENV_FILE)) {
    copyFileSync(ENV_EXAMPLE, ENV_FILE);
    log('created .env from .env.example (local defaults; edit it to change ports or the demo tenant)');
  }
  applyEnvFile(ENV_FILE);
}
