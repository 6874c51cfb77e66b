/**
 * The `clv` command reads the same .env as `npm start`, by the same rule: an empty value is unset, and a
 * variable already set in the shell wins. Node's own loader would set `POWERTOOLS_METRICS_DISABLED=""`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDotEnv } from '../../../cli/commands/stack.ts';

const NAMES = ['CLV_DOTENV_EMPTY', 'CLV_DOTENV_SET', 'CLV_DOTENV_SHELL', 'CLV_DOTENV_SHELL_EMPTY'];

describe('clv: loadDotEnv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clv-dotenv-'));
  afterEach(() => {
    for (const name of NAMES) delete process.env[name];
  });

  it('leaves empty values unset, sets the others, and lets the shell win', () => {
    const file = join(dir, '.env');
    writeFileSync(
      file,
      'CLV_DOTENV_EMPTY=\nCLV_DOTENV_SET=from-file\nCLV_DOTENV_SHELL=from-file\nCLV_DOTENV_SHELL_EMPTY=from-file\n',
    );
    process.env.CLV_DOTENV_SHELL = 'from-shell';
    process.env.CLV_DOTENV_SHELL_EMPTY = '';
    loadDotEnv(file);
    expect('CLV_DOTENV_EMPTY' in process.env).toBe(false);
    expect(process.env.CLV_DOTENV_SET).toBe('from-file');
    expect(process.env.CLV_DOTENV_SHELL).toBe('from-shell');
    // Exported empty in the shell is unset too, so the file's value applies.
    expect(process.env.CLV_DOTENV_SHELL_EMPTY).toBe('from-file');
    rmSync(dir, { recursive: true, force: true });
  });
});
