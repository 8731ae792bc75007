// Bundles the extension host, the CLI, the local-model host, the metrics worker and the webviews with esbuild.
import * as esbuild from 'esbuild';
import { chmod, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {esbuild.BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  // Native or optional modules are loaded at run time from node_modules, never bundled.
  external: ['vscode'],
};

/** KaTeX's stylesheet lists each font as woff2, woff and ttf; Chromium uses woff2, so the others are dropped. */
const katexWoff2Only = {
  name: 'katex-woff2-only',
  setup(build) {
    build.onLoad({ filter: /katex[\\/]dist[\\/]katex(\.min)?\.css$/ }, async (args) => {
      const css = await readFile(args.path, 'utf8');
      return {
        contents: css.replace(/,\s*url\([^)]*\.(?:woff|ttf)\)\s*format\("(?:woff|truetype)"\)/g, ''),
        loader: 'css',
      };
    });
  },
};

// The webviews run in the browser: one self-contained script + stylesheet per panel in dist/webview, loaded only when
// that panel opens. KaTeX's fonts are emitted next to the CSS that names them (see katexWoff2Only).
const webviewBuilds = [
  {
    bundle: true,
    platform: 'browser',
    target: 'chrome120',
    format: 'iife',
    sourcemap: production ? false : 'linked',
    minify: production,
    logLevel: 'warning',
    entryPoints: {
      inspector: 'webview/inspector/main.ts',
      dataset: 'webview/dataset/main.ts',
      metrics: 'webview/metrics/main.ts',
    },
    outdir: 'dist/webview',
    loader: { '.woff2': 'file' },
    plugins: [katexWoff2Only],
    assetNames: 'fonts/[name]-[hash]',
    legalComments: 'linked',
  },
];

/**
 * Third-party code the extension needs only for some features is loaded from its own file in dist/, when first
 * imported, so activation never parses it: the `openai` client (a third of the bundle; the modules that import it are
 * initialised lazily, see the critic registry), stream-json (JSON-array datasets, imported dynamically) and jsonrepair
 * (per-step critiques, imported dynamically). Each chunk is one module instance; stream-json's pieces share one chunk
 * (and so one stream-chain), which exports every name its importers take. The CLI bundles them whole.
 */
const LAZY_CHUNKS = [
  { file: 'openai', filter: /^openai$/, entry: createRequire(import.meta.url).resolve('openai') },
  {
    file: 'stream-json',
    filter: /^stream-json\//,
    contents: [
      `export { pipe } from 'stream-json/utils/pipe.js';`,
      `export { parser } from 'stream-json/parser.js';`,
      `export { streamArray } from 'stream-json/streamers/stream-array.js';`,
      `export { jsonVerifier } from 'stream-json/utils/verifier.js';`,
    ].join('\n'),
  },
  { file: 'jsonrepair', filter: /^jsonrepair$/, contents: `export { jsonrepair } from 'jsonrepair';` },
];

const lazyChunks = {
  name: 'lazy-chunks',
  setup(build) {
    for (const { file, filter } of LAZY_CHUNKS) {
      build.onResolve({ filter }, () => ({ path: `./${file}.js`, external: true }));
    }
  },
};

const chunkBuilds = LAZY_CHUNKS.map(({ file, entry, contents }) => ({
  ...common,
  ...(entry ? { entryPoints: [entry] } : { stdin: { contents, resolveDir: process.cwd(), sourcefile: `${file}.js` } }),
  outfile: `dist/${file}.js`,
}));

const builds = [
  {
    ...common,
    entryPoints: { extension: 'src/extension/extension.ts' },
    outdir: 'dist',
    plugins: [lazyChunks],
    // The chunks load with require (as openai's always has), not the extension host's ESM loader.
    supported: { 'dynamic-import': false },
  },
  ...chunkBuilds,
  { ...common, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  // The local-model host runs in its own process; its native modules are loaded from node_modules at run time.
  {
    ...common,
    entryPoints: { 'onnx-host': 'src/onnx-host/main.ts' },
    outdir: 'dist',
    external: ['vscode', 'onnxruntime-node', '@anush008/tokenizers'],
  },
  // The metrics panel's worker thread (bootstrap intervals, best-of-n curves): pure view-model code, no vscode.
  { ...common, entryPoints: { 'stats-worker': 'src/extension/webviews/statsWorker.ts' }, outdir: 'dist' },
  ...webviewBuilds,
];

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
  console.log('esbuild: watching');
} else {
  const started = Date.now();
  await Promise.all(builds.map((options) => esbuild.build(options)));
  await chmod('dist/cli.js', 0o755);
  console.log(`esbuild: built dist/ in ${Date.now() - started} ms`);
}
