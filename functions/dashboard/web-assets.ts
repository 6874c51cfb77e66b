/**
 * The built page (web/dist, written by web/build.ts): its manifest, and each file it lists read (and gzipped)
 * once per container. No other name reaches the disk.
 */
import { InternalError } from '../../shared/errors.ts';
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';

/** What web/build.ts writes to web/dist/manifest.json: the hashed names of the entry's JS and CSS. */
export interface WebManifest {
  js: string;
  css: string;
}

export class WebBundleMissingError extends InternalError {
  override name = 'WebBundleMissingError';
}

function readIfExists(url: URL): Buffer | null {
  try {
    return readFileSync(url);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

export function webAssets(dist: URL) {
  let manifest: WebManifest;
  try {
    manifest = JSON.parse(readFileSync(new URL('manifest.json', dist), 'utf8')) as WebManifest;
  } catch {
    throw new WebBundleMissingError(
      `no web bundle in ${dist.pathname}: run \`npm run build:web\` before serving or packaging`,
    );
  }
  const files = new Map<string, { body: Buffer; gzipped: Buffer }>();
  const allowed = new Set([manifest.js, manifest.css]);
  return {
    manifest,
    /** The file's bytes, or null for any name the manifest does not list (no path ever reaches the disk). */
    file(name: string) {
      if (!allowed.has(name)) return null;
      let entry = files.get(name);
      if (!entry) {
        // The build gzips each file at its best level (web/build.ts) and the package ships only that copy:
        // unzipping for the rare browser without gzip costs milliseconds, gzipping on request ten times more.
        const gzipped = readIfExists(new URL(`${name}.gz`, dist));
        const body = gzipped ? gunzipSync(gzipped) : readFileSync(new URL(name, dist));
        files.set(name, (entry = { body, gzipped: gzipped ?? gzipSync(body) }));
      }
      return entry;
    },
  };
}

export type WebAssets = ReturnType<typeof webAssets>;
