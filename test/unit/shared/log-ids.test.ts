import { describe, expect, it } from 'vitest';
import { loadLogKey, logIdsWith } from '../../../shared/log-ids.ts';
import { SecretNotConfiguredError } from '../../../shared/config/secret-settings.ts';
import { customerIdFor } from '../../../shared/store/identities.ts';

describe('log ids', () => {
  const id = customerIdFor('email:ana@example.com');

  it('are keyed: the same under one key, another under another, never the id itself', () => {
    const a = logIdsWith('key-a');
    expect(a.customer(id)).toBe(logIdsWith('key-a').customer(id));
    expect(a.customer(id)).not.toBe(logIdsWith('key-b').customer(id));
    expect(a.customer(id)).toMatch(/^l[0-9a-f]{32}$/);
    expect(a.customer(id)).not.toContain(id.slice(1));
  });

  it('name an identity by its kind and a keyed id, never its value', () => {
    const logged = logIdsWith('key-a').identity('email:ana@example.com');
    expect(logged).toMatch(/^email l[0-9a-f]{32}$/);
    expect(logged).not.toContain('ana');
  });

  it('come from CLV_LOG_KEY; a parameter named but missing fails the build as other secrets do', async () => {
    expect((await loadLogKey({ env: { CLV_LOG_KEY: 'key-a' } })).customer(id)).toBe(
      logIdsWith('key-a').customer(id),
    );
    const ssm = async () => ({ get: async () => undefined }) as never;
    await expect(
      loadLogKey({ env: { CLV_LOG_KEY_PARAMETER: '/clv-sync/dev/log-key' }, ssm }),
    ).rejects.toThrow(SecretNotConfiguredError);
  });
});
