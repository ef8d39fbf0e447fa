// ESLint flat config: type-aware rules where they catch real bugs (floating promises,
// non-exhaustive switches, type-only imports), recommended rules elsewhere.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', 'bench/results/**', 'migrations/*-*.ts', '*.mjs', 'jest.config.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // Workers run without the HTTP server (ROLE=worker): they reach services through the
    // composition root, never through src/server/.
    files: ['src/jobs/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../server/*', '**/server/*'], message: 'src/jobs must not depend on src/server; use src/composition/.' }] },
      ],
    },
  },
  { files: ['src/cli/**', 'bench/**', 'test/**'], rules: { 'no-console': 'off' } },
  { files: ['test/**'], rules: { '@typescript-eslint/no-non-null-assertion': 'off' } },
);
