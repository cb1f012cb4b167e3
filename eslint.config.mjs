import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import jest from 'eslint-plugin-jest';

/**
 * The rooms and their arrows, inward only (README.md, "The rooms"): what each lib may import besides itself.
 * Apps compose libs and never import each other; libs never import apps. Tests compose too, so a lib's tests
 * may import any lib.
 */
const LIB_MAY_IMPORT = {
  'libs/domain': [],
  'libs/event-log': ['libs/domain'],
  'libs/read-model': ['libs/domain'],
  'libs/platform': ['libs/domain', 'libs/event-log', 'libs/read-model'],
  'libs/decisions': ['libs/domain', 'libs/event-log', 'libs/read-model', 'libs/platform'],
  'libs/projection': ['libs/domain', 'libs/event-log', 'libs/read-model', 'libs/platform', 'libs/decisions'],
};
const TEST_FILE = /\.(spec|int-spec|e2e-spec|contract)\.ts$/;

/** Relative and `@app/*` specifiers are resolved to the room they land in. */
const rooms = {
  rules: {
    'apps-compose-libs': {
      meta: {
        type: 'problem',
        schema: [],
        messages: { crossing: '{{from}} must not import {{to}}: {{why}}' },
      },
      create(context) {
        const root = context.cwd;
        const roomOf = (file) => {
          const [top, name] = path.relative(root, file).split(path.sep);
          return top === 'apps' || top === 'libs' ? `${top}/${name}` : undefined;
        };
        const from = roomOf(context.filename);
        if (!from) return {};
        const isTest = TEST_FILE.test(context.filename);
        const targetOf = (specifier) => {
          if (specifier.startsWith('@app/')) return `libs/${specifier.slice('@app/'.length).split('/')[0]}`;
          if (specifier.startsWith('.'))
            return roomOf(path.resolve(path.dirname(context.filename), specifier));
          return undefined;
        };
        const whyNot = (to) => {
          if (to.startsWith('apps/'))
            return from.startsWith('apps/') ? 'apps compose libs only' : 'a lib never imports an app';
          const allowed = LIB_MAY_IMPORT[from];
          if (isTest || !allowed || allowed.includes(to)) return undefined;
          return `arrows point inward: ${from} may import ${allowed.join(', ') || 'no other room'}`;
        };
        const check = (node, specifier) => {
          if (typeof specifier !== 'string') return;
          const to = targetOf(specifier);
          if (!to || to === from) return;
          const why = whyNot(to);
          if (why) context.report({ node, messageId: 'crossing', data: { from, to, why } });
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
      'no-restricted-imports': [
        'error',
        { patterns: ['@nestjs/*', 'typeorm', 'kafkajs', 'pg', 'fs', 'node:*'] },
      ],
    },
  },
  {
    files: ['bench/**/*.ts', 'scripts/**/*.ts', 'test/support/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
