import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';

// Proves that eslint.config.mjs enforces the layering (README.md, "Layout"): each snippet is linted as if it lived
// at a path inside a layer and imports a real module of another one.
const ROOT = path.resolve(__dirname, '..', '..', '..');
const eslint = new ESLint({ cwd: ROOT });

/** A real module in each layer (what a snippet imports). */
const MODULE = {
  core: 'src/core/segment/segment.ts',
  protocol: 'src/protocol/messages.ts',
  views: 'src/views/csp.ts',
  cli: 'src/cli/io.ts',
  onnxHost: 'src/onnx-host/tokenizer.ts',
  extension: 'src/extension/statusBar.ts',
  webviewShared: 'webview/shared/navigation.ts',
  webviewPage: 'webview/inspector/main.ts',
};
type Layer = keyof typeof MODULE;

/** Where the snippet pretends to live, per layer. */
const PROBE: Record<Layer, string> = {
  core: 'src/core/analysis/probe.ts',
  protocol: 'src/protocol/probe.ts',
  views: 'src/views/probe.ts',
  cli: 'src/cli/commands/probe.ts',
  onnxHost: 'src/onnx-host/probe.ts',
  extension: 'src/extension/webviews/probe.ts',
  webviewShared: 'webview/shared/probe.ts',
  webviewPage: 'webview/dataset/probe.ts',
};

function specifier(from: string, to: string): string {
  const rel = path.posix.relative(path.posix.dirname(from), to).replace(/\.ts$/, '');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** "rule: message" of every problem ESLint reports on `code` placed at `filePath`. */
async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, filePath) });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

async function importProblems(from: Layer, to: Layer | string): Promise<string[]> {
  const target = to in MODULE ? specifier(PROBE[from], MODULE[to as Layer]) : to;
  return problems(PROBE[from], `import * as imported from '${target}';\nexport default imported;\n`);
}

const ALLOWED: [Layer, Layer][] = [
  ['core', 'core'],
  ['views', 'core'],
  ['views', 'protocol'],
  ['cli', 'core'],
  ['onnxHost', 'core'],
  ['extension', 'core'],
  ['extension', 'views'],
  ['extension', 'protocol'],
  ['webviewShared', 'protocol'],
  ['webviewPage', 'protocol'],
  ['webviewPage', 'webviewShared'],
];
const LAYERS = Object.keys(MODULE) as Layer[];
const allowed = (from: Layer, to: Layer): boolean => to === from || ALLOWED.some(([f, t]) => f === from && t === to);
const FORBIDDEN = LAYERS.flatMap((from) => LAYERS.filter((to) => !allowed(from, to)).map((to) => [from, to] as const));

describe('layers: eslint.config.mjs', () => {
  test('every forbidden import between layers is reported by import-x/no-restricted-paths', async () => {
    assert.ok(FORBIDDEN.length >= 40, `only ${FORBIDDEN.length} forbidden pairs`);
    for (const [from, to] of FORBIDDEN) {
      const found = await importProblems(from, to);
      assert.ok(
        found.some((p) => p.startsWith('import-x/no-restricted-paths:')),
        `${PROBE[from]} importing ${MODULE[to]} should be reported; got ${JSON.stringify(found)}`,
      );
    }
  });

  test('a webview page may not import another page', async () => {
    const code = "import * as other from '../metrics/main';\nexport default other;\n";
    const found = await problems('webview/dataset/probe.ts', code);
    assert.ok(
      found.some((p) => p.startsWith('import-x/no-restricted-paths:')),
      JSON.stringify(found),
    );
  });

  test('allowed imports, npm packages and node built-ins are not reported', async () => {
    for (const [from, to] of ALLOWED) {
      assert.deepEqual(await importProblems(from, to), [], `${PROBE[from]} importing ${MODULE[to]}`);
    }
    assert.deepEqual(await importProblems('core', 'node:path'), []);
    assert.deepEqual(await importProblems('core', 'fraction.js'), []);
    assert.deepEqual(await importProblems('webviewShared', 'katex'), []);
  });

  test('only src/extension may import vscode', async () => {
    for (const from of ['core', 'protocol', 'views', 'cli', 'onnxHost'] as const) {
      const found = await importProblems(from, 'vscode');
      assert.ok(
        found.some((p) => p.startsWith('no-restricted-imports:')),
        `${from}: ${JSON.stringify(found)}`,
      );
    }
    assert.deepEqual(await importProblems('extension', 'vscode'), []);
  });

  describe('import cycles', () => {
    const dirs: string[] = [];
    after(() => {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });

    /** Two real files under `layer` (no-cycle reads the imported module from disk); `b` imports `a` back or not. */
    function pair(layer: string, cyclic: boolean): string {
      const dir = mkdtempSync(path.join(ROOT, layer, 'layers-test-'));
      dirs.push(dir);
      writeFileSync(path.join(dir, 'a.ts'), "import { b } from './b';\nexport const a = (): number => b() + 1;\n");
      const back = cyclic ? "import { a } from './a';\n" : '';
      writeFileSync(path.join(dir, 'b.ts'), `${back}export const b = (): number => ${cyclic ? 'a() - 1' : '1'};\n`);
      return path.join(dir, 'a.ts');
    }

    for (const layer of ['src/core', 'webview/shared']) {
      test(`a two-file cycle in ${layer} is reported by import-x/no-cycle; without the cycle nothing is`, async () => {
        const [cyclic] = await eslint.lintFiles([pair(layer, true)]);
        assert.deepEqual(
          cyclic.messages.map((m) => m.ruleId),
          ['import-x/no-cycle'],
        );
        const [acyclic] = await eslint.lintFiles([pair(layer, false)]);
        assert.deepEqual(acyclic.messages, []);
      });
    }
  });
});
