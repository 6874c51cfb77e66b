/** The local stack's settings: .env, copied from .env.example (working local defaults) on the first run. */
import { copyFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ENV_FILE = fileURLToPath(new URL('../.env', import.meta.url));
const ENV_EXAMPLE = fileURLToPath(new URL('../.env.example', import.meta.url));

/** Reads .env into process.env (variables already set win), creating it from .env.example when absent. */
export function loadLocalEnv(log: (line: string) => void): void {
  if (!existsSync(ENV_FILE)) {
    copyFileSync(ENV_EXAMPLE, ENV_FILE);
    log('created .env from .env.example (local defaults; edit it to change ports or the demo tenant)');
  }
  process.loadEnvFile(ENV_FILE);
}
