import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import jest from 'eslint-plugin-jest';

/**
 * Apps compose libs and never import each other; libs never import apps. Relative and `@app/*` specifiers are
 * resolved to the room they land in.
 */
const rooms = {
  rules: {
    'apps-compose-libs': {
      meta: { type: 'problem', schema: [], messages: { crossing: '{{from}} must not import {{to}}: {{why}}' } },
      create(context) {
        const root = context.cwd;
        const roomOf = (file) => {
          const [top, name] = path.relative(root, file).split(path.sep);
          return top === 'apps' || top === 'libs' ? `${top}/${name}` : undefined;
        };
        const from = roomOf(context.filename);
        if (!from) return {};
        const check = (node, specifier) => {
          if (typeof specifier !== 'string' || !specifier.startsWith('.')) return;
          const to = roomOf(path.resolve(path.dirname(context.filename), specifier));
          if (!to || to === from || !to.startsWith('apps/')) return;
          const why = from.startsWith('apps/') ? 'apps compose libs only' : 'a lib never imports an app';
          context.report({ node, messageId: 'crossing', data: { from, to, why } });
        };
        return {
          ImportDeclaration: (node) => check(node, node.source.value),
          ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
          ExportAllDeclaration: (node) => check(node, node.source.value),
          ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
        };
      },
    },
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'tools/**', 'test-output/**', '**/*.gen.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'error',
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    // Typed linting (the project service reads tsconfig.json) for the rules that need types: an unawaited
    // promise loses its error and can outlive a test, a shutdown or a transaction.
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
  {
    // A focused or skipped test would pass CI while leaving the rest of the suite unrun.
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/*.contract.ts'],
    plugins: { jest },
    rules: {
      'jest/no-focused-tests': 'error',
      'jest/no-disabled-tests': 'error',
      'jest/valid-expect': 'error',
    },
  },
  {
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    plugins: { rooms },
    rules: { 'rooms/apps-compose-libs': 'error' },
  },
  {
    files: ['libs/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@nestjs/*', 'typeorm', 'kafkajs', 'pg', 'fs', 'node:*'] }],
    },
  },
  {
    files: ['bench/**/*.ts', 'scripts/**/*.ts', 'test/support/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
