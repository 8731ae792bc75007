// `npm start`: packs PRM Lens as a .vsix, installs it into a fresh code-server (VS Code's server build) and opens the
// examples/ folder on 127.0.0.1. code-server and its Node 24 come from the npm registry into .vscode-test/ on first use.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../test/harness/setup.mjs';
import { freePort, startCodeServer, stopOnSignals } from '../test/harness/code-server.mjs';

const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
const vsix = path.join(REPO_ROOT, `prm-lens-${pkg.version}.vsix`);
const packed = spawnSync(process.execPath, ['scripts/package.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
if (packed.status !== 0) process.exit(packed.status ?? 1);

// 8080 when it is free, else any free port.
process.env.PRM_LENS_PORT ??= String(await freePort(8080).catch(() => freePort()));
const server = await startCodeServer({
  name: 'start',
  installExtensions: [vsix],
  settings: { 'editor.hover.delay': 500 },
});
stopOnSignals([server.stop]);
// Ctrl-C reaches this process directly; a parent stopped by a signal it does not pass on (`timeout npm start`, a
// task runner) leaves it orphaned instead: then the server is stopped too rather than left running.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void server.stop().finally(() => process.exit(0));
}, 1000);
const folder = path.join(REPO_ROOT, 'examples');
console.log(`\nPRM Lens is running in VS Code at:\n\n  ${server.baseUrl}/?folder=${encodeURIComponent(folder)}\n`);
console.log(
  'Open examples/arithmetic-slip.md and run "PRM Lens: Score Steps in Current File" (F1). Ctrl-C stops the server.',
);
await new Promise(() => {});
