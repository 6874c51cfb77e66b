/**
 * Builds the dashboard page: web/src/main.tsx with React, Polaris and
 * Polaris's CSS bundled from npm (nothing from a CDN but App Bridge, which
 * Shopify requires from its own) into web/dist, with content-hashed names,
 * a gzipped copy of each file (.gz) and a manifest.json the page function
 * reads. Run by `npm run build:web`, before packaging, and by the tests.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { constants, gzipSync } from 'node:zlib';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { WebManifest } from '../functions/dashboard-page.ts';

export const WEB_DIST_DIR = fileURLToPath(new URL('./dist/', import.meta.url));

export async function buildWeb(outdir = WEB_DIST_DIR): Promise<WebManifest & { bytes: number }> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./src/main.tsx', import.meta.url))],
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['chrome120', 'firefox120', 'safari16'],
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    entryNames: '[name]-[hash]',
    outdir,
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const outputs = Object.entries(result.metafile.outputs);
  const find = (ext: string) => {
    const hit = outputs.find(([path]) => path.endsWith(ext));
    if (!hit) throw new Error(`the web build produced no ${ext} file`);
    return hit;
  };
  const [js, jsMeta] = find('.js');
  const [css, cssMeta] = find('.css');
  const manifest: WebManifest = { js: basename(js), css: basename(css) };
  // Gzipped once here, at the best level, so the page function never compresses on a request.
  for (const name of [manifest.js, manifest.css])
    writeFileSync(
      `${outdir}/${name}.gz`,
      gzipSync(readFileSync(`${outdir}/${name}`), { level: constants.Z_BEST_COMPRESSION }),
    );
  writeFileSync(`${outdir}/manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`);
  return { ...manifest, bytes: jsMeta.bytes + cssMeta.bytes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const built = await buildWeb();
  console.log(`web/dist: ${built.js}, ${built.css} (${Math.round(built.bytes / 1024)} KB)`);
}
