// Builds production bundles and packs the .vsix. vsce needs Node >= 22, so it runs on the Node 24 that the
// test harness keeps in .vscode-test/ (installed from the npm registry on first use).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ensureNode24, NODE24, REPO_ROOT } from '../test/harness/setup.mjs';

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: REPO_ROOT });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

run(process.execPath, ['scripts/build.mjs', '--production']);
ensureNode24();
const vsce = path.join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
// Everything the extension runs is bundled into dist/, so node_modules stays out of the package.
run(NODE24, [vsce, 'package', '--no-dependencies', '--no-rewrite-relative-links', '--out', `prm-lens-${process.env.npm_package_version ?? 'dev'}.vsix`, ...process.argv.slice(2)]);
