/**
 * Runs the Shopify CLI's own checks on app configuration files, offline, in a
 * child process (app-config-rules.ts starts it, so the bundle's process-wide state
 * stays out of the test worker): stdin is a JSON list of TOML texts, the last
 * line of stdout a JSON list of the CLI's messages for each (empty: valid).
 *
 * Why not `shopify app config validate`: in CLI 3.94.3 that command loads the
 * project and its active config, then links to the app in the Dev Dashboard
 * (it asks accounts.shopify.com for a device code: a login) before it reports.
 * Why not an import: @shopify/cli ships @shopify/app bundled into
 * dist/index.js and exports none of it. So this module appends an `export` of
 * the loader's own functions to that file as Node loads it (a load hook), and
 * runs the command's steps with the CLI's local specifications in place of the
 * remote ones. The names are esbuild's minified names in 3.94.3: pinned below,
 * each checked against the source text it must name, so an upgrade fails here
 * with a message rather than checking nothing.
 *
 * What is left to Shopify's servers (so not checked offline): the topic and
 * scope names, and the extra JSON-schema contracts a login fetches for some
 * modules. test/contract/shopify-app-toml.test.ts checks topics and scopes
 * against Shopify's published Admin schema instead.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync, realpathSync } from 'node:fs';
import { createRequire, registerHooks } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const PINNED_VERSION = '3.94.3';

/**
 * Our name → [the bundle's name, text that must appear in dist/index.js for
 * that name to be the function we mean]. Where a comment names a source file, it is
 * in github.com/Shopify/cli packages/app/src/cli.
 */
const PINNED = {
  // models/project/project.ts: Project.load(directory) reads every app, extension and web TOML.
  Project: ['iN', 'iN=class e{static async load(t){'],
  // models/project/active-config.ts: selectActiveConfig(project, configName).
  selectActiveConfig: ['qge', 'async function qge(e,t,n){'],
  // The project's load errors that concern the selected config: what the command reports before linking.
  errorsForConfig: ['O9t', 'function O9t(e,t){'],
  // models/extensions/load-specifications.ts: loadLocalExtensionsSpecifications().
  localSpecifications: ['qU', 'async function qU(){'],
  // models/app/loader.ts: loadAppFromContext: the app schema, then every config module's own schema.
  loadAppFromContext: ['tU', 'async function tU(e){let{project:t,activeConfig:n,specifications:r'],
  // `[path]: message`, as the validate command prints an issue.
  formatIssue: [
    'aN',
    'function aN(e){return e.path?.length?`[${e.path.join(".")}]: ${e.message}`:e.message}',
  ],
} as const;

interface CliError {
  file?: string;
  message: string;
  path?: (string | number)[];
}
interface CliBundle {
  Project: { load(dir: string): Promise<unknown> };
  selectActiveConfig(
    project: unknown,
    configName?: string,
    options?: { skipPrompts: boolean },
  ): Promise<{
    file: unknown;
  }>;
  errorsForConfig(project: unknown, file: unknown): CliError[];
  localSpecifications(): Promise<unknown[]>;
  loadAppFromContext(context: {
    project: unknown;
    activeConfig: unknown;
    specifications: unknown[];
    remoteFlags: string[];
  }): Promise<{ errors: { getErrors(): CliError[] } }>;
  formatIssue(error: CliError): string;
}

async function loadCliBundle(): Promise<CliBundle> {
  const require = createRequire(import.meta.url);
  const pkg = JSON.parse(readFileSync(require.resolve('@shopify/cli/package.json'), 'utf8')) as {
    version: string;
  };
  if (pkg.version !== PINNED_VERSION)
    throw new Error(
      `@shopify/cli is ${pkg.version}; validate-app-config.ts names the functions of ${PINNED_VERSION}: re-pin them`,
    );
  // The realpath: node_modules may be a symlink, and the hook sees the resolved URL.
  const bundle = pathToFileURL(
    realpathSync(join(require.resolve('@shopify/cli/package.json'), '../dist/index.js')),
  );
  const source = readFileSync(bundle, 'utf8');
  for (const [ours, [, text]] of Object.entries(PINNED))
    if (!source.includes(text))
      throw new Error(`@shopify/cli ${PINNED_VERSION} bundle: ${ours} is no longer \`${text}\`: re-pin it`);
  const exports = Object.entries(PINNED)
    .map(([ours, [theirs]]) => `${theirs} as ${ours}`)
    .join(',');
  registerHooks({
    load(url, context, nextLoad) {
      if (url !== bundle.href) return nextLoad(url, context);
      return { format: 'module', source: `${source}\nexport{${exports}};\n`, shortCircuit: true };
    },
  });
  return (await import(bundle.href)) as CliBundle;
}

/** The steps of `shopify app config validate` (commands/app/config/validate.ts) up to the login, then the load. */
async function issuesOf(cli: CliBundle, specifications: unknown[], toml: string): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'clv-app-toml-'));
  try {
    await writeFile(join(dir, 'shopify.app.toml'), toml);
    const project = await cli.Project.load(dir);
    const activeConfig = await cli.selectActiveConfig(project, undefined, { skipPrompts: true });
    const projectErrors = cli.errorsForConfig(project, activeConfig.file);
    if (projectErrors.length) return projectErrors.map((e) => e.message);
    const app = await cli.loadAppFromContext({ project, activeConfig, specifications, remoteFlags: [] });
    return app.errors.getErrors().map((e) => cli.formatIssue(e));
  } catch (error) {
    // The CLI's AbortError: a TOML it cannot parse, or "Validation errors in <file>: ..." from the app schema.
    return [(error as Error).message.replaceAll(dir, '<app>')];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const input = JSON.parse(readFileSync(0, 'utf8')) as string[];
const cli = await loadCliBundle();
const specifications = await cli.localSpecifications();
const results = [];
for (const toml of input) results.push(await issuesOf(cli, specifications, toml));
// On a line of its own, last: should the CLI ever print, the reader still finds the answer.
process.stdout.write(`\n${JSON.stringify(results)}\n`);
