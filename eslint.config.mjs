// Lint: typescript-eslint's recommended rules, plus the project's layering rules as import bans.
// (Package-level dependency direction is checked from the Nx tags by tools/boundaries.test.ts.)
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.nx/**', 'tmp/**', 'apps/web/public/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  // AssemblyScript sources (compiled to .wasm by asc, not by tsc; they use AS decorators such as @inline).
  { ignores: ['packages/*/assembly/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportAllDeclaration', message: 'List named exports; no `export *`.' }],
    },
  },
  {
    // Only the transport package and apps may import `ws`.
    files: ['packages/**/*.ts'],
    ignores: ['packages/ws/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'ws', message: 'Only @rxrnn/ws and apps import ws.' }] }] },
  },
  {
    // Math files never import rxjs: cells' step/cell files and core math.
    files: ['packages/*/src/**/*-step.ts', 'packages/*/src/**/*-cell.ts', 'packages/core/src/{activations,init,rng,cell,safetensors,errors}.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['rxjs', 'rxjs/*'], message: 'Math files never import rxjs; put operators in operators.ts.' }], paths: [{ name: 'ws', message: 'Only @rxrnn/ws and apps import ws.' }] }],
    },
  },
);
