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
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/functions/**', '**/integrations/**', '**/bin/**'],
              message: 'shared/ imports nothing of ours outside it.',
            },
          ],
        },
      ],
    },
  },
);
