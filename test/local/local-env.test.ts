/**
 * The local stack's .env loader (local/local-env.ts): an empty value means unset, whether the file or the
 * shell leaves it empty; a value the shell exports wins over the file, as with Node's own loader.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withoutEmptyValues } from '../../local/local-env.ts';
import { applyEnvFile } from '../../shared/config/env-file.ts';

describe('the local .env loader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clv-env-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, '.env');
  writeFileSync(
    file,
    [
      '# comment',
      'POWERTOOLS_METRICS_DISABLED=',
      'SALESFORCE_PRIVATE_KEY=',
      'LOG_LEVEL=INFO',
      'CLV_TABLE=clv-sync-local',
      'SHOPIFY_API_SECRET=from-file',
      '',
    ].join('\n'),
  );

  it('sets what the file gives, skips its empty values, and lets a non-empty shell value win', () => {
    const env: NodeJS.ProcessEnv = { CLV_TABLE: 'from-shell', SHOPIFY_API_SECRET: '', PATH: '/bin' };
    applyEnvFile(file, env);
    expect(env).toEqual({
      CLV_TABLE: 'from-shell',
      // Exported empty in the shell: unset, so the file's value applies.
      SHOPIFY_API_SECRET: 'from-file',
      LOG_LEVEL: 'INFO',
      PATH: '/bin',
    });
    expect('POWERTOOLS_METRICS_DISABLED' in env).toBe(false);
  });

  it('removes a variable that is empty in the shell and in the file', () => {
    const env: NodeJS.ProcessEnv = { POWERTOOLS_METRICS_DISABLED: '' };
    applyEnvFile(file, env);
    expect('POWERTOOLS_METRICS_DISABLED' in env).toBe(false);
  });

  it('passes no empty variable on to the functions', () => {
    expect(withoutEmptyValues({ A: 'a', B: '', C: undefined })).toEqual({ A: 'a' });
  });
});
