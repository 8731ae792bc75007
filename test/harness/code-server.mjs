// Starts and stops a throwaway code-server (VS Code server build with a real Node extension host) for tests.
// Facts this relies on: /work/shared/docs/vscode-harness.md (kept in the team's shared docs).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ensureServer, REPO_ROOT } from './setup.mjs';

/** User settings that keep the workbench quiet and offline. */
export const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'editor.hover.delay': 300,
  'editor.minimap.enabled': false,
  'files.autoSave': 'off',
  'window.restoreWindows': 'none',
};

/** Resolves with a TCP port on 127.0.0.1 that nothing listens on (asks the OS for one unless `wanted` is given). */
export async function freePort(wanted = 0) {
  const port = await new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', (e) => reject(new Error(`port ${wanted} on 127.0.0.1 is not free: ${e.message}`)));
    srv.listen(wanted, '127.0.0.1', () => {
      const p = srv.address().port;
      srv.close(() => resolve(p));
    });
  });
  // An old code-server that still runs would answer /healthz; never reuse its port.
  if (await healthz(port, 300)) throw new Error(`something already answers http://127.0.0.1:${port}/healthz`);
  return port;
}

function healthz(port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.on('error', () => resolve(false));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts code-server on a free loopback port with a fresh profile.
 * @param {object} [opts]
 * @param {boolean} [opts.smokeTestDriver] pass `--vscode-option enable-smoke-test-driver` (needed for the
 *   extensionDevelopmentPath/extensionTestsPath URL payload of the extension-host test runner)
 * @param {Record<string, unknown>} [opts.settings] extra user settings merged over DEFAULT_SETTINGS
 * @param {boolean} [opts.workspaceTrust] leave workspace trust on (Restricted Mode tests); default off
 * @param {string} [opts.name] label used in temp dir and log file names
 * @param {string[]} [opts.installExtensions] .vsix files installed into the fresh extensions dir before starting
 * @returns {Promise<{port:number, baseUrl:string, tmpDir:string, logFile:string, stop:() => Promise<void>}>}
 */
export async function startCodeServer(opts = {}) {
  const paths = ensureServer(); // no browser: `npm start` uses it too
  const name = opts.name ?? 'code-server';
  const port = await freePort(Number(process.env.PRM_LENS_PORT ?? 0));
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), `prm-lens-${name}-`));
  const userDataDir = path.join(tmpDir, 'user-data');
  const extensionsDir = path.join(tmpDir, 'extensions');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  const settings = { ...DEFAULT_SETTINGS, ...(opts.settings ?? {}) };
  if (opts.workspaceTrust) settings['security.workspace.trust.enabled'] = true;
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  const configFile = path.join(tmpDir, 'config.yaml');
  // auth none + cert false: otherwise code-server writes a password config into ~/.config.
  fs.writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);

  const logDir = path.join(REPO_ROOT, 'test-results', 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `${name}-${port}.log`);
  const logFd = fs.openSync(logFile, 'w');

  const args = [
    paths.codeServerEntry,
    '--config',
    configFile,
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--reconnection-grace-time',
    '5', // else the extension host waits 3 h for a reconnect
  ];
  if (!opts.workspaceTrust) args.push('--disable-workspace-trust');
  if (opts.smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');

  const env = {
    ...process.env,
    EXTENSIONS_GALLERY: '{}', // no marketplace
    // keep code-server's own files (default config, coder-logs) out of the real home
    XDG_CONFIG_HOME: path.join(tmpDir, 'xdg-config'),
    XDG_DATA_HOME: path.join(tmpDir, 'xdg-data'),
    XDG_CACHE_HOME: path.join(tmpDir, 'xdg-cache'),
    ...(opts.env ?? {}),
  };
  delete env.VSCODE_IPC_HOOK_CLI;
  delete env.ELECTRON_RUN_AS_NODE;
  delete env.NODE_OPTIONS;

  for (const vsix of opts.installExtensions ?? []) {
    const r = spawnSync(
      paths.node,
      [
        paths.codeServerEntry,
        '--extensions-dir',
        extensionsDir,
        '--user-data-dir',
        userDataDir,
        '--install-extension',
        vsix,
      ],
      { env, encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`installing ${vsix} into code-server failed:\n${r.stdout}${r.stderr}`);
  }

  // detached: the child becomes leader of a new session and process group (setsid), so one
  // kill(-pgid) ends the server, its extension hosts and anything they started.
  const child = spawn(paths.node, args, { cwd: tmpDir, env, detached: true, stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd);
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });

  const stop = async () => {
    if (exited) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    for (let i = 0; i < 50 && !exited; i++) await sleep(100);
    if (!exited) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      for (let i = 0; i < 20 && !exited; i++) await sleep(100);
    }
    // the group may outlive its leader (extension host children): make sure it is gone
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* no such group: fine */
    }
    if (!process.env.PRM_LENS_KEEP_TMP) fs.rmSync(tmpDir, { recursive: true, force: true });
  };

  const started = Date.now();
  const deadline = started + 60_000;
  while (!(await healthz(port))) {
    if (exited) {
      const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
      await stop();
      throw new Error(
        `code-server exited (${JSON.stringify(exited)}) before answering /healthz; log ${logFile}:\n${tail}`,
      );
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer /healthz within 60 s; log: ${logFile}`);
    }
    await sleep(200);
  }
  return {
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    tmpDir,
    userDataDir,
    logFile,
    pid: child.pid,
    stop,
    readyMs: Date.now() - started,
  };
}

/** Stops the server when this process is interrupted, so that no server is left behind. */
export function stopOnSignals(stopFns) {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, async () => {
      await Promise.allSettled(stopFns.map((f) => f()));
      process.exit(130);
    });
  }
}
