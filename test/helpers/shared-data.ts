/**
 * The workspace's reference data, read in place from `../shared/data` beside the repository (CI checks
 * it out there too), never copied into the project. A test that needs a file fails, not skips, when it
 * is missing: a suite that silently stops checking the engine against the published figures would pass.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, it } from 'vitest';

const SHARED_DATA = new URL('../../../shared/data/', import.meta.url);

/** The absolute path of `../shared/data/<path>`; throws, saying what to do, when it is not there. */
export function sharedDataFile(path: string): string {
  const file = fileURLToPath(new URL(path, SHARED_DATA));
  if (!existsSync(file))
    throw new Error(
      `${file} not found: this test reads the shared reference data in place. Put the shared folder ` +
        `beside the repository (../shared/data/${path}), as CI does.`,
    );
  return file;
}

/**
 * `beforeAll(setUp)` for a suite that reads the shared data, returning the `it` its tests use: when
 * set-up throws (the data is missing), each test fails with that error, where vitest would otherwise
 * fail the hook and count the tests as skipped.
 */
export function suiteOnSharedData(setUp: () => void, timeout?: number) {
  let failure: unknown;
  beforeAll(() => {
    try {
      setUp();
    } catch (error) {
      failure = error;
    }
  }, timeout);
  return (name: string, body: () => void) =>
    it(name, () => {
      if (failure) throw failure;
      body();
    });
}
