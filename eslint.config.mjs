import { readdirSync } from 'node:fs';
import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const ROOT = import.meta.dirname;

// The layers of the code base and what each may import besides itself, npm packages and node built-ins
// (README.md, "Layout"). A webview page may use webview/shared but not another page.
const WEBVIEW_PAGES = readdirSync(path.join(ROOT, 'webview'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'shared')
  .map((d) => `webview/${d.name}`);
const LAYERS = {
  'src/core': { may: [], why: 'src/core is pure logic shared with the CLI: it imports only src/core.' },
  'src/protocol': { may: [], why: 'src/protocol holds the host<->webview message types: it imports nothing.' },
  'src/views': { may: ['src/core', 'src/protocol'], why: 'src/views builds view models of src/core for src/protocol.' },
  'src/cli': { may: ['src/core'], why: 'src/cli imports only src/core.' },
  'src/onnx-host': { may: ['src/core'], why: 'src/onnx-host imports only src/core.' },
  'src/extension': {
    may: ['src/core', 'src/views', 'src/protocol'],
    why: 'src/extension imports src/core, src/views and src/protocol.',
  },
  'webview/shared': { may: ['src/protocol'], why: 'webview/shared imports only src/protocol.' },
  ...Object.fromEntries(
    WEBVIEW_PAGES.map((page) => [
      page,
      { may: ['src/protocol', 'webview/shared'], why: `${page} imports only src/protocol and webview/shared.` },
    ]),
  ),
};
// Everything a layer could reach: the layers themselves, and code that ships nowhere.
const PROJECT = [...Object.keys(LAYERS), 'test', 'bench', 'scripts'];
const layerZones = Object.entries(LAYERS).map(([target, { may, why }]) => ({
  target,
  from: PROJECT.filter((dir) => dir !== target && !may.includes(dir)),
  message: why,
}));

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
    // Only code that runs in the VS Code extension host may depend on VS Code.
    files: ['src/{core,cli,views,protocol,onnx-host}/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'vscode', message: 'Only src/extension may import vscode: this runs outside VS Code.' }] },
      ],
    },
  },
  {
    // The layering (test/unit/layers.test.ts proves these rules report what they must). Type-only imports count for
    // the layers but not for cycles: they vanish at compile time.
    files: ['src/**/*.ts', 'webview/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      // Without these, import-x parses no .ts module it imports, and no-cycle silently finds nothing.
      'import-x/extensions': ['.ts', '.js', '.mjs', '.cjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/external-module-folders': ['node_modules', 'node_modules/@types'],
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          project: [path.join(ROOT, 'tsconfig.json'), path.join(ROOT, 'webview/tsconfig.json')],
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: ROOT, zones: layerZones }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    // One reader of the settings: src/extension/config.ts gives them typed, checked and trust-aware.
    files: ['src/**/*.ts'],
    ignores: ['src/extension/config.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          property: 'getConfiguration',
          message: 'Read and write settings through the Config in src/extension/config.ts.',
        },
      ],
    },
  },
);
