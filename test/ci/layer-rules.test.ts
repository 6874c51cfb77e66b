/**
 * The layer rules in eslint.config.js fail on a violation: each case lints one import, as it would stand in a
 * file of that folder, with the project's own configuration.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const used = x;\n`, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer rules', () => {
  it.each([
    ['functions/new-handler.ts', "import { x } from '../sandbox/shopify/index.ts';", 'sandboxes'],
    ['integrations/shopify/new.ts', "import { x } from '../../test/helpers/dynamo.ts';", 'sandboxes, tests'],
    ['shared/pipeline/new.ts', "import { x } from '../../local/stack.ts';", 'local stack'],
    ['cli/commands/new.ts', "import { x } from '../../bench/run.ts';", 'benchmarks'],
    [
      'shared/clv/new.ts',
      "import { x } from '../../integrations/shopify/shopify-app.ts';",
      'shared/ imports nothing',
    ],
    ['shared/pipeline/new.ts', "import { x } from '../../cli/main.ts';", 'shared/ imports nothing'],
    [
      'integrations/salesforce/new.ts',
      "import { x } from '../../functions/score.ts';",
      'never import the handlers',
    ],
    ['integrations/shopify/new.ts', "import { x } from '../../shared/store/keys.ts';", 'tenantStore'],
    ['integrations/shopify/new.ts', "import { x } from '@aws-sdk/lib-dynamodb';", 'inside shared/store/'],
    ['functions/new-handler.ts', "import { x } from '@aws-sdk/client-dynamodb';", 'inside shared/store/'],
    ['shared/pipeline/new.ts', "import { x } from '@aws-sdk/lib-dynamodb';", 'inside shared/store/'],
  ])('%s: %s is refused', async (file, code, reason) => {
    const found = await problems(file, code);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(reason);
  });

  it.each([
    ['shared/store/new.ts', "import { x } from '@aws-sdk/lib-dynamodb';"],
    ['local/new.ts', "import { x } from '../sandbox/shopify/index.ts';"],
    ['test/new.test.ts', "import { x } from '../sandbox/shopify/index.ts';"],
    ['functions/new-handler.ts', "import { x } from '../integrations/shopify/shopify-app.ts';"],
    ['integrations/shopify/new.ts', "import { x } from '../../shared/store/store.ts';"],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await problems(file, code)).toEqual([]);
  });
});
