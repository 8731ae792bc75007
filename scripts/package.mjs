// Builds production bundles and packs a platform-specific .vsix (linux-x64 by default). Everything in JavaScript is
// bundled into dist/; the native modules of the local-model host (onnxruntime-node, the tokenizer) are copied into
// dist/node_modules for the target platform only. vsce needs Node >= 22, so it runs on the Node 24 that the test
// harness keeps in .vscode-test/ (installed from the npm registry on first use).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureNode24, NODE24, REPO_ROOT } from '../test/harness/setup.mjs';

const TARGET = process.env.PRM_LENS_TARGET ?? 'linux-x64';
const [os, arch] = TARGET.split('-');

/** Files of each native package the host needs at run time, relative to the package folder. */
const NATIVE_FILES = {
  'onnxruntime-node': ['package.json', 'dist', `bin/napi-v6/${os}/${arch}`],
  'onnxruntime-common': ['package.json', 'dist/cjs'],
  '@anush008/tokenizers': ['package.json', 'index.js'],
  [`@anush008/tokenizers-${os}-${arch}${os === 'linux' ? '-gnu' : ''}`]: null, // the whole platform package
};

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: REPO_ROOT });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function copyNativeModules() {
  const into = path.join(REPO_ROOT, 'dist', 'node_modules');
  fs.rmSync(into, { recursive: true, force: true });
  for (const [pkg, files] of Object.entries(NATIVE_FILES)) {
    const from = path.join(REPO_ROOT, 'node_modules', pkg);
    if (!fs.existsSync(from))
      throw new Error(`${pkg} is not installed (needed for the ${TARGET} package): run npm install`);
    // Source maps and type declarations are of no use at run time.
    const runtimeOnly = (src) => !/\.(map|d\.ts)$/.test(src);
    for (const rel of files ?? ['.'])
      fs.cpSync(path.join(from, rel), path.join(into, pkg, rel), { recursive: true, filter: runtimeOnly });
  }
}

run(process.execPath, ['scripts/build.mjs', '--production']);
copyNativeModules();
ensureNode24();
const vsce = path.join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
const version = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version;
run(NODE24, [
  vsce,
  'package',
  '--no-dependencies',
  '--no-rewrite-relative-links',
  '--target',
  TARGET,
  '--out',
  `prm-lens-${version}.vsix`,
  ...process.argv.slice(2),
]);
