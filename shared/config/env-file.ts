/**
 * Reading a `.env` file, for the local stack (`npm start`) and the `clv` command alike.
 *
 * An empty value means "unset", wherever it comes from: `SALESFORCE_PRIVATE_KEY=` in .env, or a variable
 * exported empty in the shell. Node's own loader (process.loadEnvFile) would set such a variable to "", and
 * code that tells "unset" from "set" then sees a value: Powertools Metrics, for one, refuses
 * POWERTOOLS_METRICS_DISABLED="" at module init ("must be a boolean"), which took down every HTTP function.
 */
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

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
