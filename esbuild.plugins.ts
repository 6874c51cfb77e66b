/**
 * esbuild plugins for serverless-esbuild (`custom.esbuild.plugins`).
 *
 * Why code splitting: a handler imports some dependencies only for some
 * invocations (jsforce for a Salesforce tenant, the SSM client when a secret
 * is not in the environment). Without splitting, esbuild inlines those
 * `import()`s into the one bundle: not run at load, but still read and parsed
 * on every cold start. With splitting each lands in a chunk file that is only
 * read when first imported.
 *
 * Why a plugin: serverless-esbuild builds each function on its own into the
 * shared `functions/` folder and zips, per function, every file of that
 * folder except the other functions' bundles, matched by name prefix
 * (`functions/score.` for score). So each build puts its chunks under
 * `functions/<entry>.chunks/`: its own zip keeps them, the others' drop them,
 * and the relative `import()` paths are the same in the zip as under
 * serverless-offline.
 */
import { basename, extname } from 'node:path';
import type { Plugin } from 'esbuild';

export const chunksBesideEachFunction: Plugin = {
  name: 'chunks-beside-each-function',
  setup(build) {
    const entries = build.initialOptions.entryPoints;
    if (!Array.isArray(entries) || entries.length !== 1 || typeof entries[0] !== 'string') {
      throw new Error(
        'chunks-beside-each-function expects one entry point per build, as serverless-esbuild gives',
      );
    }
    const entry = basename(entries[0], extname(entries[0]));
    build.initialOptions.splitting = true;
    build.initialOptions.chunkNames = `${entry}.chunks/[name]-[hash]`;
  },
};

export default [chunksBesideEachFunction];
