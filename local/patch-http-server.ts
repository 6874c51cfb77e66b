/**
 * How the local stack's preloads (offline-function-errors.ts, offline-admission.ts) change
 * serverless-offline's HTTP server: a module load hook that replaces exact steps of its source
 * (src/events/http/HttpServer.js). serverless-offline has no hook for either change, so the source is
 * patched as it loads; a step that is missing, or found twice, fails the start loudly instead of serving
 * without the patch.
 */
import { registerHooks } from 'node:module';

const HTTP_SERVER = /\/serverless-offline\/src\/events\/http\/HttpServer\.js$/;

export function patchHttpServer(
  patcher: string,
  replacements: readonly (readonly [step: string, replacement: string])[],
  whatToCheck: string,
): void {
  registerHooks({
    load(url, context, nextLoad) {
      const loaded = nextLoad(url, context);
      if (!HTTP_SERVER.test(url)) return loaded;
      let source =
        typeof loaded.source === 'string' ? loaded.source : new TextDecoder().decode(loaded.source);
      const missing = replacements.filter(([step]) => source.split(step).length !== 2).map(([step]) => step);
      if (missing.length > 0)
        throw new Error(
          `${patcher}: ${url} no longer has the step${missing.length > 1 ? 's' : ''} it patches ` +
            `(${missing.join('; ')}); serverless-offline changed: ${whatToCheck}`,
        );
      for (const [step, replacement] of replacements) source = source.replace(step, replacement);
      return { ...loaded, source };
    },
  });
}
