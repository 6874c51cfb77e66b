/**
 * The local stack's settings: .env, copied from .env.example (working local defaults) on the first run.
 *
 * An empty value means "unset", wherever it comes from: `SALESFORCE_PRIVATE_KEY=` in .env, or a variable
 * exported empty in the shell. Node's own loader (process.loadEnvFile) would set such a variable to "", and
 * code that tells "unset" from "set" then sees a value: Powertools Metrics, for one, refuses
 * POWERTOOLS_METRICS_DISABLED="" at module init ("must be a boolean"), which took down every HTTP function.
 */
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';

const ENV_FILE = fileURLToPath(new URL('../.env', import.meta.url));
const ENV_EXAMPLE = fileURLToPath(new URL('../.env.example', import.meta.url));

/**
 * Applies an env file's settings to `env`: a variable already set (non-empty) wins, as with Node's loader;
 * an empty value in the file sets nothing, and a variable left empty either way is removed.
 */
export function applyEnvFile(file: string, env: NodeJS.ProcessEnv = process.env): void {
  for (const [name, value] of Object.entries(parseEnv(readFileSync(file, 'utf8')))) {
    if (env[name]) continue;
    if (value !== '') env[name] = value;
    else delete env[name];
  }
}

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
