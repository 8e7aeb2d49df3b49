// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // The portal's .astro files need a parser we do not install; its TypeScript modules are linted like the rest.
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.astro/**',
      '.data/**',
      '.build/**',
      'portal/src/lib/generated/**',
      'db/migrations/**',
    ],
  },
  // CommonJS, as dependency-cruiser reads it.
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  // The portal's one browser script (the committee's redaction drawing), plain ES5 served as it is written.
  {
    files: ['portal/public/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { document: 'readonly', URL: 'readonly' } },
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // Non-null assertions mark facts the database guarantees (a foreign key, a group that is never empty).
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Money is bigint; a float sneaking in is the bug this project must never have.
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.name='parseFloat']", message: 'Money is bigint fen: use parseYuan().' },
      ],
    },
  },
  {
    files: ['portal/**/*.ts'],
    rules: {
      // Astro's clientAddress is the first X-Forwarded-For value, which any client writes: every per-address limit
      // goes through visitorAddress() in portal/src/middleware.ts (tests/http/portal-limits.test.ts checks .astro
      // files).
      'no-restricted-properties': [
        'error',
        { property: 'clientAddress', message: "Use the visitor's address from the middleware (withVisitor)." },
      ],
    },
  },
);
