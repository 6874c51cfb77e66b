// Lint rules: typescript-eslint's recommended set on top of ESLint's, plus the
// one-way import rule from ARCHITECTURE.md (shared/ imports nothing of ours outside it).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.serverless/**',
      '.esbuild/**',
      'coverage/**',
      'bench/results/**',
      'web/dist/**',
      'artifacts/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  // Layers (ARCHITECTURE.md): functions → integrations → shared, one way. Product code (what Lambda and the
  // CLI run, and the dashboard) never imports the sandboxes, the tests, the local stack or the benchmarks;
  // DynamoDB is spoken only inside shared/store/. test/ci/layer-rules.test.ts lints a violation of each.
  {
    files: [
      'functions/**/*.ts',
      'integrations/**/*.ts',
      'shared/**/*.ts',
      'cli/**/*.ts',
      'bin/**/*.ts',
      'web/**/*.{ts,tsx}',
    ],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...productPatterns(), ...dynamoPatterns()] }],
    },
  },
  {
    files: ['shared/store/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...productPatterns(), ...sharedPatterns()] }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    ignores: ['shared/store/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [...productPatterns(), ...sharedPatterns(), ...dynamoPatterns()] },
      ],
    },
  },
  {
    files: ['integrations/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...productPatterns(),
            ...dynamoPatterns(),
            {
              group: ['**/functions/**'],
              message: 'integrations/ never import the handlers: functions → integrations → shared.',
            },
            {
              group: ['**/shared/store/keys.ts'],
              message: 'integrations/ reach the table through tenantStore(), never through its keys.',
            },
          ],
        },
      ],
    },
  },
);

function productPatterns() {
  return [
    {
      group: ['**/sandbox/**', '**/test/**', '**/local/**', '**/bench/**'],
      message: 'product code never imports the sandboxes, tests, local stack or benchmarks.',
    },
  ];
}

function sharedPatterns() {
  return [
    {
      group: ['**/functions/**', '**/integrations/**', '**/bin/**', '**/cli/**'],
      message: 'shared/ imports nothing of ours outside it.',
    },
  ];
}

function dynamoPatterns() {
  return [
    {
      group: ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb', '@aws-sdk/util-dynamodb'],
      message: 'DynamoDB is spoken only inside shared/store/: use its functions (tenantStore) instead.',
    },
  ];
}
