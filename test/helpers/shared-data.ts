/**
 * The workspace's reference data, read in place from `../shared/data` beside the repository (CI checks
 * it out there too), never copied into the project. A test that needs a file fails, not skips, when it
 * is missing: a suite that silently stops checking the engine against the published figures would pass.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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
