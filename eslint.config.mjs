import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', '.vscode-test/', 'test-results/', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Browser code: the webviews, and page callbacks that playwright runs inside the workbench.
    files: ['webview/**', 'test/ui/**', 'test/harness/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Pure logic is shared with the CLI and tested in plain Node: it must never depend on VS Code.
    files: ['src/core/**/*.ts', 'src/cli/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/core and src/cli must not import vscode.' }] }] },
  },
  {
    // One reader of the settings: src/extension/config.ts gives them typed, checked and trust-aware.
    files: ['src/**/*.ts'],
    ignores: ['src/extension/config.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { property: 'getConfiguration', message: 'Read and write settings through the Config in src/extension/config.ts.' },
      ],
    },
  },
);
